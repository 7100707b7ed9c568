#!/bin/sh
# regen-static.sh: remake the checked-in recordings of
# tests/data/perfdata/ and their expected folded stacks (static.sh reads
# them; docs/internals/testing.md).  Needs root (or perf_event_paranoid
# <= 1), perf, cargo and a built flamegraph-collapse-perfdata.  Builds
# tests/crates/staticwork statically with frame pointers (a copy in a
# temporary directory, offline), records it user-space only with frame
# pointers and with DWARF unwinding (small stack copies, low sample
# counts: a few hundred KiB in all), and writes
#   staticwork.elf, staticwork.buildid   the binary and its build id
#   fp.data, dwarf.data                  the recordings
#   REC.folded, REC.no-inline.folded     what the reader gives, with and
#                                        without inline frames
# The expected output is the reader's own: review the diff (git diff
# --stat tests/data/perfdata; the folded files by eye) before committing.
# Without inline frames they are checked against `perf script
# --no-inline | flamegraph-collapse-perf` (tests/folded-agree.awk): the
# regen stops when the two readers disagree.
#   tests/perfdata/regen-static.sh [BUILD_DIR]
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
B=$(cd "${1:-$top/build/release}" && pwd)
D=$top/tests/data/perfdata
W=$(mktemp -d /tmp/fg-staticwork.XXXXXX)
trap 'rm -rf "$W"' EXIT
cp -R "$top/tests/crates/staticwork/." "$W/src/"
CARGO_TARGET_DIR="$W/target" \
RUSTFLAGS="-C target-feature=+crt-static -C force-frame-pointers=yes" \
	cargo build --offline --release -q --manifest-path "$W/src/Cargo.toml"
# recorded from a path that is gone once this script ends
cp "$W/target/release/staticwork" "$W/staticwork"
mkdir -p "$D"
rm -f "$D"/*.data "$D"/*.folded
perf record -q --no-buildid-cache -e cpu-clock:u -F 1000 \
	--call-graph fp -o "$D/fp.data" "$W/staticwork" >/dev/null
perf record -q --no-buildid-cache -e cpu-clock:u -F 700 \
	--call-graph dwarf,1024 -o "$D/dwarf.data" "$W/staticwork" >/dev/null
chmod 644 "$D"/*.data
cp "$W/staticwork" "$D/staticwork.elf"
perf buildid-list -i "$D/fp.data" |
	awk -v p="$W/staticwork" '$2 == p { print $1 }' >"$D/staticwork.buildid"
test -s "$D/staticwork.buildid"
for rec in fp dwarf; do
	"$B/flamegraph-collapse-perfdata" "$D/$rec.data" >"$D/$rec.folded"
	"$B/flamegraph-collapse-perfdata" --no-inline "$D/$rec.data" \
		>"$D/$rec.no-inline.folded"
	# the perf-script path agrees on the frames without inlining
	perf script --no-inline -i "$D/$rec.data" 2>/dev/null |
		"$B/flamegraph-collapse-perf" >"$W/$rec.ref"
	echo "$rec.data: weight $(awk '{n += $NF} END {print n}' "$D/$rec.folded")"
	awk -f "$top/tests/folded-agree.awk" "$D/$rec.no-inline.folded" \
		"$W/$rec.ref"
done
ls -l "$D"
