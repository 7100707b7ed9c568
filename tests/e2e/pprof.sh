#!/bin/sh
# pprof: --pprof-output writes a gzipped profile.proto that `go tool pprof`
# reads: its total is the folded stacks' total, the flat (self) weights of
# the hottest functions are the folded leaves' weights, Range::next is an
# inline frame of demo::mix's location in its traces, the samples carry
# thread labels that -tagfocus selects by, the same recording gives the
# same bytes, and a post-process command's stacks are what it holds.
# requires: cargo perf go
# labels: e2e
. "$(dirname "$0")/lib.sh"
setup pprof demo
cd "$W/crate"
"$CFG" flamegraph -o "$W/a.svg" --pprof-output "$W/a.pb.gz" \
    --folded-output "$W/a.folded" >"$OUT" 2>"$ERR"
expect_status 0 $? "record"
grep_err "Writing $W/a.pb.gz"
gzip -t "$W/a.pb.gz" || fail "not gzip"

# go offline, its home and caches here (cargo above keeps the user's)
mkdir -p "$W/home"
pp() { HOME="$W/home" GOCACHE="$W/gocache" GOPATH="$W/gopath" GOPROXY=off \
	GOTOOLCHAIN=local GOFLAGS= go tool pprof "$@" 2>"$W/pprof.err" ||
	{ cat "$W/pprof.err" >&2; fail "go tool pprof $*"; }; }

# the total, in ns (cpu-clock's unit) and in samples
total=$(awk '{ s += $NF } END { printf "%d\n", s }' "$W/a.folded")
pp -top -unit=ns -nodecount=5 "$W/a.pb.gz" >"$W/top"
grep -q '^Type: cpu$' "$W/top" || { cat "$W/top" >&2; fail "sample type not cpu"; }
grep -qF "Total samples = ${total}ns" "$W/top" ||
	{ cat "$W/top" >&2; fail "pprof total is not the folded total $total"; }
pp -raw "$W/a.pb.gz" >"$W/raw"
grep -q '^samples/count cpu/nanoseconds$' "$W/raw" || fail "sample types"
grep -q '^PeriodType: cpu nanoseconds$' "$W/raw" || fail "period type"
rawsum=$(awk '/^Samples:/ { on = 1; next } /^Locations/ { on = 0 }
	on && $2 ~ /^[0-9]+:$/ { s += $2 } END { printf "%d\n", s }' "$W/raw")
[ "$rawsum" -eq "$total" ] || fail "raw samples sum $rawsum, folded $total"

# flat = the weight of the stacks a function ends (self time)
leaf() { awk -v n="$1" '{ w = $NF; $NF = ""; sub(/ $/, "");
	k = split($0, f, ";"); if (f[k] == n) s += w } END { printf "%d\n", s }' "$W/a.folded"; }
# (pprof adds " (inline)" to a function inlined at the location)
flat() { awk -v n="$1" '{ l = $0; sub(/ \(inline\)$/, "", l) }
	substr(l, length(l) - length(n) - 1) == "  " n {
	v = $1; sub(/ns$/, "", v); print v + 0; exit }' "$W/top"; }
for fn in demo::mix core::hint::black_box; do
	l=$(leaf "$fn")
	f=$(flat "$fn")
	[ -n "$f" ] || { cat "$W/top" >&2; fail "$fn not in pprof's top"; }
	[ "$f" -eq "$l" ] || fail "$fn: pprof flat $f, folded leaves $l"
done

# inline frames: Range::next inlined into demo::mix, one location with it
pp -traces "$W/a.pb.gz" >"$W/traces"
grep -q 'core::iter::range::.*::next (inline)$' "$W/traces" ||
	{ head -40 "$W/traces" >&2; fail "no inline frame in the traces"; }
grep -q '^1: .* demo  \[FN\]\[IN\]$' "$W/raw" || fail "mapping without inline frames"
grep -q 'thread:  demo$' "$W/traces" || fail "no thread label"

# -tagfocus on the thread label keeps every sample (one thread); on another
# thread name, none
pp -top -unit=ns -nodefraction=0 -tagfocus=thread=demo "$W/a.pb.gz" >"$W/tf"
grep -qF "Showing nodes accounting for ${total}ns, 100% of ${total}ns total" "$W/tf" ||
	{ cat "$W/tf" >&2; fail "-tagfocus thread=demo"; }
pp -top -unit=ns -tagfocus=thread=nosuchthread "$W/a.pb.gz" >"$W/tf0"
grep -qF "Showing nodes accounting for 0, 0% of ${total}ns total" "$W/tf0" ||
	{ cat "$W/tf0" >&2; fail "-tagfocus on another thread kept samples"; }

# the same recording, the same bytes
data=$W/target/flamegraph/perf.data
"$FG" --perfdata "$data" --pprof-output "$W/b.pb.gz" -o "$W/b.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "--perfdata --pprof-output"
cmp "$W/a.pb.gz" "$W/b.pb.gz" || fail "not deterministic"

# after --post-process: its stacks (one value, the weight)
"$FG" --perfdata "$data" --post-process "grep -v demo::light" \
    --pprof-output "$W/pp.pb.gz" -o "$W/pp.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "--post-process --pprof-output"
pp -raw "$W/pp.pb.gz" >"$W/ppraw"
grep -q 'demo::light' "$W/ppraw" && fail "post-processed pprof has demo::light"
grep -q 'demo::heavy' "$W/ppraw" || fail "post-processed pprof lacks demo::heavy"
grep -q '^cpu/nanoseconds$' "$W/ppraw" || fail "post-processed sample type"
echo ok
