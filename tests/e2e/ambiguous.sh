#!/bin/sh
# ambiguous: from a virtual workspace root with several binaries, the
# error lists every candidate as the flags that pick it; an unknown target
# is an error that lists the candidates; an unknown package too; a package
# without binaries gets a hint; default-run is honoured.
# requires: cargo perf
# labels: e2e
. "$(dirname "$0")/lib.sh"
setup ambiguous workspace
cd "$W/crate"
"$CFG" flamegraph >"$OUT" 2>"$ERR"
expect_status 1 $? "ambiguous target"
grep_err 'error: 3 binaries could be profiled'
for c in '`-p app --bin app`' '`-p app --bin helper`' '`-p tool2 --bin tool2`' \
    '`-p app --example ex`' '`-p app --test it`' '`-p app --bench bb`'; do
	grep_err "$c"
done
[ ! -e flamegraph.svg ] || fail "a graph was written"
"$CFG" flamegraph --bin nosuch >"$OUT" 2>"$ERR"
expect_status 1 $? "unknown target"
grep_err 'no bin target named `nosuch`'
grep_err '`-p app --bin helper`'
"$CFG" flamegraph -p nosuch >"$OUT" 2>"$ERR"
expect_status 1 $? "unknown package"
grep_err 'package `nosuch` is not a member'
"$CFG" flamegraph -p tool2 --unit-test >"$OUT" 2>"$ERR"
expect_status 1 $? "ambiguous unit test"
grep_err '`--unit-test tool2 --unit-test-kind lib`'
# no binary at all: a hint and the other candidates
cargo new -q --lib --vcs none "$W/libonly" 2>"$ERR" || fail "cargo new"
(cd "$W/libonly" && "$CFG" flamegraph >"$OUT" 2>"$ERR")
expect_status 1 $? "no binary"
grep_err 'no binary target in package libonly'
grep_err '`--unit-test libonly --unit-test-kind lib`'
# default-run picks among the package's binaries
sed -i 's/^edition = "2021"/edition = "2021"\ndefault-run = "helper"/' app/Cargo.toml
(cd app && "$CFG" flamegraph -o "$W/dr.svg" >"$OUT" 2>"$ERR")
expect_status 0 $? "default-run"
has_frame "$W/dr.svg" helper::helper_work
echo ok
