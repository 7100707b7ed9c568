#!/bin/sh
# symtab-cache.sh: finished symbol tables kept in the cache directory by
# build id (lib/symbolize-symcache.c, DIR/BUILD-ID/symtab).  A run that
# finds them names every frame as the run that made them; a damaged, cut
# or foreign file (another table of the file, another namer: another
# build of this code) is not used, the frames do not change, and it is
# made again, byte for byte as before; no cache at all names the same.
set -eu
W=${FG_BUILD_DIR:?}/perfdata
NATIVE=$FG_BUILD_DIR/flamegraph-collapse-perfdata
T=$W/symtab-cache
rm -rf "$T"
mkdir -p "$T"

for rec in fp.data dwarf.data; do
	[ -f "$W/$rec" ] || { echo "skipped: no $W/$rec"; exit 77; }
	rm -rf "$T/cache"
	run() {	# run NAME [CACHE]: folded stacks into $T/NAME
		FLAMEGRAPH_CACHE_DIR=${2-$T/cache} "$NATIVE" --kernel "$W/$rec" \
			> "$T/$1" 2> "$T/$1.err" || {
			echo "FAIL: $rec: $1: exit status $?"; cat "$T/$1.err"; exit 1; }
		[ "$1" = cold ] && return 0
		cmp -s "$T/cold" "$T/$1" || { echo "FAIL: $rec: $1: other frames";
			diff "$T/cold" "$T/$1" | head; exit 1; }
		cmp -s "$T/cold.err" "$T/$1.err" || { echo "FAIL: $rec: $1: other warnings";
			diff "$T/cold.err" "$T/$1.err" | head; exit 1; }
	}
	run cold
	files=$(find "$T/cache" -name symtab | sort)
	[ -n "$files" ] || { echo "FAIL: $rec: no symbol table kept"; find "$T/cache" | head; exit 1; }
	run warm
	run none ""
	n=0
	for f in $files; do
		cp "$f" "$T/orig"
		size=$(wc -c < "$f")
		# changed in place inside the body, header intact
		printf '\377\377\377\177' | dd of="$f" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
		run "damaged-$n"
		cmp -s "$f" "$T/orig" || { echo "FAIL: $rec: $f not made again as it was"; exit 1; }
		# cut short
		truncate -s $((size / 2)) "$f"
		run "cut-$n"
		cmp -s "$f" "$T/orig" || { echo "FAIL: $rec: $f not made again after a cut"; exit 1; }
		# another table of the file (byte 12), another namer (byte 16)
		for at in 12 16; do
			printf '\7' | dd of="$f" bs=1 seek=$at conv=notrunc 2>/dev/null
			run "foreign-$n-$at"
			cmp -s "$f" "$T/orig" || { echo "FAIL: $rec: $f (byte $at changed) used or not made again"; exit 1; }
		done
		n=$((n + 1))
	done
	echo "ok: $rec: $n symbol tables kept, the same frames cold, warm, damaged, cut, foreign and without a cache"
done
