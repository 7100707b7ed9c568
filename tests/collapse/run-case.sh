#!/bin/sh
# run-case.sh: run flamegraph-collapse-perf on one input and compare its
# output byte for byte with the expected folded file.
#   run-case.sh PROG MODE INPUT EXPECTED [OPTIONS...]
# MODE "file" passes the input as a path (mapped, maybe two threads),
# "pipe" feeds it through standard input.  A .gz input is decompressed
# into a temporary file first.
set -u
prog=$1 mode=$2 input=$3 expected=$4
shift 4
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
case $input in
*.gz) gzip -dc "$input" >"$tmp/in" || exit 1 ;;
*) cp "$input" "$tmp/in" || exit 1 ;;
esac
if [ "$mode" = pipe ]; then
	cat "$tmp/in" | "$prog" "$@" >"$tmp/out" 2>"$tmp/err"
else
	"$prog" "$@" "$tmp/in" >"$tmp/out" 2>"$tmp/err"
fi
rc=$?
if [ $rc -ne 0 ]; then
	echo "exit status $rc"; cat "$tmp/err"; exit 1
fi
if ! cmp -s "$tmp/out" "$expected"; then
	echo "output differs from $expected:"
	diff "$tmp/out" "$expected" | head -20
	exit 1
fi
exit 0
