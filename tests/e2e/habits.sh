#!/bin/sh
# habits: flamegraph-rs users' command lines work with their meaning
# (issue 16): flamegraph -p PID, -i, -V, bare -z, -c with its own -o,
# -F with -c refused; cargo's conventions: --color and CARGO_TERM_COLOR,
# -q quieting cargo, a missing perf reported before anything is built.
# requires: cargo perf
# labels: e2e
. "$(dirname "$0")/lib.sh"
setup habits demo
cd "$W/crate"
cargo build --release -q 2>"$ERR" || fail "cargo build"
mkdir -p "$W/bin" "$W/run"
cp "$W/target/release/demo" "$W/bin/demo"
cd "$W/run"
"$FG" -V >"$OUT" 2>"$ERR"; expect_status 0 $? "flamegraph -V"
grep -q '^flamegraph ' "$OUT" || fail "-V text"
"$CFG" flamegraph -V >"$OUT" 2>"$ERR"; expect_status 0 $? "cargo flamegraph -V"
grep -q '^cargo-flamegraph ' "$OUT" || fail "cargo -V text"
# bare -z is level 1, even before another option; -z N and -zN as before
PATH=$W/bin:$PATH "$FG" -v -z -o "$W/z.svg" -- demo >"$OUT" 2>"$ERR"
expect_status 0 $? "-z -o"
grep_err '--compression-level=1 -o perf.data'
has_frame "$W/z.svg" demo::heavy
PATH=$W/bin:$PATH "$FG" -v -z 3 -i -o "$W/zi.svg" -- demo >"$OUT" 2>"$ERR"
expect_status 0 $? "-z 3 -i"
grep_err '--compression-level=3 -o perf.data'
has_frame "$W/zi.svg" demo::heavy
# -i is --inverted: the same graph from the same recording
"$FG" --inverted --perfdata perf.data -o "$W/inv-long.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "--inverted --perfdata"
"$FG" -i --perfdata perf.data -o "$W/inv-short.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "-i --perfdata"
cmp -s "$W/inv-long.svg" "$W/inv-short.svg" || fail "-i differs from --inverted"
"$FG" --perfdata perf.data -o "$W/upright.svg" >"$OUT" 2>"$ERR"
! cmp -s "$W/upright.svg" "$W/inv-short.svg" || fail "-i had no effect"
# -c with its own -o: the recording is written and read there
rm -f perf.data
PATH=$W/bin:$PATH "$FG" -v -c 'record -F 499 --call-graph dwarf -o custom.data' -o "$W/c.svg" -- demo \
	>"$OUT" 2>"$ERR"
expect_status 0 $? "-c with -o"
grep_err "perf record -F 499 --call-graph dwarf -o custom.data -- $W/bin/demo"
[ -s custom.data ] || fail "custom.data not written"
[ ! -e perf.data ] || fail "perf.data written despite -c's -o"
has_frame "$W/c.svg" demo::heavy
# -F with -c: refused, as flamegraph-rs refuses the pair
"$FG" -F 99 -c 'record -g' -- true >"$OUT" 2>"$ERR"; expect_status 2 $? "-F with -c"
grep_err '-F/--freq and -c/--cmd cannot be used together'
# flamegraph -p PID (flamegraph-rs's --pid); cargo flamegraph keeps -p
# for --package
rm -f perf.data
"$W/bin/demo" loop 100 >/dev/null &
wpid=$!
sleep 0.3
"$FG" -p "$wpid" -o "$W/pid.svg" >"$OUT" 2>"$ERR" &
fpid=$!
i=0
while [ ! -s perf.data ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
sleep 1
kill -INT $fpid
wait $fpid
st=$?
kill $wpid 2>/dev/null
wait $wpid 2>/dev/null
expect_status 0 $st "flamegraph -p PID"
grep_err "Profiling pid $wpid"
has_frame "$W/pid.svg" demo::heavy
# -c attaching by itself (-p inside it): no command needed, as in flamegraph-rs
rm -f perf.data
"$W/bin/demo" loop 100 >/dev/null &
wpid=$!
sleep 0.3
"$FG" -v -c "record -F 499 --call-graph dwarf -p $wpid" -o "$W/cpid.svg" >"$OUT" 2>"$ERR" &
fpid=$!
i=0
while [ ! -s perf.data ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
sleep 1
kill -INT $fpid
wait $fpid
st=$?
kill $wpid 2>/dev/null
wait $wpid 2>/dev/null
expect_status 0 $st "flamegraph -c 'record ... -p PID'"
grep_err "perf record -F 499 --call-graph dwarf -p $wpid -o perf.data"
has_frame "$W/cpid.svg" demo::heavy
"$FG" -c "record -p $wpid" -- true >"$OUT" 2>"$ERR"; expect_status 2 $? "-c -p with a command"
grep_err 'give only one of'
cd "$W/crate"
"$CFG" flamegraph -p no-such-package -o "$W/p.svg" >"$OUT" 2>"$ERR"
[ $? -ne 0 ] || fail "cargo flamegraph -p no-such-package succeeded"
grep -q 'no-such-package' "$ERR" || { cat "$ERR" >&2; fail "-p is not --package"; }
# --color never / always and CARGO_TERM_COLOR (the flag wins), for our
# lines and cargo's; NO_COLOR only speaks when neither is given
esc=$(printf '\033')
touch src/main.rs
CARGO_TERM_COLOR=always "$CFG" flamegraph -o "$W/col.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "CARGO_TERM_COLOR=always"
grep -q "$esc\[.*Compiling" "$ERR" || { cat -v "$ERR" >&2; fail "cargo not coloured"; }
grep -q "$esc\[1;32m   Profiling" "$ERR" || { cat -v "$ERR" >&2; fail "our lines not coloured"; }
touch src/main.rs
CARGO_TERM_COLOR=always "$CFG" flamegraph --color never -o "$W/col.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "--color never"
! grep -q "$esc" "$ERR" || { cat -v "$ERR" >&2; fail "--color never coloured"; }
NO_COLOR=1 "$CFG" flamegraph --color=always -o "$W/col.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "--color=always with NO_COLOR"
grep -q "$esc\[1;32m   Profiling" "$ERR" || fail "--color=always lost to NO_COLOR"
"$CFG" flamegraph --color sometimes >"$OUT" 2>"$ERR"; expect_status 2 $? "--color sometimes"
grep_err '--color sometimes: expected auto, always or never'
# -q: cargo's Compiling/Finished lines go too
touch src/main.rs
"$CFG" flamegraph -q -o "$W/q.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "cargo flamegraph -q"
! grep -qE 'Compiling|Finished|Profiling' "$ERR" || { cat "$ERR" >&2; fail "-q left status lines"; }
has_frame "$W/q.svg" demo::heavy
# no perf: said before the build, nothing built
export CARGO_TARGET_DIR="$W/target-noperf"
mkdir -p "$W/noperf"
for t in cargo sh; do ln -sf "$(command -v $t)" "$W/noperf/$t"; done
PATH=$W/noperf "$CFG" flamegraph -o "$W/np.svg" >"$OUT" 2>"$ERR"
expect_status 1 $? "cargo flamegraph without perf"
grep_err 'install perf'
! grep -q Compiling "$ERR" || fail "built before finding perf missing"
[ ! -e "$W/target-noperf" ] || fail "the target directory was made without perf"
echo ok
