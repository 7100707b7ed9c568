#!/bin/sh
# bench-perfdata.sh [BUILD_DIR] [MS]: record tests/crates/fpwork (frame
# pointers, perf record --call-graph fp -F 20000, MS milliseconds, default
# 6000: >= 30,000 samples on 2 cores) and, in the same run, time
#   - `perf script -i FILE > /dev/null` (the baseline),
#   - the native path perf.data -> folded (inline frames on), and
#   - the native path perf.data -> folded -> SVG (flamegraph-render),
# each best of 3 in wall and CPU time, and print the ratios (target:
# native >= 20 x faster than perf script alone, while producing inline
# frames).  Run by hand, as root.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
ms=${2:-6000}
native=$build/flamegraph-collapse-perfdata
render=$build/flamegraph-render
tmp=${TMPDIR:-/tmp}/bench-perfdata.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
[ -x "$native" ] || { echo "no $native (build first)"; exit 1; }

cp -R "$top/tests/crates/fpwork" "$tmp/src"
CARGO_TARGET_DIR="$tmp/target" RUSTFLAGS="-C force-frame-pointers=yes" \
	cargo build --offline --release -q --manifest-path "$tmp/src/Cargo.toml"
perf record -q -o "$tmp/fp.data" --call-graph fp -F 20000 \
	"$tmp/target/release/fpwork" "$ms" > /dev/null
nsamples=$(perf script -i "$tmp/fp.data" -F period 2>/dev/null | wc -l)
echo "recording: $nsamples samples, $(stat -c %s "$tmp/fp.data") bytes"

# best of 3 of "$@": "wall cpu" seconds (cpu = user + system, which a
# loaded machine disturbs less than the wall time)
best() {
	b=
	for i in 1 2 3; do
		/usr/bin/time -f '%e %U %S' -o "$tmp/t" "$@" > /dev/null 2>&1
		b=$(awk -v b="$b" '{ w = $1; c = $2 + $3 } END {
			if (b == "") { print w, c; exit }
			split(b, o, " ")
			printf "%s %s\n", (w < o[1] ? w : o[1]), (c < o[2] ? c : o[2]) }' "$tmp/t")
	done
	echo "$b"
}

cat "$tmp/fp.data" > /dev/null
tp=$(best perf script -i "$tmp/fp.data")
tn=$(best "$native" -q "$tmp/fp.data")
tni=$(best "$native" -q --no-inline "$tmp/fp.data")
ts=
if [ -x "$render" ]; then
	ts=$(best sh -c '"$0" -q "$2" > "$3/n.folded" && "$1" "$3/n.folded" > "$3/n.svg"' "$native" "$render" "$tmp/fp.data" "$tmp")
fi
"$native" -q "$tmp/fp.data" > "$tmp/inl.folded"
"$native" -q --no-inline "$tmp/fp.data" > "$tmp/noinl.folded"
echo "frames per stack (inline vs no-inline): $(awk '{ n += gsub(/;/, ";") } END { printf "%.1f", n / NR }' "$tmp/inl.folded") vs $(awk '{ n += gsub(/;/, ";") } END { printf "%.1f", n / NR }' "$tmp/noinl.folded")"
awk -v p="$tp" -v n="$tn" -v ni="$tni" -v s="$ts" 'BEGIN {
	split(p, P, " "); split(n, N, " "); split(ni, I, " ")
	printf "                                wall s (ratio)     cpu s (ratio)\n"
	printf "perf script > /dev/null:        %.3f              %.3f\n", P[1], P[2]
	printf "native -> folded (inline):      %.3f (%5.1f x)    %.3f (%5.1f x)\n", N[1], P[1] / N[1], N[2], P[2] / N[2]
	printf "native -> folded (--no-inline): %.3f (%5.1f x)    %.3f (%5.1f x)\n", I[1], P[1] / I[1], I[2], P[2] / I[2]
	if (s != "") {
		split(s, S, " ")
		printf "native -> folded -> SVG:        %.3f (%5.1f x)    %.3f (%5.1f x)\n", S[1], P[1] / S[1], S[2], P[2] / S[2]
	}
	printf "target: native >= 20 x faster than perf script\n"
}'
