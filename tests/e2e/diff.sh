#!/bin/sh
# diff: --diff-against BASE draws a differential graph against a previous
# --folded-output (doctored here: one function's counts changed) or a
# perf.data: frames sized by this run, red where they grew, blue where
# they shrank; --folded-output stays this run's plain stacks; the change
# table on stderr; the gates --fail-on-growth and --fail-on-share-growth
# exit 3 with the outputs written, the program's own failure winning; a
# bad BASE is one line and exit 1 before anything is recorded.
# requires: cargo perf python3
# labels: e2e
. "$(dirname "$0")/lib.sh"
setup diff demo
cd "$W/crate"
"$CFG" flamegraph -o "$W/base.svg" --folded-output "$W/base.folded" \
    >"$OUT" 2>"$ERR"
expect_status 0 $? "baseline"
[ -s "$W/base.folded" ] || fail "no baseline folded output"
# the runs below record again: the baseline's recording kept aside
data=$W/base.data
cp "$W/target/flamegraph/perf.data" "$data" || fail "no recording"

# scale FILE PATTERN FACTOR: FILE with the counts of the stacks containing
# PATTERN multiplied by FACTOR (all stacks: PATTERN "")
scale() {
	awk -v p="$2" -v f="$3" '{ n = $NF; s = substr($0, 1, length($0) - length(n) - 1)
		if (index(s, p)) n = int(n * f); print s " " n }' "$1"
}
# paint SVG: "name<TAB>sign of the change<TAB>fill<TAB>change" of every frame
paint() {
	python3 - "$1" <<'PY'
import re, sys
svg = open(sys.argv[1], encoding="utf-8").read()
for m in re.finditer(r'<title>(.*?) \(([\d,]+) samples, [\d.]+%(?:; ([-+]?)([\d.]+)%)?\)</title><rect [^>]*fill="([^"]*)"', svg):
    print("%s\t%s\t%s\t%s" % (m.group(1), m.group(3) or "0", m.group(5), m.group(4) or "0"))
PY
}
# colour_of SVG NAME SIGN: the fill of the frame NAME whose change has SIGN
colour_of() {
	paint "$1" | awk -F'\t' -v n="$2" -v s="$3" '$1 == n && $2 == s { print $3; exit }'
}
is_red() { case $1 in "#ff"*|rgb\(255,*) return 0 ;; esac; return 1; }
is_blue() { case $1 in "#"????ff|rgb\(*,255\)) [ "$1" != "#ffffff" ] ;; *) return 1 ;; esac; }

# demo::light four times as heavy in the base: light shrank, heavy grew
scale "$W/base.folded" demo::light 4 >"$W/light4.folded"
"$CFG" flamegraph -o "$W/d.svg" --folded-output "$W/d.folded" \
    --diff-against "$W/light4.folded" >"$OUT" 2>"$ERR"
expect_status 0 $? "cargo flamegraph --diff-against"
grep_err "Compared with $W/light4.folded"
grep_err "grew"
grep_err "shrank"
grep -q ' [0-9]* [0-9]*$' "$W/d.folded" && fail "--folded-output is differential"
has_frame "$W/d.svg" demo::heavy
has_frame "$W/d.svg" demo::light
# demo::mix under demo::light (a leaf there) shrank: blue; under heavy: red
blue=$(colour_of "$W/d.svg" demo::mix -)
red=$(colour_of "$W/d.svg" demo::mix +)
is_blue "$blue" || { paint "$W/d.svg" >&2; fail "shrunk demo::mix is not blue: '$blue'"; }
is_red "$red" || { paint "$W/d.svg" >&2; fail "grown demo::mix is not red: '$red'"; }
# the table: demo::heavy among the growers, demo::light among the shrinkers
awk '/grew/ { g = 1 } /shrank/ { g = 0 } g && /demo::heavy$/ { f = 1 } END { exit !f }' "$ERR" ||
	{ cat "$ERR" >&2; fail "demo::heavy not in the growers"; }
awk '/shrank/ { s = 1 } s && /demo::light$/ { f = 1 } END { exit !f }' "$ERR" ||
	{ cat "$ERR" >&2; fail "demo::light not in the shrinkers"; }

# the same recording against itself (a perf.data base): no change, no gate
"$FG" --perfdata "$data" --diff-against "$data" -o "$W/same.svg" \
    --fail-on-growth 0 --fail-on-share-growth 'demo::heavy:0' >"$OUT" 2>"$ERR"
expect_status 0 $? "perf.data base, no change"
grep_err "no function's share of the samples changed"
paint "$W/same.svg" | awk -F'\t' '$2 != "0" { exit 1 }' || fail "changes against itself"
# a perf.data base read through perf script as the recording is
"$FG" --perfdata "$data" --perf-script --diff-against "$data" -o "$W/ps.svg" \
    --fail-on-growth 0 >"$OUT" 2>"$ERR"
expect_status 0 $? "perf.data base, --perf-script"
# a folded base of the same run: the same graph as the perf.data base
"$FG" --perfdata "$data" --diff-against "$W/base.folded" -o "$W/same2.svg" \
    >"$OUT" 2>"$ERR"
expect_status 0 $? "folded base, no change"
cmp -s "$W/same.svg" "$W/same2.svg" || fail "folded and perf.data bases differ"

