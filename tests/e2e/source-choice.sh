#!/bin/sh
# source-choice: a DWARF recording (the default call graph) is processed
# by the native path (unwound in process) and says so with -v, through
# `cargo flamegraph` and through `flamegraph --perfdata`; --perf-script
# takes the reference path and draws the same functions; --call-graph values are checked
# (lbr refused where the CPU has no branch records, dwarf sizes within
# perf's limits, not with -c or --perfdata).
# requires: cargo perf
# labels: e2e
. "$(dirname "$0")/lib.sh"
setup source-choice demo
cd "$W/crate"
"$CFG" flamegraph -v -o "$W/dwarf.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "cargo flamegraph (dwarf)"
grep_err 'perf record -F 997 --call-graph dwarf,32768'
grep_err 'native perf.data reader (DWARF stack copies'
has_frame "$W/dwarf.svg" demo::heavy
data=$W/target/flamegraph/perf.data
"$FG" -v --perfdata "$data" -o "$W/again.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "flamegraph --perfdata on a DWARF recording"
grep_err 'native perf.data reader (DWARF stack copies'
python3 "$FRAMES" "$W/dwarf.svg" "$W/again.svg" || fail "frames differ"
"$FG" -v --perf-script --perfdata "$data" -o "$W/ref.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "flamegraph --perf-script --perfdata on a DWARF recording"
grep_err 'perf script path (--perf-script'
has_frame "$W/ref.svg" demo::heavy
has_frame "$W/ref.svg" demo::light
"$FG" -v --call-graph dwarf,16384 -o "$W/d16.svg" -- "$W/target/release/demo" >"$OUT" 2>"$ERR"
expect_status 0 $? "flamegraph --call-graph dwarf,16384"
grep_record "perf record -F 997 --call-graph dwarf,16384 -o perf.data -- $W/target/release/demo"
has_frame "$W/d16.svg" demo::light
bad() {	# bad MESSAGE ARGS...: exit status 2 and MESSAGE on stderr
	msg=$1; shift
	"$FG" "$@" >"$OUT" 2>"$ERR"
	expect_status 2 $? "$*"
	grep_err "$msg"
}
bad 'expected fp, dwarf[,SIZE] or lbr' --call-graph frames -- true
bad 'expected 8..65528' --call-graph dwarf,70000 -- true
bad 'cannot be used together' --call-graph fp -c 'record -g' -- true
bad '--perfdata reads a recording as it was made' --call-graph fp --perfdata "$data"
if [ ! -e /sys/bus/event_source/devices/cpu/caps/branches ]; then
	bad 'no last branch records' --call-graph lbr -- true
fi
echo ok
