#!/bin/sh
# native-agree: on one frame-pointer recording of a multi-threaded Rust
# program (fpwork: threads, closures, generics, iterators, std, libc,
# kernel time), the native reader and the perf-script path (--perf-script)
# agree on >= 99% of the weight with --no-inline (agreement = sum over
# stacks of min(wA, wB) / total); the native path adds inline frames.
. "$(dirname "$0")/lib.sh"
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
agree=$(awk 'FNR == NR { w = $NF; $NF = ""; a[$0] += w; ta += w; next }
	{ w = $NF; $NF = ""; b[$0] += w; tb += w }
	END { for (k in a) if (k in b) m += a[k] < b[k] ? a[k] : b[k]
	      t = ta > tb ? ta : tb; printf "%d\n", t ? 10000 * m / t : 0 }' \
    "$W/script.folded" "$W/native.folded")
echo "agreement: $((agree / 100)).$(printf '%02d' $((agree % 100)))% of the weight"
[ "$agree" -ge 9900 ] || fail "native and perf script agree on only $agree/10000 of the weight"
# with inline frames (the default) the native path shows them, from the same recording
"$FG" --perfdata "$data" --folded-output "$W/inline.folded" -o "$W/inline.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "flamegraph --perfdata (native, inline frames)"
n_in=$(tr ';' '\n' <"$W/inline.folded" | sed 's/ [0-9]*$//' | sort -u | wc -l)
n_no=$(tr ';' '\n' <"$W/native.folded" | sed 's/ [0-9]*$//' | sort -u | wc -l)
[ "$n_in" -gt "$n_no" ] || fail "no inline frames added ($n_in vs $n_no names)"
echo "ok: $n_no names without inline frames, $n_in with"
