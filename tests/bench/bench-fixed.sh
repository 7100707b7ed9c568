#!/bin/bash
# bench-fixed.sh [BUILD_DIR] [ROUNDS]: what a recording costs besides its
# samples (issue 15, items 3 and 4), on recordings made here in the run:
#   tiny dwarf: tests/crates/dwarfwork for 150 ms at 997 Hz, DWARF
#   tiny fp:    tests/crates/fpwork (frame pointers) at 997 Hz, 1 s
#   mid fp:     fpwork at 20 kHz for 1.2 s (40,000-50,000 samples)
#   big fp:     fpwork at 20 kHz for 2.6 s (~90,000 samples)
# recorded as the tools record (--no-bpf-event --buildid-mmap when perf
# has them).  Each is drawn by `flamegraph --perfdata REC -o OUT.svg`
# (the whole process), timed by `perf stat -r 20`, and the fp ones are
# compared with `perf script -i REC > /dev/null` (`perf stat -r 3`) in
# alternating rounds; the medians of ROUNDS rounds (default 5) are
# printed, and the ratio of the medians.  Both run at real-time priority
# (chrt -f 50, when allowed) so that other work on the machine stretches
# them less.  The caches (DWARF, kallsyms) are the bench's own, filled
# and then stamped (docs/internals/dwarf.md: files checked once, a few
# seconds after they are written) before the timing: the steady state of
# repeated runs.  Targets: tiny <= 10 ms, mid fp >= 20 x perf script.
# Run by hand, as root (perf record).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build/release}
rounds=${2:-5}
fg=$build/flamegraph
tmp=${TMPDIR:-/tmp}/bench-fixed.$$
[ -x "$fg" ] || { echo "no $fg (build first)"; exit 1; }
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
export FLAMEGRAPH_CACHE_DIR="$tmp/cache"
rt=
chrt -f 50 true 2> /dev/null && rt="chrt -f 50"

build_crate() {	# NAME RUSTFLAGS
	cp -R "$top/tests/crates/$1" "$tmp/$1"
	CARGO_TARGET_DIR="$tmp/target-$1" RUSTFLAGS="$2" \
	    cargo build --offline --release -q \
	    --manifest-path "$tmp/$1/Cargo.toml"
}
build_crate fpwork "-C force-frame-pointers=yes"
build_crate dwarfwork ""
opts=
perf record --no-bpf-event --buildid-mmap -q -o "$tmp/probe.data" true \
    > /dev/null 2>&1 && opts="--no-bpf-event --buildid-mmap"
rec() {	# NAME PERF-OPTIONS -- COMMAND...
	local name=$1
	shift
	# shellcheck disable=SC2086
	perf record $opts -q -o "$tmp/$name.data" "$@" > /dev/null 2>&1
}
rec tinydwarf --call-graph dwarf,32768 -F 997 -- \
    "$tmp/target-dwarfwork/release/dwarfwork" 150
rec tinyfp --call-graph fp -F 997 -- "$tmp/target-fpwork/release/fpwork" 1000
rec midfp --call-graph fp -F 20000 -- "$tmp/target-fpwork/release/fpwork" 1200
rec bigfp --call-graph fp -F 20000 -- "$tmp/target-fpwork/release/fpwork" 2600

elapsed() {	# N CMD...: seconds, the mean of perf stat -r N
	local n=$1
	shift
	# shellcheck disable=SC2086
	{ $rt perf stat -r "$n" "$@" > /dev/null; } 2>&1 |
	    awk '/seconds time elapsed/ { print $1 }'
}
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

for r in tinydwarf tinyfp midfp bigfp; do	# caches made, then stamped
	"$fg" -q --perfdata "$tmp/$r.data" -o "$tmp/out.svg"
done
sleep 3
for r in tinydwarf tinyfp midfp bigfp; do
	"$fg" -q --perfdata "$tmp/$r.data" -o "$tmp/out.svg"
done

printf "%-10s %8s %10s %12s %7s\n" recording samples "ours ms" "perf script" ratio
for r in tinydwarf tinyfp midfp bigfp; do
	f=$tmp/$r.data
	cat "$f" > /dev/null
	n=$(perf script -i "$f" -F period 2> /dev/null | wc -l)
	: > "$tmp/ours"
	: > "$tmp/theirs"
	for ((i = 0; i < rounds; i++)); do
		elapsed 20 "$fg" -q --perfdata "$f" -o "$tmp/out.svg" >> "$tmp/ours"
		case $r in
		*fp) [ "$r" = tinyfp ] ||
			elapsed 3 perf script -i "$f" >> "$tmp/theirs" ;;
		esac
	done
	o=$(median < "$tmp/ours")
	if [ -s "$tmp/theirs" ]; then
		t=$(median < "$tmp/theirs")
		awk -v r="$r" -v n="$n" -v o="$o" -v t="$t" 'BEGIN {
		    printf "%-10s %8d %10.2f %9.1f ms %6.1fx\n", r, n,
		    o * 1000, t * 1000, t / o }'
	else
		awk -v r="$r" -v n="$n" -v o="$o" 'BEGIN {
		    printf "%-10s %8d %10.2f %12s %7s\n", r, n, o * 1000,
		    "-", "-" }'
	fi
done
echo "targets: tiny recordings <= 10 ms; mid fp >= 20 x perf script"
