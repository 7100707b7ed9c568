#!/bin/sh
# measure-call-graph.sh: the measurement behind docs/internals/recording.md
# (a benchmark run by hand, not a test).  For each call-graph mode (and
# fp-rebuilt: fp on a -C force-frame-pointers=yes build, what `cargo
# flamegraph --call-graph fp` makes), record the test programs with perf and report the perf.data size per sample,
# the time `perf script` takes, and the share of the sample weight whose
# stack is complete (reaches `main` or a thread start).
# Usage: measure-call-graph.sh [WORKDIR]; FG_COLLAPSE names the collapser.
set -eu
src=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:-/tmp/fg-measure}
collapse=${FG_COLLAPSE:-$src/build/flamegraph-collapse-perf}
mkdir -p "$work"
for crate in demo dwarfwork; do
	rm -rf "${work:?}/$crate"
	cp -r "$src/tests/crates/$crate" "$work/$crate"
	(cd "$work/$crate" && CARGO_PROFILE_RELEASE_DEBUG=true \
	    CARGO_TARGET_DIR="$work/target" cargo build --release -q)
	# what `cargo flamegraph --call-graph fp` builds
	(cd "$work/$crate" && CARGO_PROFILE_RELEASE_DEBUG=true \
	    RUSTFLAGS='-C force-frame-pointers=yes' \
	    CARGO_TARGET_DIR="$work/target-fp" cargo build --release -q)
done
printf '%-18s %-12s %7s %8s %9s %8s %9s\n' program mode samples size_MB KB/sample script_s complete%
for prog in "demo" "demo deep 30" "demo deep 100" "demo deep 200" "dwarfwork 600"; do
	args=${prog#* }
	[ "$args" = "$prog" ] && args=
	for mode in fp fp-rebuilt dwarf,4096 dwarf,8192 dwarf,16384 dwarf,32768 dwarf,65528; do
		data=$work/p.data
		exe=$work/target/release/${prog%% *}
		cg=$mode
		if [ "$mode" = fp-rebuilt ]; then
			exe=$work/target-fp/release/${prog%% *}
			cg=fp
		fi
		# shellcheck disable=SC2086
		perf record -q -F 997 --call-graph "$cg" -o "$data" -- "$exe" $args >/dev/null 2>&1
		size=$(stat -c %s "$data")
		t0=$(date +%s.%N)
		perf script -i "$data" 2>/dev/null > "$work/p.txt"
		t1=$(date +%s.%N)
		"$collapse" "$work/p.txt" > "$work/f.folded"
		nsamp=$(grep -c '^[^[:space:]]' "$work/p.txt" || true)
		awk -v mode="$mode" -v prog="$prog" -v size="$size" -v ns="$nsamp" \
		    -v t="$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" '
			{ w = $NF; tot += w
			  if ($0 ~ /(^|;)(main|start_thread)(;|$)/) ok += w }
			END { printf "%-18s %-12s %7d %8.2f %9.1f %8.2f %8.1f%%\n", prog, mode, ns,
			      size / 1048576, size / 1024 / (ns ? ns : 1), t, tot ? 100 * ok / tot : 0 }' "$work/f.folded"
	done
done
