#!/bin/sh
# unit-bench: `cargo flamegraph --unit-bench NAME` builds the lib's bench
# harness with `cargo bench --no-run --lib` (the bench profile, its debug
# override) and runs it with --bench, so the #[bench] functions run and are
# profiled.  #[bench] needs nightly features: RUSTC_BOOTSTRAP=1 and
# --cfg fg_bench turn on tool2's unit bench.
# requires: cargo perf
# labels: e2e
. "$(dirname "$0")/lib.sh"
setup unit-bench workspace
cd "$W/crate"
RUSTC_BOOTSTRAP=1 RUSTFLAGS='--cfg fg_bench' "$CFG" flamegraph -v --unit-bench tool2 \
    --unit-test-kind lib -o "$W/ub.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "cargo flamegraph --unit-bench tool2"
grep_err 'cargo bench --no-run --message-format=json-render-diagnostics -p tool2 --lib'
grep_err '`bench` profile'
grep_err 'CARGO_PROFILE_BENCH_DEBUG='
grep -q "deps/tool2-[0-9a-f]* --bench\$" "$ERR" || { cat "$ERR"; fail "the harness was not run with --bench"; }
grep -q 'unit_bench_spin .*bench:' "$OUT" || { cat "$OUT"; fail "the unit bench did not run"; }
has_frame "$W/ub.svg" tool2::tool2_spin
has_frame "$W/ub.svg" tool2::benches::unit_bench_spin
echo ok
