#!/bin/sh
# agree.sh RECORDING [OPTIONS...]: the native folded stacks of RECORDING
# (with OPTIONS) against the perf-script path's on the same file
# (`perf script | flamegraph-collapse-perf OPTIONS`).  With INLINE=0,
# both with --no-inline.  With inline frames (INLINE=1, the default of
# the tools): a DWARF recording is held to `perf script` itself, which
# names its frames by addr2line; a frame-pointer one, where perf 6.1 adds
# no inline frames, to `perf script` with its user frames named by
# addr2line the same way (a2l-inline.py).  Agreement = sum over stacks
# of min(weight A, weight B) / total weight; it must be at least 0.995.
# Prints the figure and the stacks that differ most.  LIMIT overrides
# 0.995.  With EXPECT set, the native output must also hold that text.
set -eu
W=${FG_BUILD_DIR:?}/perfdata
rec=$1; shift
[ -f "$W/$rec" ] || { echo "skipped: no recording $W/$rec (fixture skipped)"; exit 77; }
NATIVE=$FG_BUILD_DIR/flamegraph-collapse-perfdata
REF=$FG_BUILD_DIR/flamegraph-collapse-perf
[ -x "$REF" ] || { echo "skipped: flamegraph-collapse-perf not built"; exit 77; }
inline=${INLINE:-1}
tag=$(echo "$rec $* $inline" | tr -c 'a-z0-9' '_')
fields=
case " $* " in *" --pid "*|*" --tid "*) fields="-F +pid" ;; esac
noinl=
[ "$inline" = 1 ] || noinl=--no-inline
# shellcheck disable=SC2086
"$NATIVE" -q $noinl "$@" "$W/$rec" > "$W/$tag.native.folded"
if [ -n "${EXPECT:-}" ] && ! grep -qF "$EXPECT" "$W/$tag.native.folded"; then
	echo "FAIL: no \"$EXPECT\" in the native output"; exit 1
fi
expand=cat
if [ "$inline" = 1 ] && ! perf report --header-only -i "$W/$rec" 2>/dev/null |
	grep -q 'sample_type = .*STACK_USER'; then
	command -v addr2line >/dev/null || { echo "skipped: no addr2line"; exit 77; }
	expand="python3 ${FG_SOURCE_DIR:?}/tests/perfdata/a2l-inline.py"
fi
# shellcheck disable=SC2086
perf script $fields -i "$W/$rec" $noinl 2>/dev/null | $expand |
	"$REF" -q "$@" > "$W/$tag.ref.folded"
awk -v limit="${LIMIT:-0.995}" -f "$(dirname "$0")/../folded-agree.awk" \
	"$W/$tag.native.folded" "$W/$tag.ref.folded"
