#!/bin/sh
# single: `cargo flamegraph` in a single-binary crate writes
# flamegraph.svg in the crate root, recording under target/flamegraph/,
# with demo::heavy about twice as wide as demo::light; the overrides are
# announced once; --folded-output agrees with the SVG.
# requires: cargo perf
# labels: e2e
. "$(dirname "$0")/lib.sh"
setup single demo
cd "$W/crate"
"$CFG" flamegraph --folded-output "$W/stacks.folded" >"$OUT" 2>"$ERR"
expect_status 0 $? "cargo flamegraph"
svg=$W/crate/flamegraph.svg
[ -s "$svg" ] || fail "no flamegraph.svg in the crate root"
[ -s "$W/target/flamegraph/perf.data" ] || fail "no target/flamegraph/perf.data"
[ ! -e "$W/crate/perf.data" ] || fail "perf.data written into the source tree"
grep -q 'demo: ' "$OUT" || fail "the program's stdout was not passed on"
has_frame "$svg" demo::heavy
has_frame "$svg" demo::light
has_frame "$svg" main
# inline frames (perf script resolves them from the DWARF the overrides keep)
frames "$svg" | grep -q 'core::iter::range::' || fail "no inline frames (Range::next in demo::mix)"
h=$(weight "$svg" demo::heavy); l=$(weight "$svg" demo::light)
ratio_at_least "$h" "$l" 150
ratio_at_least $(( l * 3 )) "$h" 100
n=$(grep -c 'built profile .release. with CARGO_PROFILE_RELEASE_DEBUG=[^ ]* CARGO_PROFILE_RELEASE_STRIP=' "$ERR")
[ "$n" -eq 1 ] || fail "the overrides were announced $n times"
grep -q 'Profiling' "$ERR" || fail "no Profiling status line"
grep -q "$(printf '\033')" "$ERR" && fail "colour on a non-terminal"
fh=$(folded_weight "$W/stacks.folded" ';demo::heavy')
[ "$fh" -eq "$h" ] || fail "folded heavy weight $fh != svg $h"
echo "ok: heavy $h light $l"
