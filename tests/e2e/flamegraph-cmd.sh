#!/bin/sh
# flamegraph-cmd: `flamegraph -- CMD ARGS` on a command found in PATH,
# writing flamegraph.svg in the current directory; --no-inline and the
# renderer flags pass through; -F changes the sample count.
# requires: cargo perf
# labels: e2e
. "$(dirname "$0")/lib.sh"
setup flamegraph-cmd demo
cd "$W/crate"
cargo build --release -q 2>"$ERR" || fail "cargo build"
mkdir -p "$W/bin" "$W/run"
cp "$W/target/release/demo" "$W/bin/demo"
cd "$W/run"
PATH=$W/bin:$PATH "$FG" --title "demo run" --no-inline -- demo >"$OUT" 2>"$ERR"
expect_status 0 $? "flamegraph -- demo"
has_frame flamegraph.svg demo::heavy
grep -q 'demo run' flamegraph.svg || fail "--title did not reach the renderer"
[ -s perf.data ] || fail "no perf.data in the current directory"
# -c replaces the record arguments; -o and the command are still added
PATH=$W/bin:$PATH "$FG" -v -c 'record -F 499 --call-graph dwarf,16384' -o "$W/c.svg" -- demo >"$OUT" 2>"$ERR"
expect_status 0 $? "flamegraph -c"
grep_err "perf record -F 499 --call-graph dwarf,16384 -o perf.data -- $W/bin/demo"
has_frame "$W/c.svg" demo::heavy
"$FG" -o "$W/nf.svg" -- "$W/no-such-program" >"$OUT" 2>"$ERR"
expect_status 127 $? "missing command"
grep_err 'command not found'
echo ok
