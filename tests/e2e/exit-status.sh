#!/bin/sh
# exit-status: a non-zero exit status and death by a signal are passed on
# (128 + signal), each with its graph; `flamegraph -- CMD` likewise.
# requires: cargo perf
# labels: e2e
. "$(dirname "$0")/lib.sh"
setup exit-status demo
cd "$W/crate"
"$CFG" flamegraph -- exit 7 >"$OUT" 2>"$ERR"
expect_status 7 $? "exit 7"
has_frame flamegraph.svg demo::heavy
exe=$W/target/release/demo
[ -x "$exe" ] || fail "no $exe"
cat >"$W/killself.sh" <<SH
#!/bin/sh
"$exe" >/dev/null
kill -SEGV \$\$
SH
chmod +x "$W/killself.sh"
"$FG" -o "$W/sig.svg" -- "$W/killself.sh" >"$OUT" 2>"$ERR"
expect_status 139 $? "death by SIGSEGV"
grep_err 'signal 11 (SIGSEGV)'
has_frame "$W/sig.svg" demo::heavy
echo ok