# the share gate: demo::heavy's share grew by far more than 5 points
rm -f "$W/g.svg" "$W/g.folded"
"$FG" --perfdata "$data" --diff-against "$W/light4.folded" -o "$W/g.svg" \
    --folded-output "$W/g.folded" --fail-on-share-growth 'demo::heavy:5' \
    --fail-on-share-growth 'demo::light:0' >"$OUT" 2>"$ERR"
expect_status 3 $? "--fail-on-share-growth tripped"
[ -s "$W/g.svg" ] && [ -s "$W/g.folded" ] || fail "outputs not written when a gate tripped"
grep_err "error: --fail-on-share-growth demo::heavy:5: the share of samples with a frame containing \`demo::heavy\` grew by"
grep -q 'demo::light:0' "$ERR" && fail "a gate that did not trip was reported"
"$FG" --perfdata "$data" --diff-against "$W/light4.folded" -o "$W/g.svg" \
    --fail-on-share-growth 'demo::heavy:95' -q >"$OUT" 2>"$ERR"
expect_status 0 $? "--fail-on-share-growth not tripped"
grep -qE 'Compared|grew|shrank' "$ERR" && { cat "$ERR" >&2; fail "-q printed the table"; }
# normalised or not, shares are shares: --diff-absolute trips it too
"$FG" --perfdata "$data" --diff-against "$W/light4.folded" -o "$W/g.svg" \
    --diff-absolute --fail-on-share-growth 'demo::heavy:5' >"$OUT" 2>"$ERR"
expect_status 3 $? "--diff-absolute, share gate"

# the growth gate: a base of half the samples is 100% growth
scale "$W/base.folded" "" 0.5 >"$W/half.folded"
"$FG" --perfdata "$data" --diff-against "$W/half.folded" -o "$W/h.svg" \
    --fail-on-growth 50 >"$OUT" 2>"$ERR"
expect_status 3 $? "--fail-on-growth 50"
grep_err "error: --fail-on-growth 50: the samples grew by"
"$FG" --perfdata "$data" --diff-against "$W/half.folded" -o "$W/h.svg" \
    --fail-on-growth 150 >"$OUT" 2>"$ERR"
expect_status 0 $? "--fail-on-growth 150"
# the shares did not change: normalised, no change of 0.01% or more (the
# halved counts were rounded)
paint "$W/h.svg" | awk -F'\t' '$4 + 0 >= 0.01 { exit 1 }' || fail "normalised half base shows changes"
# --diff-absolute: everything grew
"$FG" --perfdata "$data" --diff-against "$W/half.folded" -o "$W/ha.svg" \
    --diff-absolute >"$OUT" 2>"$ERR"
expect_status 0 $? "--diff-absolute"
red=$(colour_of "$W/ha.svg" demo::mix +)
is_red "$red" || { paint "$W/ha.svg" >&2; fail "--diff-absolute: demo::mix not red"; }

# the program's failure wins over a tripped gate; --ignore-status: the gate
"$CFG" flamegraph -o "$W/x.svg" --diff-against "$W/half.folded" \
    --fail-on-growth 0 -- exit 7 >"$OUT" 2>"$ERR"
expect_status 7 $? "failing program with a tripped gate"
grep_err "error: --fail-on-growth 0:"
"$CFG" flamegraph -o "$W/x.svg" --diff-against "$W/half.folded" \
    --fail-on-growth 0 --ignore-status -- exit 7 >"$OUT" 2>"$ERR"
expect_status 3 $? "--ignore-status with a tripped gate"

# a bad base: one line, exit 1, before anything is recorded
rm -f "$W/bad.svg"
for bad in "$W/missing.folded" "$(command -v cargo)" /dev/null; do
	"$CFG" flamegraph -o "$W/bad.svg" --diff-against "$bad" >"$OUT" 2>"$ERR"
	expect_status 1 $? "--diff-against $bad"
	[ "$(wc -l <"$ERR")" -eq 1 ] || { cat "$ERR" >&2; fail "$bad: not one line"; }
	grep_err "error: --diff-against: $bad"
	grep -q Profiling "$ERR" && fail "$bad: recorded anyway"
	[ ! -e "$W/bad.svg" ] || fail "$bad: a graph was written"
	case $bad in
	*/cargo) grep_err "neither folded stacks nor a perf.data recording" ;;
	/dev/null) grep_err "no samples in the base" ;;
	esac
done
"$FG" --diff-against "$W/missing.folded" -- true >"$OUT" 2>"$ERR"
expect_status 1 $? "flamegraph --diff-against missing"
grep_err "$W/missing.folded: No such file or directory"

# usage
"$FG" --perfdata "$data" --fail-on-growth 5 >"$OUT" 2>"$ERR"
expect_status 2 $? "a gate without --diff-against"
grep_err "give --diff-against BASE"
"$FG" --perfdata "$data" --diff-against "$data" --fail-on-share-growth x >"$OUT" 2>"$ERR"
expect_status 2 $? "--fail-on-share-growth without PCT"
grep_err "expected PATTERN:PCT"
"$FG" --perfdata "$data" --diff-against "$data" --fail-on-growth 5x >"$OUT" 2>"$ERR"
expect_status 2 $? "--fail-on-growth 5x"
echo ok
