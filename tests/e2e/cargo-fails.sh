#!/bin/sh
# cargo-fails: a build error reaches the user as cargo renders it, the tool
# exits with cargo's status (101), and an existing graph is left alone.
# requires: cargo perf
# labels: e2e
. "$(dirname "$0")/lib.sh"
setup cargo-fails demo
cd "$W/crate"
echo 'old graph' >flamegraph.svg
echo 'fn broken( {' >>src/main.rs
"$CFG" flamegraph >"$OUT" 2>"$ERR"
expect_status 101 $? "build failure"
grep_err 'error: '
grep_err 'src/main.rs:'
grep_err 'failed (exit status 101)'
[ "$(cat flamegraph.svg)" = "old graph" ] || fail "the old graph was replaced"
grep -q '"reason"' "$ERR" "$OUT" && fail "cargo's JSON leaked to the user"
echo ok
