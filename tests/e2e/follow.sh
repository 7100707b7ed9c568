#!/bin/sh
# follow: the tools read the recording while perf writes it
# (fg_follow_start), and what they draw is what reading the finished
# recording gives, byte for byte: DWARF and frame-pointer call chains with
# inline frames on (the default), the folded, speedscope and pprof outputs
# and --per-thread, an older perf.data in the way (perf renames it .old),
# a program that fails, Ctrl-C.  A recording that cannot be followed (perf
# killed: no final header) is read after perf ended, with the warning the
# finished file gives; a perf that fails writes no graph and leaves the old
# one.  Nothing here may hang (hang guards only, no speed limits).
# requires: cargo perf
# labels: e2e threads
. "$(dirname "$0")/lib.sh"
setup follow dwarfwork
cd "$W/crate"
data=$W/target/flamegraph/perf.data

# same NAME...: each $W/f.NAME (followed) equals $W/r.NAME (read after)
same() {
	for n in "$@"; do
		cmp -s "$W/f.$n" "$W/r.$n" || fail "$what: f.$n and r.$n differ"
	done
}
# reread [OPTS...]: the finished recording read again into $W/r.*
reread() {
	FLAMEGRAPH_FOLLOW=0 "$FG" --perfdata "$data" --folded-output "$W/r.folded" \
	    -o "$W/r.svg" "$@" >"$W/out2" 2>"$W/err2" || {
		cat "$W/err2" >&2; fail "$what: reading the recording again"; }
}

# DWARF, the default, twice: the second run finds the first one's perf.data
for run in 1 2; do
	what="cargo flamegraph, run $run"
	"$CFG" flamegraph -v --folded-output "$W/f.folded" -o "$W/f.svg" \
	    --speedscope-output "$W/f.json" --pprof-output "$W/f.pb.gz" \
	    -- 600 >"$OUT" 2>"$ERR"
	expect_status 0 $? "$what"
	grep_err 'the recording was read while perf wrote it'
	has_frame "$W/f.svg" dwarfwork::deep
	reread --speedscope-output "$W/r.json" --pprof-output "$W/r.pb.gz"
	same folded svg json pb.gz
	[ -s "$data.old" ] || [ $run = 1 ] || fail "$what: no perf.data.old"
done
exe=$W/target/release/dwarfwork
[ -x "$exe" ] || fail "no $exe"

# frame pointers (a frame-pointer build) and --per-thread
what="flamegraph --call-graph fp --per-thread"
RUSTFLAGS="-g -C force-frame-pointers=yes" CARGO_TARGET_DIR="$W/fp-target" \
    cargo build --release --offline -q || fail "frame-pointer build"
cd "$W"
"$FG" -v --call-graph fp --per-thread --folded-output "$W/f.folded" \
    -o "$W/f.svg" -- "$W/fp-target/release/dwarfwork" 600 >"$OUT" 2>"$ERR"
expect_status 0 $? "$what"
grep_err 'the recording was read while perf wrote it'
data=$W/perf.data
reread --per-thread
same folded svg

# a program that fails: the graph is written, the status is the program's
what="a failing program"
rm -f "$W"/f.* "$W"/r.*
cat >"$W/fails.sh" <<'SH'
#!/bin/sh
i=0
while [ $i -lt 300000 ]; do i=$((i + 1)); done
exit 3
SH
chmod +x "$W/fails.sh"
"$FG" -v --folded-output "$W/f.folded" -o "$W/f.svg" -- "$W/fails.sh" \
    >"$OUT" 2>"$ERR"
expect_status 3 $? "$what"
grep_err 'the recording was read while perf wrote it'
reread
same folded svg

# in_background MS: flamegraph -v on the program for MS ms, in the
# background ($pid), once perf has begun writing $data
in_background() {
	rm -f "$data" "$W"/f.* "$W"/r.*
	"$FG" -v --folded-output "$W/f.folded" -o "$W/f.svg" -- "$exe" "$1" \
	    >"$OUT" 2>"$ERR" &
	pid=$!
	i=0
	while [ ! -s "$data" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
}

# Ctrl-C while recording: perf ends the program, the graph is drawn
what="Ctrl-C while recording"
in_background 60000
sleep 1
kill -INT $pid
wait $pid
expect_status 130 $? "$what"
grep_err 'the recording was read while perf wrote it'
reread
same folded svg

# perf killed: no final header, the recording is read after perf ended,
# as a whole, with the finished file's warning
what="perf killed"
in_background 30000
# until perf has written samples (2 MB of stack copies; 60 s at most)
i=0
while [ "$(stat -c %s "$data" 2>/dev/null || echo 0)" -lt 2000000 ] &&
    [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
perf_pid=$(pgrep -P $pid perf) || fail "$what: perf not found"
kill -KILL "$perf_pid"
wait $pid
pkill -f "$exe 30000"	# the program, left running by perf
grep_err 'the recording was read after perf ended'
grep_err 'the recording was not finished'
reread
grep -qF 'the recording was not finished' "$W/err2" || fail "$what: no warning read alone"
same folded svg

# perf fails to start recording: no graph, the old one kept, no hang
what="perf fails"
cp "$W/f.svg" "$W/old.svg"
rm -f "$data"
"$FG" -c "record --no-such-option" -o "$W/f.svg" -- "$exe" 100 >"$OUT" 2>"$ERR"
st=$?
[ $st -ne 0 ] || fail "$what: exit status 0"
cmp -s "$W/f.svg" "$W/old.svg" || fail "$what: the old graph changed"
echo "ok: followed recordings draw what the finished ones do"
