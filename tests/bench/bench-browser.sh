#!/bin/sh
# bench-browser.sh [BUILD_DIR [RUNS]]: the flame graph script's speed in
# headless Chromium on a graph of 30,663 frames (tests/browser/bench-perf.js):
# load + first zoom, zoom, reset, search and resize, the median of RUNS
# (5) runs, against targets for an idle two-core machine (load + zoom
# <= 5 s, each step <= 2 s) and against the same document without its
# script, loaded in the same run.  Then the script's cost against
# inferno's on a smaller graph (tests/browser/bench.js).  Run by hand;
# exits 1 when a target is missed.  Needs packaging/install-deps.sh.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build/release}
runs=${2:-5}
render=$build/flamegraph-render
[ -x "$render" ] || { echo "no $render (build first)" >&2; exit 1; }
command -v node >/dev/null 2>&1 || { echo "no node (packaging/install-deps.sh)" >&2; exit 1; }
status=0
node "$top/tests/browser/bench-perf.js" "$render" "$runs" || status=1
echo
node "$top/tests/browser/bench.js" "$render" 2000 3 || status=1
exit $status
