#!/bin/sh
# post-process: --post-process CMD gets the folded stacks on stdin and its
# stdout becomes the graph's input; --skip-after trims the stacks; both
# reflected in --folded-output.
# requires: cargo perf
# labels: e2e threads
. "$(dirname "$0")/lib.sh"
setup post-process demo
cd "$W/crate"
"$CFG" flamegraph -o "$W/a.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "record"
data=$W/target/flamegraph/perf.data
"$FG" --perfdata "$data" --post-process "grep -v demo::light" \
    --folded-output "$W/pp.folded" -o "$W/pp.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "--post-process"
has_frame "$W/pp.svg" demo::heavy
[ "$(weight "$W/pp.svg" demo::light)" -eq 0 ] || fail "post-process ignored"
grep -q 'demo::light' "$W/pp.folded" && fail "folded output not post-processed"
"$FG" --perfdata "$data" --skip-after demo::round --folded-output "$W/skip.folded" \
    -o "$W/skip.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "--skip-after"
grep -q '^demo::round;demo::heavy' "$W/skip.folded" || { head -3 "$W/skip.folded" >&2; fail "--skip-after did not trim"; }
"$FG" --perfdata "$data" --post-process "false" -o "$W/f.svg" >"$OUT" 2>"$ERR"
expect_status 1 $? "failing post-process"
[ ! -e "$W/f.svg" ] || fail "graph written after a failed post-process"
echo ok
