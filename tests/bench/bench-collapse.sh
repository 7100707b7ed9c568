#!/bin/sh
# bench-collapse.sh: speed and memory of flamegraph-collapse-perf, run by
# hand (not a CTest).  Builds a >= 150 MB perf script file from the
# conformance input rust-workload-inline.txt.gz repeated, times the
# collapser and `wc -l` on the same file in the same run (best of 3
# each, the file warm in the page cache), and prints the ratio, the CPU
# time ratio (perf stat, when perf is there) and the collapser's peak
# RSS.  Targets: ratio <= 2.5, peak RSS <= 64 MiB.
#   tests/bench/bench-collapse.sh [PROG [MB]]
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
prog=${1:-$top/build/release/flamegraph-collapse-perf}
mb=${2:-150}
conf=${FG_CONFORMANCE_DIR:-$top/../shared/conformance}
src=$conf/collapse-perf/input/rust-workload-inline.txt.gz
[ -x "$prog" ] || { echo "no program $prog (build first or pass its path)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (Debian package time)" >&2; exit 1; }
[ -f "$src" ] || { echo "no $src (set FG_CONFORMANCE_DIR)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

gzip -dc "$src" >"$tmp/one.txt"
: >"$tmp/big.txt"
while [ "$(wc -c <"$tmp/big.txt")" -lt $((mb * 1000 * 1000)) ]; do
	cat "$tmp/one.txt" >>"$tmp/big.txt"
done
size=$(wc -c <"$tmp/big.txt")
cat "$tmp/big.txt" >/dev/null	# warm the page cache

now() { date +%s.%N; }
calc() { awk "BEGIN { print $1 }"; }
best() {	# best wall time of 3 runs of "$@" (stdout discarded)
	b=
	for i in 1 2 3; do
		t0=$(now); "$@" >/dev/null; t1=$(now)
		t=$(awk "BEGIN { print $t1 - $t0 }")
		if [ -z "$b" ] || [ "$(awk "BEGIN { print ($t < $b) }")" = 1 ]; then b=$t; fi
	done
	echo "$b"
}

twc=$(best wc -l "$tmp/big.txt")
tfg=$(best "$prog" "$tmp/big.txt")
tpipe=$(best sh -c "cat '$tmp/big.txt' | '$prog'")
# CPU time (all threads), less sensitive to other load than wall time
cpu() { perf stat -x, -e task-clock -r 3 "$@" 2>&1 >/dev/null | awk -F, '/task-clock/ { print $1 / 1000 }'; }
if command -v perf >/dev/null 2>&1; then
	cwc=$(cpu wc -l "$tmp/big.txt")
	cfg=$(cpu "$prog" "$tmp/big.txt")
fi
rss=$(/usr/bin/time -f %M "$prog" "$tmp/big.txt" 2>&1 >/dev/null | tail -1)
rsspipe=$(cat "$tmp/big.txt" | /usr/bin/time -f %M "$prog" 2>&1 >/dev/null | tail -1)

printf 'input: %s bytes (%s x rust-workload-inline)\n' "$size" \
	"$(( size / $(wc -c <"$tmp/one.txt") ))"
printf 'wc -l:                 %.3f s\n' "$twc"
printf 'collapse (file):       %.3f s  %.0f MB/s  ratio %.2f x wc -l\n' \
	"$tfg" "$(calc "$size / $tfg / 1000000")" "$(calc "$tfg / $twc")"
printf 'collapse (pipe):       %.3f s  ratio %.2f x wc -l\n' \
	"$tpipe" "$(calc "$tpipe / $twc")"
if [ -n "${cfg:-}" ]; then
	printf 'CPU time: wc -l %.3f s, collapse (file, all threads) %.3f s: ratio %.2f\n' \
		"$cwc" "$cfg" "$(calc "$cfg / $cwc")"
fi
printf 'peak RSS (file):       %s KiB (%.1f MiB)\n' "$rss" "$(calc "$rss / 1024")"
printf 'peak RSS (pipe):       %s KiB (%.1f MiB)\n' "$rsspipe" "$(calc "$rsspipe / 1024")"
printf 'load average: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
