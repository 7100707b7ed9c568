#!/bin/sh
# perfdata: --perfdata FILE draws an existing recording without recording
# (flamegraph and cargo flamegraph), giving the same frames as the run that
# made it; a missing file is a clear error; an output that is not a
# regular file (a FIFO, /dev/null) is written as it is.
# requires: cargo perf
# labels: e2e threads
. "$(dirname "$0")/lib.sh"
setup perfdata demo
cd "$W/crate"
"$CFG" flamegraph -o "$W/first.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "first run"
data=$W/target/flamegraph/perf.data
before=$(stat -c %Y "$data")
"$FG" --perfdata "$data" -o "$W/again.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "flamegraph --perfdata"
python3 "$FRAMES" "$W/first.svg" "$W/again.svg" || fail "frames differ"
"$CFG" flamegraph --perfdata "$data" -o "$W/cargo.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "cargo flamegraph --perfdata"
python3 "$FRAMES" "$W/first.svg" "$W/cargo.svg" || fail "frames differ"
grep -q Compiling "$ERR" && fail "--perfdata built the crate"
# without -o, cargo flamegraph --perfdata writes to the workspace root
mkdir -p src/sub && (cd src/sub && "$CFG" flamegraph --perfdata "$data" >"$OUT" 2>"$ERR")
expect_status 0 $? "cargo flamegraph --perfdata from a subdirectory"
has_frame "$W/crate/flamegraph.svg" demo::heavy
[ "$(stat -c %Y "$data")" = "$before" ] || fail "the recording was rewritten"
# output to something that is not a regular file (a FIFO here, as
# /dev/null would be): written as it is, not replaced by a renamed file
mkfifo "$W/fifo"
cat "$W/fifo" > "$W/fifo.out" &
reader=$!
"$FG" --perfdata "$data" -o "$W/fifo" >"$OUT" 2>"$ERR"
expect_status 0 $? "flamegraph -o FIFO"
if [ -p "$W/fifo" ]; then wait $reader; else
	kill $reader; fail "the FIFO was replaced"; fi
grep -q '<svg' "$W/fifo.out" || fail "no SVG through the FIFO"
"$FG" --perfdata "$W/nosuch.data" -o "$W/x.svg" >"$OUT" 2>"$ERR"
expect_status 1 $? "missing recording"
grep_err 'nosuch.data'
[ ! -e "$W/x.svg" ] || fail "a graph for a missing recording"
echo ok
