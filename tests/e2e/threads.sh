#!/bin/sh
# threads: --flamechart on a recording draws one lane per thread with time
# as x (frames in time order, a gap where the "sleeper" thread slept),
# its --folded-output rooted at each thread's comm-PID/TID; --per-thread
# draws a graph per thread, heaviest first, each lane's total equal to its
# thread's folded total; both totals equal the plain folded total; the
# same recording gives the same bytes twice; after --post-process the
# chart falls back to the folded order with a warning.
# requires: cargo perf
# labels: e2e
. "$(dirname "$0")/lib.sh"
setup threads threads
LANES="python3 $SRC/tests/e2e/lanes.py"
MS=300
cd "$W/crate"
"$CFG" flamegraph --flamechart --folded-output "$W/time.folded" \
    -o "$W/time.svg" -- $MS >"$OUT" 2>"$ERR"
expect_status 0 $? "cargo flamegraph --flamechart"
data=$W/target/flamegraph/perf.data
$LANES time "$W/time.svg" "$W/time.folded" $MS || fail "time chart"
grep -q 'fg:timeline="1"' "$W/time.svg" || fail "no fg:timeline"
grep -q '>busy (tid ' "$W/time.svg" || fail "no lane of the busy thread"
"$FG" --perfdata "$data" --folded-output "$W/plain.folded" \
    -o "$W/plain.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "flamegraph --perfdata"
plain=$(awk '{ s += $NF } END { print s }' "$W/plain.folded")
t=$(awk '{ s += $NF } END { print s }' "$W/time.folded")
[ "$t" = "$plain" ] || fail "time chart's folded total $t, plain $plain"
# --minwidth 0: every root frame drawn, so that a lane's frames add up
"$FG" --perfdata "$data" --per-thread --minwidth 0 --folded-output "$W/pt.folded" \
    -o "$W/pt.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "flamegraph --per-thread"
$LANES threads "$W/pt.svg" "$W/pt.folded" || fail "per-thread graph"
p=$(awk '{ s += $NF } END { print s }' "$W/pt.folded")
[ "$p" = "$plain" ] || fail "per-thread folded total $p, plain $plain"
# deterministic
"$FG" --perfdata "$data" --per-thread --minwidth 0 -o "$W/pt2.svg" >"$OUT" 2>"$ERR"
cmp -s "$W/pt.svg" "$W/pt2.svg" || fail "--per-thread: output differs run to run"
"$FG" --perfdata "$data" --flamechart -o "$W/time2.svg" >"$OUT" 2>"$ERR"
cmp -s "$W/time.svg" "$W/time2.svg" || fail "--flamechart: output differs run to run"
# both: the time chart, lanes heaviest first
"$FG" --perfdata "$data" --flamechart --per-thread --folded-output "$W/tw.folded" \
    -o "$W/tw.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "flamegraph --flamechart --per-thread"
$LANES time "$W/tw.svg" "$W/tw.folded" $MS || fail "time chart by weight"
w=$(sed -n 's/.*fg:lanes="\([^"]*\)".*/\1/p' "$W/pt.svg" | awk '{ for (i = 3; i <= NF; i += 3) printf "%s ", $i }')
first=$(grep -o 'class="lane"[^>]*>[^<]*' "$W/pt.svg" | head -1 | sed 's/.*>//; s/ .*//')
tfirst=$(grep -o 'class="lane"[^>]*>[^<]*' "$W/tw.svg" | head -1 | sed 's/.*>//; s/ .*//')
[ "$first" = "$tfirst" ] || fail "--flamechart --per-thread: first lane $tfirst, heaviest $first ($w)"
# --post-process: no sample times left; the old chart, with a warning
"$FG" --perfdata "$data" --flamechart --post-process cat -o "$W/pp.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "flamegraph --flamechart --post-process cat"
grep_err 'no sample times after --post-process'
grep -q 'fg:lanes' "$W/pp.svg" && fail "--post-process: lanes drawn"
echo "ok: lanes per thread, heaviest first: $w"
