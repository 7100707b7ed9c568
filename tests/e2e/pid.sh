#!/bin/sh
# pid: `flamegraph --pid PID` attaches to a running program, records until
# SIGINT, and draws it.
# requires: cargo perf
# labels: e2e
. "$(dirname "$0")/lib.sh"
setup pid demo
cd "$W/crate"
cargo build --release -q 2>"$ERR" || fail "cargo build"
"$W/target/release/demo" loop 100 >/dev/null &
wpid=$!
sleep 0.3
"$FG" --pid $wpid -o "$W/pid.svg" >"$OUT" 2>"$ERR" &
fpid=$!
i=0
# wait (60 s at most) until perf is recording, then let it record a little
while [ ! -s perf.data ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
sleep 1.5
kill -INT $fpid
wait $fpid
st=$?
kill $wpid 2>/dev/null
wait $wpid 2>/dev/null
expect_status 0 $st "flamegraph --pid"
has_frame "$W/pid.svg" demo::heavy
has_frame "$W/pid.svg" demo::light
echo ok
