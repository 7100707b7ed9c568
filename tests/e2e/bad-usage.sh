#!/bin/sh
# bad-usage: command-line errors exit 2 with a message; perf missing is
# explained; --version and --help work; a bad number is refused.
# requires: cargo perf
# labels: e2e
. "$(dirname "$0")/lib.sh"
setup bad-usage demo
cd "$W/crate"
"$CFG" --version >"$OUT" 2>"$ERR"; expect_status 0 $? "--version"
grep -q '^cargo-flamegraph ' "$OUT" || fail "--version text"
"$CFG" flamegraph --help >"$OUT" 2>"$ERR"; expect_status 0 $? "--help"
grep -q -- '--unit-test-kind' "$OUT" || fail "--help lacks cargo options"
grep -q -- '--title' "$OUT" || fail "--help lacks renderer options"
"$CFG" -F abc >"$OUT" 2>"$ERR"; expect_status 2 $? "-F abc"
grep_err '-F/--freq abc'
"$CFG" --no-such-flag >"$OUT" 2>"$ERR"; expect_status 2 $? "unknown flag"
grep_err 'unknown option --no-such-flag'
# a missing value is named as such, not as an unknown option (issue 13)
"$CFG" flamegraph --bin >"$OUT" 2>"$ERR"; expect_status 2 $? "--bin without a value"
grep_err 'option --bin needs a value'
"$CFG" flamegraph -b >"$OUT" 2>"$ERR"; expect_status 2 $? "-b without a value"
grep_err 'option -b needs a value'
"$FG" -o >"$OUT" 2>"$ERR"; expect_status 2 $? "-o without a value"
grep_err 'option -o needs a value'
"$FG" --quiet=yes -- true >"$OUT" 2>"$ERR"; expect_status 2 $? "--quiet=yes"
grep_err 'option --quiet takes no value'
"$FG" >"$OUT" 2>"$ERR"; expect_status 2 $? "flamegraph without a command"
grep_err 'nothing to profile'
"$FG" --bin x -- true >"$OUT" 2>"$ERR"; expect_status 2 $? "cargo flag to flamegraph"
"$CFG" --unit-test-kind exe >"$OUT" 2>"$ERR"; expect_status 2 $? "bad unit-test-kind"
PERF=/nonexistent/perf "$FG" -o "$W/x.svg" -- true >"$OUT" 2>"$ERR"
expect_status 1 $? "perf missing"
grep_err 'install perf'
# no samples: a clear hint, no graph.  One sample per CPU second of task
# clock: `true` never gets one, however slow the machine (at 997 Hz a
# loaded machine, or a PMU's cycles starting at period 1, give it one).
"$FG" -c 'record -e task-clock -c 1000000000' -o "$W/ns.svg" -- true \
	>"$OUT" 2>"$ERR"; expect_status 1 $? "no samples"
grep_err 'no samples were recorded'
grep_err 'raise the frequency (-F)'
[ ! -e "$W/ns.svg" ] || fail "a graph without samples"
# --root with its flags split as words (-v: the perf command line)
"$FG" -v --root='-n -E' -o "$W/root.svg" -- true >"$OUT" 2>"$ERR"
expect_status 1 $? "--root -- true"
grep_record 'sudo -n -E -- perf record -F 997 --call-graph dwarf,32768 -o perf.data -- /'
command -v sudo >/dev/null 2>&1 || grep_err 'sudo was not found'
# perf refused as a user: perf's message, then ours with the paranoid hint
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1 &&
   [ "$(cat /proc/sys/kernel/perf_event_paranoid)" -ge 2 ]; then
	mkdir -p "$W/nobody" && chmod 777 "$W/nobody"
	(cd "$W/nobody" && setpriv --reuid=65534 --regid=65534 --clear-groups \
	    "$FG" --pid 1 -o "$W/nobody/p.svg" >"$OUT" 2>"$ERR")
	expect_status 1 $? "perf refused"
	grep_err 'perf record failed'
	grep_err 'sudo sysctl kernel.perf_event_paranoid=1'
	grep_err 'or run perf as root with --root'
fi
NO_COLOR=1 "$CFG" --bin nosuch >"$OUT" 2>"$ERR"; expect_status 1 $? "unknown bin"
# root = true in the manifest runs perf through sudo, as --root does
mkdir -p "$W/rootcrate" && cp -R "$W/crate/." "$W/rootcrate/"
printf '\n[package.metadata.flamegraph]\nroot = true\n' >>"$W/rootcrate/Cargo.toml"
(cd "$W/rootcrate" && "$CFG" flamegraph -v -o "$W/rootm.svg" >"$OUT" 2>"$ERR")
grep_record 'sudo -- perf record -F 997'
echo ok
