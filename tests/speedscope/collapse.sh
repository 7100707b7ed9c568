#!/bin/sh
# collapse.sh PROG INPUT [--golden FILE] [CHECK-OPTIONS...]: the
# speedscope output of a collapse program (PROG --format speedscope
# INPUT) checked by check.py against its folded output (PROG INPUT) and,
# per thread, its --tid folded output; written twice, byte-identical;
# with --golden, equal to FILE byte for byte but for the exporter line
# (tests/speedscope/regen-goldens.sh writes them).  INPUT "perfscript:REC"
# is `perf script --ns -i REC` of a recording, fed on standard input
# (skipped, 77, without perf or without the recording).
set -u
prog=$1 input=$2
shift 2
golden=
if [ "${1:-}" = --golden ]; then
	golden=$2
	shift 2
	[ -f "$golden" ] || { echo "FAIL: no golden $golden"; exit 1; }
	golden=$(cd "$(dirname "$golden")" && pwd)/$(basename "$golden")
fi
here=$(cd "$(dirname "$0")" && pwd)
case $prog in /*) ;; *) prog=$(pwd)/$prog ;; esac
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
case $input in
perfscript:*)
	rec=${input#perfscript:}
	[ -f "$rec" ] || { echo "skipped: no recording $rec (fixture skipped)"; exit 77; }
	command -v perf >/dev/null || { echo "skipped: no perf"; exit 77; }
	perf script --ns -F +pid -i "$rec" >"$tmp/in" 2>/dev/null ||
		{ echo "FAIL: perf script -i $rec"; exit 1; }
	input=$tmp/in ;;
esac
[ -f "$input" ] || { echo "skipped: no input $input (fixture skipped)"; exit 77; }
# the file's "name" is the input as given: its base name, from its directory
cd "$(dirname "$input")" || exit 1
input=$(basename "$input")
run() {
	"$prog" -q "$@" "$input" || { echo "FAIL: $prog $* $input: exit status $?"; exit 1; }
}
run --format speedscope >"$tmp/a.json"
run --format speedscope >"$tmp/b.json"
run >"$tmp/folded"
run --format folded --tid >"$tmp/tid"
cmp -s "$tmp/a.json" "$tmp/b.json" || { echo "FAIL: two runs differ"; exit 1; }
# (the exporter line names the version: not part of the golden's test)
noexp() { grep -v '^"exporter":"cargo-flamegraph ' "$1"; }
[ -z "$golden" ] || noexp "$golden" >"$tmp/golden"
if [ -n "$golden" ] && ! noexp "$tmp/a.json" | cmp -s - "$tmp/golden"; then
	echo "FAIL: output differs from $golden:"
	noexp "$tmp/a.json" | diff - "$tmp/golden" | head -20
	exit 1
fi
python3 "$here/check.py" "$tmp/a.json" "$tmp/folded" --tid-folded "$tmp/tid" "$@"
