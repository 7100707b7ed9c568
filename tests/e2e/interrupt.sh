#!/bin/sh
# interrupt: SIGINT to cargo-flamegraph in the middle of a long run stops
# the workload (perf gets SIGINT and ends it) and the graph of what was
# recorded is still written; the tool exits 130.  Then SIGINT while
# processing (a slow --post-process command) leaves the old graph and the
# recording as they were.
# requires: cargo perf
# labels: e2e threads
. "$(dirname "$0")/lib.sh"
setup interrupt demo
cd "$W/crate"
# The workload would run 120 s: stopping well before that is the check
# (a hang guard of 90 s, not a speed limit: idle, it stops in ~1 s).
"$CFG" flamegraph -- loop 120 >"$OUT" 2>"$ERR" &
pid=$!
# wait until perf is recording, then let it record a little
i=0
while [ ! -s "$W/target/flamegraph/perf.data" ] && [ $i -lt 600 ]; do
	sleep 0.1; i=$((i + 1))
done
sleep 0.6
start=$(date +%s)
kill -INT $pid
wait $pid
st=$?
[ $(( $(date +%s) - start )) -lt 90 ] || fail "did not stop before the workload's end"
expect_status 130 $st "interrupted run"
has_frame flamegraph.svg demo::heavy
grep_err 'interrupted'
# this test's own workload (other tests run a demo of their own)
pgrep -f "/interrupt/target/release/demo loop 120" >/dev/null && fail "the workload survived"
# Ctrl-C while processing: the old graph stays byte for byte
cp flamegraph.svg "$W/before.svg"
cat >"$W/slow.sh" <<'SH'
#!/bin/sh
exec sleep 30
SH
chmod +x "$W/slow.sh"
"$FG" --perfdata "$W/target/flamegraph/perf.data" --post-process "$W/slow.sh" >"$OUT" 2>"$ERR" &
pid=$!
sleep 1
kill -INT $pid
wait $pid
expect_status 130 $? "interrupted processing"
cmp -s flamegraph.svg "$W/before.svg" || fail "the old graph changed"
[ -s "$W/target/flamegraph/perf.data" ] || fail "the recording is gone"
ls -a | grep -q '^\.flamegraph\.svg\.' && fail "a temporary file was left"
# SIGTERM while processing: the same, exit status 143 (128 + 15)
"$FG" --perfdata "$W/target/flamegraph/perf.data" --post-process "$W/slow.sh" >"$OUT" 2>"$ERR" &
pid=$!
sleep 1
kill -TERM $pid
wait $pid
expect_status 143 $? "SIGTERM while processing"
cmp -s flamegraph.svg "$W/before.svg" || fail "the old graph changed (SIGTERM)"
# SIGHUP while recording a command: perf stops it, the graph is drawn,
# exit status 129
rm -f perf.data
"$FG" -o "$W/hup.svg" -- "$W/target/release/demo" loop 30 >"$OUT" 2>"$ERR" &
pid=$!
i=0
while [ ! -s perf.data ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
sleep 0.6
kill -HUP $pid
wait $pid
expect_status 129 $? "SIGHUP while recording"
has_frame "$W/hup.svg" demo::heavy
echo ok
