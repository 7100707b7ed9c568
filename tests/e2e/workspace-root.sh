#!/bin/sh
# workspace-root: from the root of a virtual workspace, `--bin helper`
# finds the bin in member `app`; the graph goes to the workspace root and
# the recording under the shared target directory.
# requires: cargo perf
# labels: e2e
. "$(dirname "$0")/lib.sh"
setup workspace-root workspace
cd "$W/crate"
"$CFG" flamegraph --bin helper >"$OUT" 2>"$ERR"
expect_status 0 $? "--bin helper"
svg=$W/crate/flamegraph.svg
has_frame "$svg" helper::helper_work
has_frame "$svg" app::spin
[ "$(weight "$svg" app::main_work)" -eq 0 ] || fail "the wrong binary ran"
[ -s "$W/target/flamegraph/perf.data" ] || fail "no recording in the target directory"
grep -q 'helper: ' "$OUT" || fail "helper's output missing"
echo ok
