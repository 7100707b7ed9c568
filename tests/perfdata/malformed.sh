#!/bin/sh
# malformed.sh: damaged copies of a real recording (truncated, bad record
# sizes, unknown record types, callchains longer than their record,
# random bytes) are read without a crash; errors name an offset.  Then a
# few fixed cases through the CLI: not a perf.data file, an empty file,
# a truncated header.
set -eu
W=${FG_BUILD_DIR:?}/perfdata
[ -f "$W/small.data" ] || { echo "skipped: no recording (fixture skipped)"; exit 77; }
"${PROBE:?}" corrupt "$W/small.data"
NATIVE=$FG_BUILD_DIR/flamegraph-collapse-perfdata
expect_fail() {
	if "$NATIVE" "$1" > /dev/null 2> "$W/err.txt"; then
		echo "FAIL: $1 was accepted"; exit 1
	fi
	grep -q "$2" "$W/err.txt" || { echo "FAIL: $1: message"; cat "$W/err.txt"; exit 1; }
	echo "ok: $(cat "$W/err.txt")"
}
printf 'hello, this is not perf data at all\n' > "$W/notperf.data"
expect_fail "$W/notperf.data" "no PERFILE2 magic at 0x0"
: > "$W/empty.data"
expect_fail "$W/empty.data" "empty file"
head -c 60 "$W/small.data" > "$W/header.data"
expect_fail "$W/header.data" "truncated header"
expect_fail "$W/does-not-exist.data" "No such file"
# a record whose size is smaller than its header: fails, naming its offset
cp "$W/small.data" "$W/smallsize.data"
doff=$(od -An -tu8 -j40 -N8 "$W/small.data" | tr -d ' ')
printf '\004\000' | dd of="$W/smallsize.data" bs=1 seek=$((doff + 6)) conv=notrunc 2>/dev/null
expect_fail "$W/smallsize.data" "record at 0x$(printf %x "$doff"): size 4 shorter than its header"
