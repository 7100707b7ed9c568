#!/bin/sh
# speedscope: --speedscope-output on a real recording of a multi-threaded
# Rust program (fpwork).  The file's samples, added up by stack, are the
# --folded-output of the same run, and its thread profiles hold what the
# --tid folded stacks give each thread; the same through the perf-script
# path; after --post-process (no sample log) one profile of the folded
# stacks, still in nanoseconds.  Asking for it changes neither the
# folded output nor the SVG.
# requires: cargo perf
# labels: e2e threads
. "$(dirname "$0")/lib.sh"
BIN=$(dirname "$FG")
check() { python3 "$SRC/tests/speedscope/check.py" "$@" || fail "check.py $*"; }
setup speedscope fpwork
cd "$W/crate"
"$CFG" flamegraph --bin fpwork --call-graph fp --folded-output "$W/native.folded" \
    --speedscope-output "$W/native.json" -o "$W/native.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "cargo flamegraph --speedscope-output"
grep_err "$W/native.json"
data=$W/target/flamegraph/perf.data
"$BIN/flamegraph-collapse-perfdata" -q --tid "$data" >"$W/native.tid" ||
	fail "flamegraph-collapse-perfdata --tid"
check "$W/native.json" "$W/native.folded" --tid-folded "$W/native.tid" \
    --unit nanoseconds --min-profiles 2 --name-has fpwork::main
grep -q '"name":"fpwork (tid [0-9]*)"' "$W/native.json" || fail "no thread named fpwork (tid N)"
# the perf-script path keeps the same samples
"$FG" --perfdata "$data" --perf-script --folded-output "$W/script.folded" \
    --speedscope-output "$W/script.json" -o "$W/script.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "flamegraph --perfdata --perf-script --speedscope-output"
check "$W/script.json" "$W/script.folded" --unit nanoseconds --min-profiles 2
# post-processed stacks have no sample log: one profile, the folded order
"$FG" --perfdata "$data" --post-process "sed s/fpwork::/fp::/" \
    --folded-output "$W/pp.folded" --speedscope-output "$W/pp.json" \
    -o "$W/pp.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "flamegraph --post-process --speedscope-output"
check "$W/pp.json" "$W/pp.folded" --unit nanoseconds --name-has fp::main
grep -q '"name":"all samples"' "$W/pp.json" || fail "post-processed: not one profile"
# without it: the same folded stacks and the same SVG
"$FG" --perfdata "$data" --folded-output "$W/a.folded" -o "$W/a.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "flamegraph --perfdata"
"$FG" --perfdata "$data" --folded-output "$W/b.folded" --speedscope-output "$W/b.json" \
    -o "$W/b.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "flamegraph --perfdata --speedscope-output"
cmp -s "$W/a.folded" "$W/b.folded" || fail "--speedscope-output changed the folded stacks"
cmp -s "$W/a.svg" "$W/b.svg" || fail "--speedscope-output changed the SVG"
cmp -s "$W/a.folded" "$W/native.folded" || fail "the recording read twice differs"
# an unwritable path fails the run and leaves no graph behind
rm -f "$W/c.svg"
"$FG" --perfdata "$data" --speedscope-output "$W/no/such/dir/c.json" -o "$W/c.svg" \
    >"$OUT" 2>"$ERR"
expect_status 1 $? "flamegraph --speedscope-output into a missing directory"
grep_err "$W/no/such/dir/c.json"
[ ! -e "$W/c.svg" ] || fail "an SVG was written although the speedscope file failed"
echo "ok: speedscope"
