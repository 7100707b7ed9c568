#!/bin/sh
# kallsyms-cache.sh: the kernel's symbols through our indexed copy of
# kallsyms (lib/symbolize-kallsyms.c): the first run makes it, later runs
# map it and name every kernel frame as the first did; a damaged copy is
# not used but made again; a recording whose kernel map puts _text where
# no kallsyms at hand has it (another boot: KASLR) gets a warning and
# unresolved kernel frames, never names from the wrong boot.
set -eu
W=${FG_BUILD_DIR:?}/perfdata
NATIVE=$FG_BUILD_DIR/flamegraph-collapse-perfdata
T=$W/kallsyms-cache
rm -rf "$T"
mkdir -p "$T"

run() {	# run NAME REC: folded stacks with kernel frames into $T/NAME
	FLAMEGRAPH_CACHE_DIR=$T/cache "$NATIVE" --kernel "$2" > "$T/$1" 2> "$T/$1.err" || {
		echo "FAIL: $1: exit status $?"; cat "$T/$1.err"; exit 1; }
}

for rec in dwarf.data dwarfbm.data; do
	[ -f "$W/$rec" ] || continue
	rm -rf "$T/cache"
	run first "$W/$rec"
	grep -q "_\[k\]" "$T/first" || { echo "FAIL: $rec: no kernel frames"; exit 1; }
	ls "$T/cache/dwarf/kallsyms/"*.idx > /dev/null 2>&1 || {
		echo "FAIL: $rec: no indexed copy made"; ls -R "$T/cache" | head; exit 1; }
	run second "$W/$rec"
	cmp -s "$T/first" "$T/second" || { echo "FAIL: $rec: the copy names differently";
		diff "$T/first" "$T/second" | head; exit 1; }
	for idx in "$T/cache/dwarf/kallsyms/"*.idx; do
		size=$(wc -c < "$idx")
		# a byte of the index (near the end) changed, then the file cut
		printf '\377\377\377\177' | dd of="$idx" bs=1 seek=$((size - 64)) conv=notrunc 2>/dev/null
		run flipped "$W/$rec"
		cmp -s "$T/first" "$T/flipped" || { echo "FAIL: $rec: damaged index used"; exit 1; }
		truncate -s $((size / 2)) "$idx"
		run cut "$W/$rec"
		cmp -s "$T/first" "$T/cut" || { echo "FAIL: $rec: short copy used"; exit 1; }
		[ "$(wc -c < "$idx")" -eq "$size" ] || { echo "FAIL: $rec: copy not made again"; exit 1; }
	done
	echo "ok: $rec"
done

# another boot: the kernel map's _text moved by 2 MiB
python3 - "$W/dwarf.data" "$T/otherboot.data" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], 'rb').read())
off, size = struct.unpack_from('<QQ', b, 40)
p, end, n = off, off + size, 0
while p + 8 <= end:
    typ, misc, sz = struct.unpack_from('<IHH', b, p)
    if sz < 8:
        break
    fo = {1: 40, 10: 72}.get(typ)
    if fo and (misc & 7) == 1 and b[p + fo:p + fo + 17] == b'[kernel.kallsyms]':
        pg, = struct.unpack_from('<Q', b, p + 32)
        struct.pack_into('<Q', b, p + 32, pg + 0x200000)
        n += 1
    p += sz
if n == 0:
    sys.exit("no kernel map in " + sys.argv[1])
open(sys.argv[2], 'wb').write(b)
PY
run other "$T/otherboot.data"
grep -q "kernel's symbols as of the recording's boot are not at hand" "$T/other.err" || {
	echo "FAIL: another boot: no warning"; cat "$T/other.err"; exit 1; }
# every kernel frame unresolved: perf script's "[MODULE]" for a kernel
# address (the vDSO's frames, user code the kernel's context may show,
# are named from its image, not from kallsyms)
named=$(tr ';' '\n' < "$T/other" | sed 's/ [0-9]*$//' | grep "_\[k\]\$" |
	grep -v '^\[\[kernel.kallsyms\]\]_\[k\]$' | grep -v vdso |
	sort -u | head -5)
[ -z "$named" ] || { echo "FAIL: another boot: kernel frames named: $named"; exit 1; }
echo "ok: another boot"
