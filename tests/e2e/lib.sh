# lib.sh: helpers of the end-to-end tests, sourced by tests/e2e/*.sh.
# Each test works in its own directory under $FG_E2E_WORK/<name>, with a
# copy of the crate it profiles and its own CARGO_TARGET_DIR.
set -u
CFG=${FG_CARGO_FLAMEGRAPH:?}
FG=${FG_FLAMEGRAPH:?}
SRC=${FG_SOURCE_DIR:?}
FRAMES=${FG_CONFORMANCE_DIR:?}/../tools/svg-frames
[ -f "$FRAMES" ] || FRAMES=$SRC/../shared/tools/svg-frames
if [ ! -f "$FRAMES" ]; then
	echo "skipped: ../shared/tools/svg-frames not found (set FG_CONFORMANCE_DIR)"
	exit 77
fi
export CARGO_NET_OFFLINE=true
unset CARGO_TARGET_DIR

fail() { echo "FAIL: $*" >&2; exit 1; }

# setup NAME CRATE: fresh work directory $W holding a copy of CRATE in $W/crate
setup() {
	W=$FG_E2E_WORK/$1
	rm -rf "$W"
	mkdir -p "$W"
	cp -r "$SRC/tests/crates/$2" "$W/crate"
	export CARGO_TARGET_DIR="$W/target"
	OUT=$W/out
	ERR=$W/err
}

# frames SVG: "depth<TAB>count<TAB>name" lines
frames() { python3 "$FRAMES" "$1"; }

# weight SVG NAME: summed count of the frames called NAME (0 when absent)
weight() {
	frames "$1" | awk -F'\t' -v n="$2" '$3 == n { s += $2 } END { printf "%d\n", s }'
}

# has_frame SVG NAME: fail unless a frame NAME with a non-zero weight is drawn
has_frame() {
	w=$(weight "$1" "$2")
	[ "$w" -gt 0 ] || { frames "$1" | head -40 >&2; fail "$1: no frame $2"; }
}

# folded_weight FILE PATTERN: summed weight of stacks containing PATTERN
folded_weight() {
	awk -v p="$2" 'index($0, p) { s += $NF } END { printf "%d\n", s }' "$1"
}

# expect_status WANT GOT WHAT
expect_status() {
	[ "$2" -eq "$1" ] || { cat "$ERR" >&2 2>/dev/null; fail "$3: exit status $2, expected $1"; }
}

# grep_err PATTERN: the saved stderr contains PATTERN (fixed string)
grep_err() {
	grep -qF -- "$1" "$ERR" || { cat "$ERR" >&2; fail "stderr lacks: $1"; }
}

# grep_record PATTERN: the saved stderr (-v) shows a perf record command
# line containing PATTERN once the options the recorder adds where perf
# and the kernel support them (--no-bpf-event, --buildid-mmap) are left out
grep_record() {
	sed 's/ --no-bpf-event//; s/ --buildid-mmap//' "$ERR" | grep -qF -- "$1" ||
		{ cat "$ERR" >&2; fail "stderr lacks: $1"; }
}

# ratio_at_least A B MIN_PERCENT: A >= B * MIN_PERCENT / 100
ratio_at_least() {
	[ $(( $1 * 100 )) -ge $(( $2 * $3 )) ] || fail "weights $1 vs $2: expected at least $3%"
}
