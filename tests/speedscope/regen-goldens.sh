#!/bin/sh
# regen-goldens.sh BUILD-DIR: rewrite the speedscope goldens of
# tests/data/speedscope from flamegraph-collapse-perf of BUILD-DIR (review
# the diff: every change is a change of the output format).
set -eu
prog=$(cd "${1:?usage: regen-goldens.sh BUILD-DIR}" && pwd)/flamegraph-collapse-perf
cd "$(dirname "$0")/../data/speedscope"
for f in threads cycles; do
	"$prog" --format speedscope "$f.txt" >"$f.json"
done
