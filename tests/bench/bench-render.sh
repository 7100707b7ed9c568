#!/bin/sh
# bench-render.sh [BUILD_DIR] [N]: render N (200000) synthetic unique stacks
# (../shared/tools/gen-folded, about 180 MB) and time `LC_ALL=C sort` of
# the same file in the same run; print the ratio and the peak RSS against
# the input size (targets: <= 1.0 x sort, <= 0.5 x input).  Then compare
# the SVG size for example-perf-stacks with inferno's.  Run by hand.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
n=${2:-200000}
shared=${FG_SHARED_DIR:-$top/../shared}
render=$build/flamegraph-render
tmp=${TMPDIR:-/tmp}/bench-render.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT

[ -x "$render" ] || { echo "no $render (build first)"; exit 1; }
echo "generating $n stacks..."
"$shared/tools/gen-folded" "$n" > "$tmp/in.folded"
size=$(stat -c %s "$tmp/in.folded")
echo "input: $size bytes"

now() { date +%s.%N; }
# Warm the page cache so both runs read from memory.
cat "$tmp/in.folded" > /dev/null

t0=$(now)
LC_ALL=C sort "$tmp/in.folded" > /dev/null
t1=$(now)
/usr/bin/time -f '%M' -o "$tmp/rss" "$render" "$tmp/in.folded" > "$tmp/out.svg"
t2=$(now)
rss_kb=$(tail -1 "$tmp/rss")

awk -v s0="$t0" -v s1="$t1" -v s2="$t2" -v rss="$rss_kb" -v size="$size" \
    -v out="$(stat -c %s "$tmp/out.svg")" 'BEGIN {
	sort = s1 - s0; rend = s2 - s1
	printf "sort:   %.2f s\n", sort
	printf "render: %.2f s  (%.2f x sort; target <= 1.0)\n", rend, rend / sort
	printf "peak RSS: %.1f MB  (%.2f x input; target <= 0.5)\n", rss / 1024, rss * 1024 / size
	printf "output: %d bytes\n", out
}'

corp=$shared/conformance/flamegraph-svg
if [ -f "$corp/input/example-perf-stacks.folded" ]; then
	"$render" "$corp/input/example-perf-stacks.folded" > "$tmp/ex.svg"
	ours=$(stat -c %s "$tmp/ex.svg")
	theirs=$(stat -c %s "$corp/expected/example-default.svg")
	js=$(stat -c %s "$top/lib/assets/flamegraph.js" 2>/dev/null || echo 0)
	awk -v a="$ours" -v b="$theirs" -v js="$js" 'BEGIN {
		printf "example-perf-stacks SVG: %d bytes vs inferno %d (%.2f x; script %d bytes of ours)\n", a, b, a / b, js
	}'
fi
