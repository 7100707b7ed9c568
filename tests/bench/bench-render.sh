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

# Warm the page cache so both runs read from memory.
cat "$tmp/in.folded" > /dev/null

# Wall time is the target; CPU time (user + system) is printed too, as
# other work on the machine moves wall times.
/usr/bin/time -f '%e %U %S %M' -o "$tmp/sort.t" env LC_ALL=C sort "$tmp/in.folded" > /dev/null
/usr/bin/time -f '%e %U %S %M' -o "$tmp/render.t" "$render" "$tmp/in.folded" > "$tmp/out.svg"

awk -v size="$size" -v out="$(stat -c %s "$tmp/out.svg")" '
	FNR == 1 && NR == 1 { sw = $1; sc = $2 + $3 }
	FNR == 1 && NR == 2 { rw = $1; rc = $2 + $3; rss = $4 }
	END {
	printf "sort:   %.2f s wall, %.2f s CPU\n", sw, sc
	printf "render: %.2f s wall, %.2f s CPU  (%.2f x sort wall, %.2f x CPU; target <= 1.0)\n", rw, rc, rw / sw, rc / sc
	printf "peak RSS: %.1f MB  (%.2f x input; target <= 0.5)\n", rss / 1024, rss * 1024 / size
	printf "output: %d bytes\n", out
}' "$tmp/sort.t" "$tmp/render.t"

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
