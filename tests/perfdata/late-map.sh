#!/bin/sh
# late-map.sh: a library a program opens long after its recording began
# (dlopen), recorded as the tools record (perf record --buildid-mmap:
# the build ids are only in the MMAP2 records).  Its frames are named
# from it while it is the file recorded; once it is rebuilt (another
# build id at the same path) they are [libspin.so] with a warning, never
# named from the new file.  The reader takes build ids from a scan of
# the recording's start and from every MMAP2 record of the walk; before
# the walk took them, a file mapped after the scan was read from disk
# unchecked and its frames silently took the rebuilt file's names.
set -eu
W=${FG_BUILD_DIR:?}/perfdata
NATIVE=$FG_BUILD_DIR/flamegraph-collapse-perfdata
SRC=$(dirname "$0")/late-map
T=$W/late-map
[ "$(id -u)" = 0 ] || { echo "skipped: perf record needs root here"; exit 77; }
command -v perf > /dev/null 2>&1 || { echo "skipped: no perf"; exit 77; }
command -v cc > /dev/null 2>&1 || { echo "skipped: no cc"; exit 77; }
rm -rf "$T"
mkdir -p "$T/home" "$T/cache"
CFLAGS="-O1 -g -fno-omit-frame-pointer"
# shellcheck disable=SC2086
cc $CFLAGS -shared -fPIC -DLATE_NAME=late_spin_a -o "$T/libspin.so" "$SRC/spin.c"
# shellcheck disable=SC2086
cc $CFLAGS -o "$T/late" "$SRC/main.c" -ldl
# 0.4 s at 20 kHz: some 8,000 samples before the library's map, past
# the scan's end (BUILDID_QUIET samples without a map record)
perf record -q --buildid-mmap -e cpu-clock -F 20000 --call-graph fp \
	-o "$T/late.data" -- "$T/late" "$T/libspin.so" 0.4 2> "$T/record.err" || {
	if grep -q "buildid-mmap" "$T/record.err"; then
		echo "skipped: perf record has no --buildid-mmap"; exit 77; fi
	echo "FAIL: perf record"; cat "$T/record.err"; exit 1; }

run() {	# run NAME: folded stacks into $T/NAME, perf's ~/.debug empty
	HOME=$T/home FLAMEGRAPH_CACHE_DIR=$T/cache "$NATIVE" "$T/late.data" \
		> "$T/$1" 2> "$T/$1.err" || {
		echo "FAIL: $1: exit status $?"; cat "$T/$1.err"; exit 1; }
}

run asbuilt
grep -q "late_spin_a" "$T/asbuilt" || {
	echo "FAIL: the late library's frames not named"; head -5 "$T/asbuilt"; exit 1; }
grep -q "cannot read" "$T/asbuilt.err" && {
	echo "FAIL: a warning about the library as built"; cat "$T/asbuilt.err"; exit 1; }

# rebuilt in place: same path, another function name and build id
# shellcheck disable=SC2086
cc $CFLAGS -shared -fPIC -DLATE_NAME=late_spin_b -o "$T/libspin.new" "$SRC/spin.c"
mv "$T/libspin.new" "$T/libspin.so"
run rebuilt
if grep -q "late_spin_b" "$T/rebuilt"; then
	echo "FAIL: frames named from the rebuilt library"; grep "late_spin_b" "$T/rebuilt" | head -3; exit 1
fi
grep -q "libspin.so: cannot read ELF file of the recorded build id" "$T/rebuilt.err" || {
	echo "FAIL: no warning about the rebuilt library"; cat "$T/rebuilt.err"; exit 1; }
grep -q "\[libspin.so\]" "$T/rebuilt" || {
	echo "FAIL: no [libspin.so] frames"; head -5 "$T/rebuilt"; exit 1; }
# no sample lost: the same total weight
total() { awk '{ s += $NF } END { print s + 0 }' "$1"; }
[ "$(total "$T/asbuilt")" = "$(total "$T/rebuilt")" ] || {
	echo "FAIL: total weight $(total "$T/asbuilt") then $(total "$T/rebuilt")"; exit 1; }
echo "ok: a library opened after $(grep -c . "$T/asbuilt") stacks' worth of samples, checked by its recorded build id"
