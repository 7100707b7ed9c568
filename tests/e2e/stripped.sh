#!/bin/sh
# stripped: a manifest with debug = false and strip = "symbols" still gives
# named frames, because the tool overrides both for the profile it builds
# (here a custom profile inheriting release, to check the name mapping).
# requires: cargo perf
# labels: e2e
. "$(dirname "$0")/lib.sh"
setup stripped demo
cat >>"$W/crate/Cargo.toml" <<'TOML'

[profile.release]
debug = false
strip = "symbols"

[profile.fast-ship]
inherits = "release"
debug = false
strip = "symbols"
TOML
cd "$W/crate"
"$CFG" flamegraph -o "$W/rel.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "release profile"
has_frame "$W/rel.svg" demo::heavy
grep -q 'has no' "$ERR" && fail "a debug-info warning for a fixed build"
"$CFG" flamegraph --profile fast-ship -o "$W/custom.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "custom profile"
grep_err 'CARGO_PROFILE_FAST_SHIP_DEBUG='
grep_err 'CARGO_PROFILE_FAST_SHIP_STRIP='
has_frame "$W/custom.svg" demo::heavy
has_frame "$W/custom.svg" demo::light
echo ok
