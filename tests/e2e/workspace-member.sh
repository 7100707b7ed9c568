#!/bin/sh
# workspace-member: from a member directory with a single binary, plain
# `cargo flamegraph` picks it; the graph still goes to the workspace root
# (Cargo's workspace root), not the member directory.
# requires: cargo perf
# labels: e2e
. "$(dirname "$0")/lib.sh"
setup workspace-member workspace
cd "$W/crate/tool2"
"$CFG" flamegraph >"$OUT" 2>"$ERR"
expect_status 0 $? "cargo flamegraph in tool2/"
svg=$W/crate/flamegraph.svg
[ ! -e "$W/crate/tool2/flamegraph.svg" ] || fail "graph written in the member directory"
has_frame "$svg" tool2::main
has_frame "$svg" tool2::tool2_spin
# -o is relative to the current directory
"$CFG" flamegraph -o here.svg --manifest-path ../app/Cargo.toml --bin app >"$OUT" 2>"$ERR"
expect_status 0 $? "--manifest-path ../app/Cargo.toml --bin app"
has_frame "$W/crate/tool2/here.svg" app::app_main_work
echo ok
