#!/bin/bash
# bench-perfdata.sh [BUILD_DIR] [FP_MS] [DWARF_MS]: the native perf.data
# path against `perf script`, on two recordings made here in the same run:
#   fp:    tests/crates/fpwork built with frame pointers,
#          perf record --call-graph fp -F 20000 for FP_MS ms (default 3000)
#   dwarf: tests/crates/dwarfwork, perf record --call-graph dwarf,32768
#          (the tools' stack size, docs/internals/recording.md) -F 20000
#          for DWARF_MS ms (default 5000: perf loses samples at this rate)
# (both >= 30,000 samples on 2 cores; the script says so when not).
# Timed, each best of 5 in wall and CPU time (user + system, which a
# machine shared with other builds disturbs less), with peak RSS:
#   perf script -i FILE > /dev/null          (fp; dwarf: also --no-inline)
#   native -> SVG: flamegraph --perfdata FILE -o OUT.svg (one process:
#          read, unwind, symbolize with inline frames, render)
#   native -> folded, with and without inline frames
#          (flamegraph-collapse-perfdata)
#   native -> SVG without the cache of inflated DWARF sections
#          (FLAMEGRAPH_CACHE_DIR set and empty: every run inflates the
#          -dbg packages' compressed debug files, as a first run does)
# The other native runs use a cache in the bench's own directory, filled
# by the first of them (docs/internals/dwarf.md).
# Targets (issues 6 and 7): fp native -> SVG >= 20 x perf script; dwarf
# native -> SVG >= 20 x perf script and >= 5 x perf script --no-inline.
# Run by hand, as root (perf record); needs /usr/bin/time (package time).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
fpms=${2:-3000}
dwms=${3:-5000}
native=$build/flamegraph-collapse-perfdata
fg=$build/flamegraph
tmp=${TMPDIR:-/tmp}/bench-perfdata.$$
[ -x "$native" ] || { echo "no $native (build first)"; exit 1; }
[ -x /usr/bin/time ] || { echo "no /usr/bin/time (apt-get install time)"; exit 1; }
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
export FLAMEGRAPH_CACHE_DIR="$tmp/cache"

build_crate() {	# NAME RUSTFLAGS
	cp -R "$top/tests/crates/$1" "$tmp/$1"
	CARGO_TARGET_DIR="$tmp/target-$1" RUSTFLAGS="$2" \
	    cargo build --offline --release -q \
	    --manifest-path "$tmp/$1/Cargo.toml"
}
build_crate fpwork "-C force-frame-pointers=yes"
build_crate dwarfwork ""
perf record -q -o "$tmp/fp.data" --call-graph fp -F 20000 \
    "$tmp/target-fpwork/release/fpwork" "$fpms" > /dev/null 2>&1
perf record -q -o "$tmp/dwarf.data" --call-graph dwarf,32768 -F 20000 \
    "$tmp/target-dwarfwork/release/dwarfwork" "$dwms" > /dev/null 2>&1

# best of 5 of "$@": "wall cpu rss" (seconds with ms resolution from
# bash's time, the least wall and the least CPU = user + system of the
# runs; rss in KB, the most of the runs, from /usr/bin/time)
best() {
	local i t
	: > "$tmp/t"
	: > "$tmp/r"
	for i in 1 2 3 4 5; do
		{ TIMEFORMAT='%3R %3U %3S'; time "$@" > /dev/null 2>&1; } \
		    2>> "$tmp/t"
	done
	/usr/bin/time -f '%M' -a -o "$tmp/r" "$@" > /dev/null 2>&1
	t=$(awk '{ c = $2 + $3
		if (NR == 1 || $1 < w) w = $1
		if (NR == 1 || c < m) m = c }
	    END { printf "%s %s", w, m }' "$tmp/t")
	echo "$t $(sort -n "$tmp/r" | tail -1)"
}

# one table row: LABEL "wall cpu rss" [BASE "wall cpu rss"]
row() {
	awk -v l="$1" -v t="$2" -v b="${3:-}" 'BEGIN {
		split(t, T, " ")
		if (T[1] <= 0) T[1] = 0.001
		if (T[2] <= 0) T[2] = 0.001
		if (b == "") {
			printf "  %-40s %7.3f %7.3f %8.1f\n", l, T[1], T[2],
			    T[3] / 1024
			exit
		}
		split(b, B, " ")
		printf "  %-40s %7.3f %7.3f %8.1f   %5.1f x  %5.1f x\n", l,
		    T[1], T[2], T[3] / 1024, B[1] / T[1], B[2] / T[2]
	}'
}

header() {
	printf "  %-40s %7s %7s %8s   %7s  %7s\n" "$1" "wall s" "cpu s" \
	    "RSS MB" "wall" "cpu"
}

frames() {	# average frames per folded stack
	awk '{ n += gsub(/;/, ";") } END { printf "%.1f", NR ? n / NR : 0 }' "$1"
}

for kind in fp dwarf; do
	f=$tmp/$kind.data
	cat "$f" > /dev/null	# in the page cache for everyone
	n=$(perf script -i "$f" -F period 2> /dev/null | wc -l)
	echo
	echo "$kind recording: $n samples, $(($(stat -c %s "$f") / 1048576)) MB"
	[ "$n" -ge 30000 ] || echo "  (fewer than 30,000 samples: give more ms)"
	tp=$(best perf script -i "$f")
	tpn=
	[ "$kind" = dwarf ] && tpn=$(best perf script --no-inline -i "$f")
	ts=
	tsc=
	if [ -x "$fg" ]; then
		ts=$(best "$fg" -q --perfdata "$f" -o "$tmp/out.svg")
		tsc=$(best env FLAMEGRAPH_CACHE_DIR= "$fg" -q --perfdata "$f" \
		    -o "$tmp/out.svg")
	else	# no flamegraph program: the two small ones
		ts=$(best sh -c '"$0" -q "$2" > "$3/n.folded" &&
		    "$1" "$3/n.folded" > "$3/out.svg"' "$native" \
		    "$build/flamegraph-render" "$f" "$tmp")
	fi
	tn=$(best "$native" -q "$f")
	tni=$(best "$native" -q --no-inline "$f")
	"$native" -q "$f" > "$tmp/inl.folded"
	"$native" -q --no-inline "$f" > "$tmp/noinl.folded"
	echo "  frames per stack: $(frames "$tmp/inl.folded") with inline" \
	    "frames, $(frames "$tmp/noinl.folded") without"
	header "vs perf script"
	row "perf script > /dev/null" "$tp"
	[ -n "$tpn" ] && row "perf script --no-inline > /dev/null" "$tpn" "$tp"
	row "native -> SVG" "$ts" "$tp"
	[ -n "$tsc" ] && row "native -> SVG, no DWARF cache" "$tsc" "$tp"
	row "native -> folded" "$tn" "$tp"
	row "native -> folded, --no-inline" "$tni" "$tp"
	if [ -n "$tpn" ]; then
		header "vs perf script --no-inline"
		row "native -> SVG" "$ts" "$tpn"
		row "native -> folded, --no-inline" "$tni" "$tpn"
	fi
done
echo
echo "targets: fp native -> SVG >= 20 x perf script; dwarf native -> SVG" \
    ">= 20 x perf script and >= 5 x perf script --no-inline"
