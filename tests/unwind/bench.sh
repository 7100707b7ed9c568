#!/bin/sh
# bench.sh: speed of lib/unwind.c against perf's own DWARF unwinding, on a
# longer recording of tests/crates/dwarfwork (a benchmark, run by hand):
#   tests/unwind/bench.sh BUILD_DIR [MILLISECONDS [FREQ]]
# Prints the unwinder's cold and cached frames/s, the time of
# `perf script -F ip --no-inline` (perf unwinds with libunwind, no symbol
# names asked) and the ratio.
set -eu
build=$(cd "${1:?usage: bench.sh BUILD_DIR [MS [FREQ]]}" && pwd)
ms=${2:-4000}
freq=${3:-2000}
src=$(cd "$(dirname "$0")/../.." && pwd)
work=$build/unwind-bench
mkdir -p "$work"
cargo build --offline --release --quiet \
	--manifest-path "$src/tests/crates/dwarfwork/Cargo.toml" \
	--target-dir "$build/unwind-test/target"
perf record -q -F "$freq" --call-graph dwarf -o "$work/perf.data" \
	-- "$build/unwind-test/target/release/dwarfwork" "$ms" >/dev/null 2>&1
ls -l "$work/perf.data"
perf script -i "$work/perf.data" -F tid,time,ip,sym --no-inline --ns \
	>"$work/perf-script.txt" 2>/dev/null
"$build/tests/unwind_perf_agree" "$work/perf.data" "$work/perf-script.txt" 0 5
best=
for i in 1 2 3; do
	t0=$(date +%s.%N)
	perf script -i "$work/perf.data" -F ip --no-inline >/dev/null 2>&1
	t1=$(date +%s.%N)
	t=$(echo "$t1 - $t0" | bc)
	if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
done
echo "perf script -F ip --no-inline (best of 3): $best s"
