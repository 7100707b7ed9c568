#!/bin/sh
# conformance.sh RENDER TOOLS_DIR INPUT EXPECTED [OPTIONS (shell words)]
# Render INPUT with OPTIONS; the SVG must parse (xmllint), draw the same
# frames as inferno's EXPECTED (svg-frames), and come out byte-identical
# when rendered twice.  An expected "empty" graph means exit status 1 and
# a valid SVG that says there is no data.
set -u
render=$1 tools=$2 input=$3 expected=$4
opts=${5:-}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
eval "set -- $opts"
"$render" "$@" "$input" > "$tmp/a.svg" 2> "$tmp/err"
rc=$?
xmllint --noout "$tmp/a.svg" || { echo "FAIL: not well-formed XML"; exit 1; }
case $(basename "$expected") in
empty.svg)
	[ $rc -eq 1 ] || { echo "FAIL: exit status $rc, want 1"; exit 1; }
	grep -q 'No valid input' "$tmp/a.svg" || { echo "FAIL: no 'no data' text"; exit 1; }
	echo "ok: empty input gives a valid SVG and exit 1"
	exit 0 ;;
esac
[ $rc -eq 0 ] || { echo "FAIL: exit status $rc"; cat "$tmp/err"; exit 1; }
"$tools/svg-frames" "$tmp/a.svg" "$expected" || { echo "FAIL: frames differ"; exit 1; }
"$render" "$@" "$input" > "$tmp/b.svg" 2>/dev/null
cmp -s "$tmp/a.svg" "$tmp/b.svg" || { echo "FAIL: output not deterministic"; exit 1; }
echo "ok"
