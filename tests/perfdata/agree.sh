#!/bin/sh
# agree.sh RECORDING [OPTIONS...]: the native folded stacks of RECORDING
# (with --no-inline and OPTIONS) against the perf-script path's
# (`perf script --no-inline | flamegraph-collapse-perf OPTIONS`) on the
# same file.  Agreement = sum over stacks of min(weight A, weight B) /
# total weight; it must be at least 0.99.  Prints the figure and the
# stacks that differ most.  LIMIT overrides 0.99.  With EXPECT set, the native output must also
# hold that text.
set -eu
W=${FG_BUILD_DIR:?}/perfdata
rec=$1; shift
[ -f "$W/$rec" ] || { echo "skipped: no recording $W/$rec (fixture skipped)"; exit 77; }
NATIVE=$FG_BUILD_DIR/flamegraph-collapse-perfdata
REF=$FG_BUILD_DIR/flamegraph-collapse-perf
[ -x "$REF" ] || { echo "skipped: flamegraph-collapse-perf not built"; exit 77; }
tag=$(echo "$rec $*" | tr -c 'a-z0-9' '_')
fields=
case " $* " in *" --pid "*|*" --tid "*) fields="-F +pid" ;; esac
"$NATIVE" -q --no-inline "$@" "$W/$rec" > "$W/$tag.native.folded"
if [ -n "${EXPECT:-}" ] && ! grep -qF "$EXPECT" "$W/$tag.native.folded"; then
	echo "FAIL: no \"$EXPECT\" in the native output"; exit 1
fi
# shellcheck disable=SC2086
perf script $fields -i "$W/$rec" --no-inline 2>/dev/null | "$REF" -q "$@" > "$W/$tag.ref.folded"
awk -v limit="${LIMIT:-0.99}" '
function add(line, arr,   i, w) {
	i = match(line, / [0-9]+$/); if (!i) return 0
	w = substr(line, i + 1) + 0; arr[substr(line, 1, i - 1)] += w; return w
}
FNR == NR { ta += add($0, A); next }
{ tb += add($0, B) }
END {
	for (k in A) keys[k] = 1
	for (k in B) keys[k] = 1
	for (k in keys) { a = A[k] + 0; b = B[k] + 0; m += (a < b ? a : b) }
	t = ta > tb ? ta : tb
	if (t == 0) { print "no samples"; exit 1 }
	printf "agreement %.4f (common weight %d of %d native, %d perf script)\n", m / t, m, ta, tb
	n = 0
	for (k in keys) { d = A[k] - B[k]; if (d < 0) d = -d; if (d > 0) diff[k] = d }
	for (j = 0; j < 5; j++) {
		best = ""; bd = 0
		for (k in diff) if (diff[k] > bd) { bd = diff[k]; best = k }
		if (best == "") break
		printf "  differs by %d (native %d, perf script %d): %s\n", bd, A[best], B[best], substr(best, 1, 240)
		delete diff[best]
	}
	exit (m / t >= limit) ? 0 : 1
}' "$W/$tag.native.folded" "$W/$tag.ref.folded"
