#!/bin/sh
# collapse.sh: `--format pprof` of flamegraph-collapse-perfdata and
# flamegraph-collapse-perf on the checked-in recordings and on perf script
# text: `go tool pprof` reads the profile, its total is the folded total
# of the same program, the second value counts the samples, the threads
# are labelled; a bad format and a terminal are refused.  Skipped when Go
# is not installed.
set -u
: "${CPD:?}" "${CP:?}" "${FG_SOURCE_DIR:?}" "${WORK:?}"
command -v go >/dev/null 2>&1 || { echo "skipped: go not installed"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
rm -rf "$WORK"
mkdir -p "$WORK/home"
pp() { HOME="$WORK/home" GOCACHE="$WORK/gocache" GOPATH="$WORK/gopath" \
	GOPROXY=off GOTOOLCHAIN=local GOFLAGS= go tool pprof "$@" 2>"$WORK/err" ||
	{ cat "$WORK/err" >&2; fail "go tool pprof $*"; }; }
# total PROFILE: the sum of the last value of the -raw samples
total() { pp -raw "$1" | awk '/^Samples:/ { on = 1; next } /^Locations/ { on = 0 }
	on && $0 ~ /^ *[0-9]+ +[0-9]+:/ { c += $1; s += $2 } END { printf "%d %d\n", c, s }'; }
data=$FG_SOURCE_DIR/tests/data/perfdata
for rec in fp dwarf; do
	"$CPD" -q "$data/$rec.data" >"$WORK/$rec.folded" || fail "$rec: folded"
	"$CPD" -q --format pprof "$data/$rec.data" >"$WORK/$rec.pb.gz" || fail "$rec: pprof"
	want=$(awk '{ s += $NF } END { printf "%d\n", s }' "$WORK/$rec.folded")
	set -- $(total "$WORK/$rec.pb.gz")
	[ "$2" -eq "$want" ] || fail "$rec: pprof total $2, folded $want"
	[ "$1" -gt 0 ] || fail "$rec: no sample count"
	pp -raw "$WORK/$rec.pb.gz" | grep -q 'thread:\[' || fail "$rec: no thread label"
	"$CPD" -q --format pprof "$data/$rec.data" | cmp -s - "$WORK/$rec.pb.gz" ||
		fail "$rec: not the same bytes twice"
done
# perf script text through the other collapser (two samples of 250000)
printf '%s\n' \
	'app 100/100 [000] 10.000001: 250000 cpu-clock:' \
	'	    1000 leaf+0x1 (/bin/app)' '	    2000 main+0x2 (/bin/app)' '' \
	'app 100/101 [001] 10.000002: 250000 cpu-clock:' \
	'	    1000 leaf+0x1 (/bin/app)' '	    2000 main+0x2 (/bin/app)' '' >"$WORK/s.txt"
"$CP" --format pprof "$WORK/s.txt" >"$WORK/s.pb.gz" || fail "collapse-perf pprof"
set -- $(total "$WORK/s.pb.gz")
[ "$1" -eq 2 ] && [ "$2" -eq 500000 ] || fail "collapse-perf: $1 samples, $2 ns"
pp -raw "$WORK/s.pb.gz" | grep -q '^samples/count cpu/nanoseconds$' || fail "sample types"
pp -tags "$WORK/s.pb.gz" | grep -q '101' || fail "no tid 101"
"$CPD" --format svg "$data/fp.data" >/dev/null 2>"$WORK/e" && fail "--format svg accepted"
grep -q 'expected folded, speedscope or pprof' "$WORK/e" || fail "--format svg message"
echo ok
