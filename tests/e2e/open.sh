#!/bin/sh
# open: --open hands the written SVG to xdg-open (a fake one here that
# records its arguments: no browser starts); a failing or missing
# xdg-open is a warning, not a failure.
# requires: cargo perf
# labels: e2e
. "$(dirname "$0")/lib.sh"
setup open demo
mkdir -p "$W/bin" "$W/run" "$W/empty"
cd "$W/run"
"$FG" --call-graph fp -F 4999 -- sh -c 'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done' \
    >"$OUT" 2>"$ERR"
expect_status 0 $? "flamegraph -- sh -c loop"
[ -s flamegraph.svg ] && [ -s perf.data ] || fail "no recording"
cat >"$W/bin/xdg-open" <<EOS
#!/bin/sh
printf '%s\n' "\$#" "\$@" >"$W/open.args"
EOS
chmod +x "$W/bin/xdg-open"
PATH=$W/bin:$PATH "$FG" --open --perfdata perf.data -o "$W/o.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "flamegraph --open"
[ "$(cat "$W/open.args")" = "$(printf '1\n%s' "$W/o.svg")" ] ||
	fail "xdg-open got: $(cat "$W/open.args")"
printf '#!/bin/sh\nexit 4\n' >"$W/bin/xdg-open"
PATH=$W/bin:$PATH "$FG" --open --perfdata perf.data -o "$W/o2.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "flamegraph --open with a failing xdg-open"
grep_err "warning: --open: xdg-open $W/o2.svg failed"
[ -s "$W/o2.svg" ] || fail "no graph"
PATH=$W/empty "$FG" --open --perfdata perf.data -o "$W/o3.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "flamegraph --open without xdg-open"
grep_err 'xdg-utils'
echo ok
