#!/bin/sh
# workspace-targets: --example, --test, --bench (run with --bench), and
# --unit-test of a lib, each building the right way (cargo build, cargo
# test --no-run, cargo bench --no-run) and profiling the right executable.
# requires: cargo perf
# labels: e2e
. "$(dirname "$0")/lib.sh"
setup workspace-targets workspace
cd "$W/crate"
check() {	# check ARGS... -- FRAME
	frame=$1; shift
	"$CFG" flamegraph "$@" -o "$W/t.svg" >"$OUT" 2>"$ERR"
	expect_status 0 $? "$*"
	has_frame "$W/t.svg" "$frame"
}
check ex::example_work --example ex
check it::it_spins --test it
grep -q 'test it_spins ... ok' "$OUT" || fail "the integration test did not run"
check bb::bench_work --bench bb
grep -q 'bench mode: true' "$OUT" || fail "--bench not passed to a bench target"
grep -q '`bench` profile' "$ERR" || fail "bench target not built with the bench profile"
grep -qF 'CARGO_PROFILE_BENCH_DEBUG=' "$ERR" || fail "bench profile not overridden"
check tool2::tool2_spin --unit-test tool2 --unit-test-kind lib
grep -q 'unit_spins ... ok' "$OUT" || fail "the unit test did not run"
# the dev profile on request, with its own override
check tool2::tool2_spin -p tool2 --bin tool2 --dev
grep -q 'built profile .dev.' "$ERR" && fail "the dev profile keeps symbols: nothing to override"
# --target combines with --bin (a flamegraph-rs bug)
host=$(rustc -vV | sed -n 's/^host: //p')
check helper::helper_work --bin helper --target "$host"
[ -d "$W/target/$host/release" ] || fail "--target did not reach cargo"
echo ok
