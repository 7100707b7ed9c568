#!/bin/sh
# input.sh: what is not a recording file gets a message saying so, from
# each of the three programs that read one, and nothing waits on it
# (issue 13): a directory, a device, a FIFO (with no writer, and fed a
# recording), "-" (standard input is not read), a missing file.  Needs no
# recording and no root.
set -eu
B=${FG_BUILD_DIR:?}
W=$B/perfdata/input
rm -rf "$W"
mkdir -p "$W"
cd "$W"
mkfifo fifo
fail=0
check() {	# check WHAT EXPECTED-MESSAGE PROGRAM ARGS...
	what=$1 want=$2
	shift 2
	if timeout 20 "$@" > out.txt 2> err.txt; then
		echo "FAIL: $what was accepted"; fail=1; return
	fi
	rc=$?
	if [ "$rc" -eq 124 ]; then
		echo "FAIL: $what: timed out (blocked?)"; fail=1; return
	fi
	if ! grep -q -- "$want" err.txt || [ "$(wc -l < err.txt)" -ne 1 ]; then
		echo "FAIL: $what: expected one line with '$want', got:"
		cat err.txt; fail=1; return
	fi
	echo "ok: $what: $(cat err.txt)"
}
for prog in collapse flamegraph cargo; do
	case $prog in
	collapse) set -- "$B/flamegraph-collapse-perfdata" ;;
	flamegraph) set -- "$B/flamegraph" -o "$W/out.svg" --perfdata ;;
	cargo) set -- "$B/cargo-flamegraph" flamegraph -o "$W/out.svg" --perfdata ;;
	esac
	check "$prog directory" "$W: is a directory, not a recording" "$@" "$W"
	check "$prog /dev/zero" "/dev/zero: not a regular file (a character device)" "$@" /dev/zero
	check "$prog /dev/null" "/dev/null: not a regular file (a character device)" "$@" /dev/null
	check "$prog fifo" "fifo: not a regular file (a FIFO)" "$@" fifo
	# a FIFO a writer feeds: refused the same way, the writer not waited for
	printf 'PERFILE2' > rec.data
	( timeout 10 sh -c 'cat rec.data > fifo' 2>/dev/null || true ) &
	writer=$!
	check "$prog fed fifo" "fifo: not a regular file (a FIFO)" "$@" fifo
	# the reader opened and closed it; a writer still waiting to open is
	# let go by opening it once more
	timeout 5 sh -c 'exec 3<> fifo' 2>/dev/null || true
	wait "$writer" || true
	check "$prog -" "-: reading a recording from standard input is not supported" "$@" - < rec.data
	check "$prog missing" "missing.data: No such file or directory" "$@" missing.data
	: > empty.data
	check "$prog empty" "empty.data: empty file" "$@" empty.data
done
exit $fail
