#!/bin/sh
# native-agree: on one frame-pointer recording of a multi-threaded Rust
# program (fpwork: threads, closures, generics, iterators, std, libc,
# kernel time), the native reader and the perf-script path (--perf-script)
# agree on >= 99% of the weight with --no-inline (agreement = sum over
# stacks of min(wA, wB) / total); the native path adds inline frames.
# Then the default mode (DWARF, inline frames on): >= 99.5%.
# requires: cargo perf
# labels: e2e threads
. "$(dirname "$0")/lib.sh"
# agreement A B: the common weight of two folded files, in 1/10000
agreement() {
	awk 'FNR == NR { w = $NF; $NF = ""; a[$0] += w; ta += w; next }
	{ w = $NF; $NF = ""; b[$0] += w; tb += w }
	END { for (k in a) if (k in b) m += a[k] < b[k] ? a[k] : b[k]
	      t = ta > tb ? ta : tb; printf "%d\n", t ? 10000 * m / t : 0 }' "$1" "$2"
}
setup native-agree fpwork
cd "$W/crate"
"$CFG" flamegraph -v --bin fpwork --call-graph fp --no-inline --folded-output "$W/native.folded" \
    -o "$W/native.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "cargo flamegraph --call-graph fp --no-inline"
grep_err 'native perf.data reader (frame-pointer call chains)'
data=$W/target/flamegraph/perf.data
"$FG" -v --perfdata "$data" --perf-script --no-inline --folded-output "$W/script.folded" \
    -o "$W/script.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "flamegraph --perfdata --perf-script"
grep_err 'perf script path (--perf-script)'
agree=$(agreement "$W/script.folded" "$W/native.folded")
echo "agreement: $((agree / 100)).$(printf '%02d' $((agree % 100)))% of the weight"
[ "$agree" -ge 9900 ] || fail "native and perf script agree on only $agree/10000 of the weight"
# with inline frames (the default) the native path shows them, from the same recording
"$FG" --perfdata "$data" --folded-output "$W/inline.folded" -o "$W/inline.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "flamegraph --perfdata (native, inline frames)"
n_in=$(tr ';' '\n' <"$W/inline.folded" | sed 's/ [0-9]*$//' | sort -u | wc -l)
n_no=$(tr ';' '\n' <"$W/native.folded" | sed 's/ [0-9]*$//' | sort -u | wc -l)
[ "$n_in" -gt "$n_no" ] || fail "no inline frames added ($n_in vs $n_no names)"
echo "ok: $n_no names without inline frames, $n_in with"
# The default mode (DWARF call chains, inline frames on) as users run it:
# the perf-script path names frames by addr2line there, and so must the
# native path (the DWARF subprogram holding the address, not a symbol
# table alias such as __libc_start_main@@GLIBC_2.34).
"$CFG" flamegraph --bin fpwork --folded-output "$W/dnative.folded" \
    -o "$W/dnative.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "cargo flamegraph (default mode)"
"$FG" --perfdata "$data" --perf-script --folded-output "$W/dscript.folded" \
    -o "$W/dscript.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "flamegraph --perfdata --perf-script (inline frames)"
agree=$(agreement "$W/dscript.folded" "$W/dnative.folded")
echo "default mode agreement: $((agree / 100)).$(printf '%02d' $((agree % 100)))% of the weight"
[ "$agree" -ge 9950 ] || fail "default mode: native and perf script agree on only $agree/10000 of the weight"
grep -q '__libc_start_main_impl' "$W/dnative.folded" ||
	fail "default mode: no __libc_start_main_impl (the debug info's name) in the native stacks"
! grep -q '__libc_start_main@' "$W/dnative.folded" ||
	fail "default mode: a symbol table alias of __libc_start_main in the native stacks"
echo "ok: default mode"
