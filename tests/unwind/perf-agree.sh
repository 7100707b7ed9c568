#!/bin/sh
# perf-agree.sh: record the dwarfwork crate with real
# `perf record --call-graph dwarf`, then check that lib/unwind.c unwinds
# its samples' stack copies into the same chains `perf script` prints
# (at least 98% of samples).  The stack copy is perf's default 8 KiB, so
# the deepest recursions are cut off and must end where perf ends them.
# Usage: perf-agree.sh UNWIND_PERF_AGREE
set -eu
prog=$1
build=${FG_BUILD_DIR:?}
src=${FG_SOURCE_DIR:?}
work=$build/unwind-test
mkdir -p "$work"

for t in perf cargo; do
	command -v $t >/dev/null 2>&1 || { echo "skipped: $t not installed"; exit 77; }
done
cargo build --offline --release --quiet \
	--manifest-path "$src/tests/crates/dwarfwork/Cargo.toml" \
	--target-dir "$work/target"
if ! perf record -q -F 4000 --call-graph dwarf -o "$work/perf.data" \
	-- "$work/target/release/dwarfwork" 600 >"$work/record.log" 2>&1; then
	cat "$work/record.log"
	if grep -qi "permission\|paranoid\|not supported" "$work/record.log"; then
		echo "skipped: perf may not record here"; exit 77
	fi
	exit 1
fi
perf script -i "$work/perf.data" -F tid,time,ip,sym --no-inline --ns \
	>"$work/perf-script.txt" 2>"$work/script.log"
"$prog" "$work/perf.data" "$work/perf-script.txt" 98 3
