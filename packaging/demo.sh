#!/bin/sh
# demo.sh [BUILD_DIR]: build the programs (in BUILD_DIR, default build/)
# and profile the bundled demo crate with them, as a first-time user
# would: `cargo flamegraph` on a copy of tests/crates/demo in
# BUILD_DIR/demo, which leaves BUILD_DIR/demo/flamegraph.svg.  Needs
# what packaging/install-deps.sh installs, and perf recording rights
# (root, or kernel.perf_event_paranoid <= 2).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
case $build in /*) ;; *) build=$PWD/$build ;; esac
for tool in cmake cc cargo perf; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "demo.sh: $tool not found; run packaging/install-deps.sh first" >&2
		exit 1
	}
done
cmake -S "$top" -B "$build" >/dev/null
cmake --build "$build" -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
# a copy, so that the crate's target/ and the graph stay out of the tree
rm -rf "$build/demo"
cp -R "$top/tests/crates/demo" "$build/demo"
# with the build directory on PATH, cargo finds cargo-flamegraph as its
# `flamegraph` subcommand
(cd "$build/demo" && PATH=$build:$PATH cargo flamegraph --offline)
echo "demo.sh: open $build/demo/flamegraph.svg in a browser" \
    "(demo::heavy is about twice as wide as demo::light)"
