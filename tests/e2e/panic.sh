#!/bin/sh
# panic: a program that panics still gets its graph, and the tool exits
# with the program's status (101); --ignore-status exits 0.
# requires: cargo perf
# labels: e2e
. "$(dirname "$0")/lib.sh"
setup panic demo
cd "$W/crate"
"$CFG" flamegraph -- panic >"$OUT" 2>"$ERR"
expect_status 101 $? "panicking program"
grep_err 'panicking on purpose'
grep_err 'exit status 101'
has_frame flamegraph.svg demo::heavy
rm flamegraph.svg
"$CFG" flamegraph --ignore-status -- panic >"$OUT" 2>"$ERR"
expect_status 0 $? "--ignore-status"
has_frame flamegraph.svg demo::heavy
echo ok
