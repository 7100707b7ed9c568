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
awk -v limit="${LIMIT:-0.99}" -f "$(dirname "$0")/../folded-agree.awk" \
	"$W/$tag.native.folded" "$W/$tag.ref.folded"
