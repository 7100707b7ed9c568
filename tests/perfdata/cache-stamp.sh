#!/bin/sh
# cache-stamp.sh: cache files checked once (lib/base.c, stamp_ok and
# stamp_put).  A big cache file (libc's inflated .debug_info, our copy
# of kallsyms) checked whole on a run gets a stamp beside it once its
# last change is a few seconds old; later runs that find the file
# unchanged skip the check and name every frame as the first run did.
# A byte changed in place afterwards (size kept) is still caught: the
# file is not used, the frames do not change, and it is made again.
set -eu
W=${FG_BUILD_DIR:?}/perfdata
NATIVE=$FG_BUILD_DIR/flamegraph-collapse-perfdata
T=$W/cache-stamp
REC=$W/dwarf.data
rm -rf "$T"
mkdir -p "$T"
[ -f "$REC" ] || { echo "skipped: no $REC"; exit 77; }

run() {	# run NAME: folded stacks with kernel frames into $T/NAME
	FLAMEGRAPH_CACHE_DIR=$T/cache "$NATIVE" --kernel "$REC" > "$T/$1" 2> "$T/$1.err" || {
		echo "FAIL: $1: exit status $?"; cat "$T/$1.err"; exit 1; }
	cmp -s "$T/first" "$T/$1" || { echo "FAIL: $1: other frames than the first run's";
		diff "$T/first" "$T/$1" | head; exit 1; }
}

run first
# the files just written have not settled: no stamps yet
run second
[ -z "$(find "$T/cache" -name '*.ok')" ] || {
	echo "FAIL: stamps for files changed a moment ago"; find "$T/cache" -name '*.ok'; exit 1; }
sleep 4
run third	# checked whole, stamped
stamps=$(find "$T/cache" -name '*.ok' | sort)
echo "$stamps" | grep -q '/debug_info\.ok$' || {
	echo "FAIL: no stamp for a cached .debug_info (libc6-dbg installed?)"
	find "$T/cache" -type f | head -20; exit 1; }
echo "$stamps" | grep -q '\.idx\.ok$' || {
	echo "FAIL: no stamp for the kallsyms copy"; find "$T/cache" -type f | head -20; exit 1; }
run fourth	# from the stamps
n=0
for s in $stamps; do
	f=${s%.ok}
	size=$(wc -c < "$f")
	cp "$f" "$T/orig"
	# 4 bytes in the middle and 4 near the end changed in place, same size
	printf '\377\377\377\177' | dd of="$f" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
	printf '\377\377\377\177' | dd of="$f" bs=1 seek=$((size - 64)) conv=notrunc 2>/dev/null
	cp "$f" "$T/damaged"
	run "damaged-$n"
	cmp -s "$f" "$T/damaged" && { echo "FAIL: $f: damaged after its stamp and not made again"; exit 1; }
	case $f in
	*/debug_*) cmp -s "$f" "$T/orig" || { echo "FAIL: $f: not the same bytes once made again"; exit 1; } ;;
	esac
	n=$((n + 1))
done
echo "ok: $n stamped files; a change in place after the stamp is caught"
