#!/bin/sh
# bad-input.sh: flamegraph-collapse-perf on hostile input.
#   bad-input.sh PROG DATADIR
# Golden cases DATADIR/X.txt (CRLF ends, NUL bytes, truncated records,
# names that are not UTF-8, many warnings) must give X.folded on stdout
# and X.warn on stderr, read as a file and through a pipe.  Generated
# cases (binary garbage, a 10 MiB line, a 17 MiB line) must not crash or
# hang, exit 0, and every warning must name its line.
set -u
prog=$1 data=$2
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
no() { echo "FAIL: $*"; fail=1; }

for t in "$data"/*.txt; do
	c=$(basename "$t" .txt)
	for mode in file pipe; do
		if [ $mode = file ]; then
			"$prog" "$t" >"$tmp/out" 2>"$tmp/err"
		else
			"$prog" <"$t" >"$tmp/out" 2>"$tmp/err"
		fi
		rc=$?
		[ $rc -eq 0 ] || no "$c ($mode): exit status $rc"
		cmp -s "$tmp/out" "$data/$c.folded" || no "$c ($mode): output differs"
		cmp -s "$tmp/err" "$data/$c.warn" || { no "$c ($mode): warnings differ"; diff "$tmp/err" "$data/$c.warn"; }
	done
done

# every warning line names its line (or is the closing count)
check_warnings() {
	if grep -v -E '^flamegraph-collapse-perf: perf script: (line [0-9]+: |[0-9]+ more warnings$)' "$1" | grep -q .; then
		no "$2: a warning without a line number"; head -3 "$1"
	fi
}

# binary garbage, deterministic
LC_ALL=C awk 'BEGIN { srand(7); for (i = 0; i < 400000; i++) printf "%c", int(rand() * 256) }' \
	</dev/null >"$tmp/garbage"
for mode in file pipe; do
	if [ $mode = file ]; then "$prog" "$tmp/garbage" >"$tmp/out" 2>"$tmp/err"
	else "$prog" <"$tmp/garbage" >"$tmp/out" 2>"$tmp/err"; fi
	rc=$?
	[ $rc -eq 0 ] || no "garbage ($mode): exit status $rc"
	check_warnings "$tmp/err" "garbage ($mode)"
done

# a 10 MiB frame name is kept whole
{
	printf 'prog 1 1.0: 3 cpu-clock:\n\t 1 '
	head -c 10485760 /dev/zero | tr '\0' 'x'
	printf ' (/bin/prog)\n\n'
} >"$tmp/long"
for mode in file pipe; do
	if [ $mode = file ]; then "$prog" "$tmp/long" >"$tmp/out" 2>"$tmp/err"
	else "$prog" <"$tmp/long" >"$tmp/out" 2>"$tmp/err"; fi
	rc=$?
	[ $rc -eq 0 ] || no "10 MiB line ($mode): exit status $rc"
	n=$(wc -c <"$tmp/out")
	[ "$n" -eq $((10485760 + 8)) ] || no "10 MiB line ($mode): $n bytes of output"
done

# a 17 MiB line is skipped with a warning naming line 2
{
	printf 'prog 1 1.0: 3 cpu-clock:\n\t 1 '
	head -c 17825792 /dev/zero | tr '\0' 'y'
	printf ' (/bin/prog)\n\t 2 main (/bin/prog)\n\n'
} >"$tmp/huge"
for mode in file pipe; do
	if [ $mode = file ]; then "$prog" "$tmp/huge" >"$tmp/out" 2>"$tmp/err"
	else "$prog" <"$tmp/huge" >"$tmp/out" 2>"$tmp/err"; fi
	rc=$?
	[ $rc -eq 0 ] || no "17 MiB line ($mode): exit status $rc"
	[ "$(cat "$tmp/out")" = "prog;main 3" ] || no "17 MiB line ($mode): output $(head -c 80 "$tmp/out")"
	grep -q 'perf script: line 2: line longer than 16 MiB' "$tmp/err" || no "17 MiB line ($mode): no warning for line 2"
	check_warnings "$tmp/err" "17 MiB line ($mode)"
done

# usage errors and a missing file exit 1
"$prog" --no-such-option </dev/null >/dev/null 2>&1; [ $? -eq 1 ] || no "bad option: exit status not 1"
"$prog" "$tmp/does-not-exist" >/dev/null 2>&1; [ $? -eq 1 ] || no "missing file: exit status not 1"
"$prog" --nthreads 0 </dev/null >/dev/null 2>&1; [ $? -eq 1 ] || no "--nthreads 0: exit status not 1"
# a missing value is named as such, not as an unknown option (issue 13)
"$prog" --event-filter </dev/null >/dev/null 2>"$tmp/err"; [ $? -eq 1 ] || no "--event-filter without a value: exit status not 1"
grep -q 'option --event-filter needs a value' "$tmp/err" || no "--event-filter without a value: $(head -1 "$tmp/err")"
"$prog" -n </dev/null >/dev/null 2>"$tmp/err"
grep -q 'option -n needs a value' "$tmp/err" || no "-n without a value: $(head -1 "$tmp/err")"
"$prog" --no-such-option </dev/null >/dev/null 2>"$tmp/err"
grep -q 'unknown option --no-such-option' "$tmp/err" || no "unknown option: $(head -1 "$tmp/err")"
# Ctrl-C (or SIGTERM) while reading a pipe: stops at once, says so, and
# exits with 128 + the signal (issue 13)
mkfifo "$tmp/fifo"
for sig in INT:130 TERM:143; do
	want=${sig#*:} sig=${sig%:*}
	"$prog" <"$tmp/fifo" >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	exec 3>"$tmp/fifo"	# a writer that never writes
	sleep 0.3
	kill -$sig $pid
	# a watchdog: a program that does not stop is killed (status 137)
	( sleep 20; kill -KILL $pid ) >/dev/null 2>&1 &
	wd=$!
	wait $pid
	st=$?
	kill $wd 2>/dev/null
	exec 3>&-
	[ $st -eq $want ] || no "SIG$sig while reading: exit status $st, expected $want"
	grep -q 'interrupted' "$tmp/err" || no "SIG$sig while reading: no message"
done
# --help and --version exit 0 and say something
"$prog" --help 2>&1 | grep -q -- '--skip-after' || no "--help"
"$prog" --version | grep -q '^flamegraph-collapse-perf [0-9]' || no "--version"
# empty input: no stacks, empty output, exit 0
"$prog" </dev/null >"$tmp/out" 2>&1; [ $? -eq 0 ] && [ ! -s "$tmp/out" ] || no "empty input"

[ $fail -eq 0 ] && echo "bad input: ok"
exit $fail
