#!/bin/sh
# call-graph-fp: `cargo flamegraph --call-graph fp` rebuilds with
# -C force-frame-pointers=yes in TARGET/flamegraph-fp (the normal build's
# executable is left as it was), merges the flag into the rustflags cargo
# would use (.cargo/config.toml, or RUSTFLAGS, which makes cargo drop the
# config's), records `perf record --call-graph fp`, and draws the
# recording with the native reader: named frames and inline frames.
# requires: cargo perf
# labels: e2e
. "$(dirname "$0")/lib.sh"
setup call-graph-fp demo
cd "$W/crate"
mkdir -p .cargo
printf '[build]\nrustflags = ["--cfg", "fg_from_config"]\n' >.cargo/config.toml
cargo build --release -q 2>"$ERR" || { cat "$ERR"; fail "cargo build"; }
exe=$W/target/release/demo
before=$(stat -c %y "$exe")
"$CFG" flamegraph -vv --call-graph fp -o "$W/fp.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "cargo flamegraph --call-graph fp"
[ "$(stat -c %y "$exe")" = "$before" ] || fail "the normal build's executable was rebuilt"
[ -x "$W/target/flamegraph-fp/release/demo" ] || fail "no build in target/flamegraph-fp"
[ -s "$W/target/flamegraph/perf.data" ] || fail "no target/flamegraph/perf.data"
grep_record "perf record -F 997 --call-graph fp -o $W/target/flamegraph/perf.data -- $W/target/flamegraph-fp/release/demo"
grep_err 'native perf.data reader (frame-pointer call chains)'
# cargo -v shows rustc's command line: the config's flags and ours
rustc_line=$(grep -- '--crate-name demo' "$ERR")
case $rustc_line in *'--cfg fg_from_config'*'-C force-frame-pointers=yes'*) ;;
*) fail "rustflags not merged: $rustc_line" ;; esac
has_frame "$W/fp.svg" demo::heavy
has_frame "$W/fp.svg" demo::light
has_frame "$W/fp.svg" main
frames "$W/fp.svg" | grep -q 'core::iter::range::' || fail "no inline frames (Range::next in demo::mix)"
h=$(weight "$W/fp.svg" demo::heavy); l=$(weight "$W/fp.svg" demo::light)
ratio_at_least "$h" "$l" 150
# RUSTFLAGS replaces the config's rustflags for cargo; ours are added to it
RUSTFLAGS='--cfg fg_from_env' "$CFG" flamegraph -vv --call-graph fp -o "$W/env.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "RUSTFLAGS=... cargo flamegraph --call-graph fp"
rustc_line=$(grep -- '--crate-name demo' "$ERR")
case $rustc_line in *'--cfg fg_from_config'*) fail "config rustflags used with RUSTFLAGS set" ;; esac
case $rustc_line in *'--cfg fg_from_env'*'-C force-frame-pointers=yes'*) ;;
*) fail "RUSTFLAGS not merged: $rustc_line" ;; esac
grep_err 'added to the rustflags of RUSTFLAGS'
has_frame "$W/env.svg" demo::heavy
[ "$(stat -c %y "$exe")" = "$before" ] || fail "the normal build's executable was rebuilt"
echo "ok: heavy $h light $l"
