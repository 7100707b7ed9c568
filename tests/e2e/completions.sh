#!/bin/sh
# completions: `--completions bash|zsh|fish` of flamegraph and
# cargo-flamegraph (and of the renderer and the collapsers) print scripts
# written from the parser's own option table: bash loads it and completes options and their values (a
# COMP_WORDS simulation); zsh and fish check the syntax when installed.
# requires: bash
# labels: e2e
. "$(dirname "$0")/lib.sh"
W=$FG_E2E_WORK/completions
rm -rf "$W"; mkdir -p "$W"
ERR=$W/err
# the renderer and the collapsers beside them have it too
BIN=$(dirname "$FG")
for prog in "$FG" "$CFG" "$BIN/flamegraph-render" \
    "$BIN/flamegraph-collapse-perf" "$BIN/flamegraph-collapse-perfdata"; do
	for sh in bash zsh fish; do
		"$prog" --completions $sh >"$W/$sh" 2>"$ERR"
		expect_status 0 $? "$prog --completions $sh"
		[ -s "$W/$sh" ] || fail "$prog --completions $sh: empty"
	done
	command -v zsh >/dev/null 2>&1 && { zsh -n "$W/zsh" || fail "$prog: zsh syntax"; }
	command -v fish >/dev/null 2>&1 && { fish -n "$W/fish" || fail "$prog: fish syntax"; }
done
"$FG" --completions tcsh >"$W/out" 2>"$ERR"; expect_status 2 $? "--completions tcsh"
grep_err '--completions tcsh: expected one of bash zsh fish'
# complete NAME WORDS...: the words bash offers for the last word
cat >"$W/sim.bash" <<'SIM'
src=$1 name=$2; shift 2
source <("$src" --completions bash) || exit 1
complete -p "$name" >/dev/null || exit 1
COMP_WORDS=("$name" "$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
fn=$(complete -p "$name" | sed 's/.*-F \([^ ]*\) .*/\1/')
"$fn" "$name" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\n' "${COMPREPLY[@]}"
SIM
comp() { bash "$W/sim.bash" "$@" >"$W/out" 2>"$ERR" || { cat "$ERR" >&2; fail "bash completion: $*"; }; }
has() { grep -qx -- "$1" "$W/out" || { cat "$W/out" >&2; fail "completion lacks $1"; }; }
hasnt() { ! grep -qx -- "$1" "$W/out" || fail "completion offers $1"; }
comp "$FG" flamegraph --comp
has --completions; has --compression-level
comp "$FG" flamegraph --pi
has --pid
comp "$FG" flamegraph --pack
hasnt --package		# a cargo option: not offered to flamegraph
comp "$FG" flamegraph --color ''
has auto; has always; has never
comp "$FG" flamegraph --call-graph d
has dwarf
comp "$CFG" cargo-flamegraph --unit-test-k
has --unit-test-kind
comp "$CFG" cargo-flamegraph --unit-test-kind ''
has bin; has lib
comp "$CFG" cargo-flamegraph --pi
hasnt --pid
comp "$BIN/flamegraph-render" flamegraph-render --colors r
has red; has rust
comp "$BIN/flamegraph-collapse-perf" flamegraph-collapse-perf --n
has --nthreads; hasnt --no-inline
comp "$BIN/flamegraph-collapse-perfdata" flamegraph-collapse-perfdata --n
has --no-inline; hasnt --nthreads
comp "$FG" flamegraph --diff
has --diff-against; has --diff-absolute
comp "$FG" flamegraph --fail-on-
has --fail-on-growth; has --fail-on-share-growth
comp "$CFG" cargo-flamegraph -
has -p; has -z; has -i; has -V; has --title
# every long option of the parser is offered: --help's list against bash's
"$CFG" --help >"$W/help"
comp "$CFG" cargo-flamegraph --
for o in $(grep -oE -- '--[a-z][a-z-]+' "$W/help" | sort -u); do
	has "$o"
done
# the speedscope output: the tools' option, the collapsers' --format values
comp "$FG" flamegraph --speeds
has --speedscope-output
comp "$CFG" cargo-flamegraph --speeds
has --speedscope-output
for c in flamegraph-collapse-perf flamegraph-collapse-perfdata; do
	comp "$BIN/$c" $c --format ''
	has folded; has speedscope
done
echo ok
