#!/bin/sh
# static.sh: one case of the checked-in recordings (tests/data/perfdata/,
# made by regen-static.sh): flamegraph-collapse-perfdata reads REC.data
# with OPTIONS and its folded stacks must be EXPECTED byte for byte.  No
# root, perf or cargo: the recording's binary is not at its recorded
# path here, so it is found where perf's build-id cache would hold it
# ($HOME/.debug/.build-id/xx/yyyy/elf, the default build-id directory),
# in a HOME made for the case that links the checked-in staticwork.elf
# under its build id (staticwork.buildid).  The binary is static and the
# recordings user-space only (cpu-clock:u), so no frame depends on the
# machine's libraries or kernel.
#   static.sh REC EXPECTED [OPTIONS...]
set -eu
rec=$1 expected=$2
shift 2
D=${FG_SOURCE_DIR:?}/tests/data/perfdata
B=${FG_BUILD_DIR:?}
W=$B/perfdata-static/$(basename "$expected" .folded)
rm -rf "$W"
bid=$(cat "$D/staticwork.buildid")
cache=$W/home/.debug/.build-id/$(printf %.2s "$bid")/${bid#??}
mkdir -p "$cache"
ln -s "$D/staticwork.elf" "$cache/elf"
HOME=$W/home FLAMEGRAPH_CACHE_DIR= XDG_CACHE_HOME= \
	"$B/flamegraph-collapse-perfdata" "$@" "$D/$rec" >"$W/out.folded" \
	2>"$W/err.txt" || {
	echo "FAIL: flamegraph-collapse-perfdata $* $rec: exit status $?"
	cat "$W/err.txt"; exit 1; }
if [ -s "$W/err.txt" ]; then
	echo "FAIL: unexpected warnings:"; cat "$W/err.txt"; exit 1
fi
if ! cmp -s "$W/out.folded" "$D/$expected"; then
	echo "FAIL: $rec $*: folded stacks differ from $expected:"
	diff "$D/$expected" "$W/out.folded" | head -40
	exit 1
fi
echo "ok: $rec $*: $(wc -l <"$W/out.folded") stacks as $expected"
