#!/bin/sh
# bench-perfdata.sh [BUILD_DIR] [MS]: record tests/crates/fpwork (frame
# pointers, perf record --call-graph fp -F 10000, MS milliseconds, default
# 2500: >= 30,000 samples) and, in the same run, time
#   - `perf script -i FILE > /dev/null` (the baseline),
#   - the native path perf.data -> folded (inline frames on), and
#   - the native path perf.data -> folded -> SVG (flamegraph-render),
# each best of 3, and print the ratios (target: native >= 20 x faster
# than perf script alone, while producing inline frames).  Run by hand,
# as root.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
ms=${2:-2500}
native=$build/flamegraph-collapse-perfdata
render=$build/flamegraph-render
tmp=${TMPDIR:-/tmp}/bench-perfdata.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
[ -x "$native" ] || { echo "no $native (build first)"; exit 1; }

cp -R "$top/tests/crates/fpwork" "$tmp/src"
CARGO_TARGET_DIR="$tmp/target" RUSTFLAGS="-C force-frame-pointers=yes" \
	cargo build --offline --release -q --manifest-path "$tmp/src/Cargo.toml"
perf record -q -o "$tmp/fp.data" --call-graph fp -F 10000 \
	"$tmp/target/release/fpwork" "$ms" > /dev/null
nsamples=$(perf script -i "$tmp/fp.data" -F period 2>/dev/null | wc -l)
echo "recording: $nsamples samples, $(stat -c %s "$tmp/fp.data") bytes"

now() { date +%s.%N; }
best() {	# best wall time of 3 runs of "$@"
	b=
	for i in 1 2 3; do
		t0=$(now); "$@" > /dev/null 2>&1; t1=$(now)
		b=$(awk -v a="$t0" -v c="$t1" -v b="$b" 'BEGIN { t = c - a; if (b == "" || t < b) b = t; print b }')
	done
	echo "$b"
}
to_svg() { "$native" -q "$1" > "$tmp/n.folded" && "$render" "$tmp/n.folded" > "$tmp/n.svg"; }

cat "$tmp/fp.data" > /dev/null
tp=$(best perf script -i "$tmp/fp.data")
tn=$(best "$native" -q "$tmp/fp.data")
tni=$(best "$native" -q --no-inline "$tmp/fp.data")
ts=
[ -x "$render" ] && ts=$(best to_svg "$tmp/fp.data")
"$native" -q "$tmp/fp.data" > "$tmp/inl.folded"
"$native" -q --no-inline "$tmp/fp.data" > "$tmp/noinl.folded"
echo "frames per stack (inline vs no-inline): $(awk '{ n += gsub(/;/, ";") } END { printf "%.1f", n / NR }' "$tmp/inl.folded") vs $(awk '{ n += gsub(/;/, ";") } END { printf "%.1f", n / NR }' "$tmp/noinl.folded")"
awk -v p="$tp" -v n="$tn" -v ni="$tni" -v s="$ts" 'BEGIN {
	printf "perf script > /dev/null:        %.3f s\n", p
	printf "native -> folded (inline):      %.3f s  (%.1f x faster)\n", n, p / n
	printf "native -> folded (--no-inline): %.3f s  (%.1f x faster)\n", ni, p / ni
	if (s != "")
		printf "native -> folded -> SVG:        %.3f s  (%.1f x faster)\n", s, p / s
	printf "target: >= 20 x faster than perf script\n"
}'
