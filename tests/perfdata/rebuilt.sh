#!/bin/sh
# rebuilt.sh: recordings of a program that was replaced afterwards (by
# another program at the same path, as a rebuild does).  Without perf's
# build-id cache copy (perf record --buildid-mmap keeps none) the native
# reader cannot read the recorded build: it says so and names that file's
# frames [fpwork], never with the new file's symbols.  Once with the build
# ids in the header's table, once with them in the MMAP2 records.
set -eu
W=${FG_BUILD_DIR:?}/perfdata
NATIVE=$FG_BUILD_DIR/flamegraph-collapse-perfdata
[ -f "$W/rebuiltbm.data" ] || { echo "skipped: no --buildid-mmap recording (perf or kernel older than 5.12)"; exit 77; }
for rec in rebuilt.data rebuiltbm.data; do
	# the header's build ids send perf's cache lookups to ~/.debug; an
	# empty one here, so that only the file on disk could be used
	FLAMEGRAPH_CACHE_DIR=$W/rebuilt-cache HOME=$W/rebuilt-home \
		"$NATIVE" "$W/$rec" > "$W/$rec.folded" 2> "$W/$rec.err" || {
		echo "FAIL: $rec: exit status $?"; cat "$W/$rec.err"; exit 1; }
	grep -q "rebuilt/fpwork: cannot read ELF file of the recorded build id" "$W/$rec.err" || {
		echo "FAIL: $rec: no warning about the rebuilt file"; cat "$W/$rec.err"; exit 1; }
	if grep -q "jit_" "$W/$rec.folded"; then
		echo "FAIL: $rec: frames named from the new file"; grep "jit_" "$W/$rec.folded" | head -3; exit 1
	fi
	grep -q "\[fpwork\]" "$W/$rec.folded" || {
		echo "FAIL: $rec: no [fpwork] frames"; head -3 "$W/$rec.folded"; exit 1; }
	echo "ok: $rec"
done
