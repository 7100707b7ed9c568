#!/bin/sh
# ambiguous: from a virtual workspace root with several binaries, the
# error lists every candidate as the flags that pick it; an unknown target
# is an error that lists the candidates; an unknown package too.
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
echo ok
