#!/bin/sh
# regen-goldens.sh: rewrite tests/data/collapse/X.folded and X.warn from
# X.txt with the current flamegraph-collapse-perf.  Review the diff
# (git diff tests/data/collapse) before committing: the goldens are the
# project's own decisions on bad input, checked by hand.
#   tests/collapse/regen-goldens.sh [PROG]
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
prog=${1:-$top/build/release/flamegraph-collapse-perf}
for t in "$top"/tests/data/collapse/*.txt; do
	c=${t%.txt}
	"$prog" "$t" >"$c.folded" 2>"$c.warn" || echo "$t: exit status $?" >&2
done
