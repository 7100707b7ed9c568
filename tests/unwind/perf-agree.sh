#!/bin/sh
# perf-agree.sh: record a workload with real `perf record --call-graph
# dwarf`, then check that lib/unwind.c unwinds its samples' stack copies
# into the same chains `perf script` prints (at least 98% of samples).
# The stack copy is perf's default 8 KiB, so the deepest stacks are cut
# off and must end where perf ends them.
#   perf-agree.sh UNWIND_PERF_AGREE NAME              the dwarfwork crate
#   perf-agree.sh UNWIND_PERF_AGREE NAME CMD [ARG...]  another workload
set -eu
prog=$1
name=$2
shift 2
build=${FG_BUILD_DIR:?}
src=${FG_SOURCE_DIR:?}
work=$build/unwind-test/$name
mkdir -p "$work"

command -v perf >/dev/null 2>&1 || { echo "skipped: perf not installed"; exit 77; }
if [ $# -eq 0 ]; then
	command -v cargo >/dev/null 2>&1 || { echo "skipped: cargo not installed"; exit 77; }
	cargo build --offline --release --quiet \
		--manifest-path "$src/tests/crates/dwarfwork/Cargo.toml" \
		--target-dir "$build/unwind-test/target"
	set -- "$build/unwind-test/target/release/dwarfwork" 600
fi
if ! perf record -q -F 4000 --call-graph dwarf -o "$work/perf.data" \
	-- "$@" >"$work/record.log" 2>&1; then
	cat "$work/record.log"
	if grep -qi "permission\|paranoid\|not supported" "$work/record.log"; then
		echo "skipped: perf may not record here"; exit 77
	fi
	exit 1
fi
perf script -i "$work/perf.data" -F tid,time,ip,sym --no-inline --ns \
	>"$work/perf-script.txt" 2>"$work/script.log"
"$prog" "$work/perf.data" "$work/perf-script.txt" 98 3
