#!/bin/sh
# run.sh BUILD_DIR [SECONDS [TARGET...]]: run the libFuzzer targets of a
# FG_FUZZ=ON build (BUILD_DIR/tests/fuzz_<name>) for SECONDS (default 20)
# each, one after the other, starting from the seed corpus
# tests/fuzz/corpus/<name>/ and the kept crashers tests/fuzz/regress/<name>/.
# Inputs that add coverage go to BUILD_DIR/fuzz/corpus/<name>/ (never into
# the source tree).  A crash, leak, timeout or out-of-memory input is
# copied to tests/fuzz/regress/<name>/ (commit it: the test
# fuzz-replay-<name> then replays it in every build) and the run fails.
# Prints each target's executions, rate and new inputs.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?usage: run.sh BUILD_DIR [SECONDS [TARGET...]]}
secs=${2:-20}
[ $# -ge 2 ] && shift 2 || shift $#
targets=${*:-collapse dwarfidx perfdata render toml unwind}
build=$(cd "$build" && pwd)
status=0
summary=

for t in $targets; do
	prog=$build/tests/fuzz_$t
	if [ ! -x "$prog" ]; then
		echo "fuzz: $prog not built (configure with CC=clang -DFG_FUZZ=ON, build the target fuzz)" >&2
		status=1
		summary="$summary$(printf '\n  %-10s not built' "$t")"
		continue
	fi
	work=$build/fuzz/corpus/$t
	art=$build/fuzz/artifacts/$t
	log=$build/fuzz/$t.log
	regress=
	[ -d "$top/tests/fuzz/regress/$t" ] && regress=$top/tests/fuzz/regress/$t
	rm -rf "$art"
	mkdir -p "$work" "$art"
	echo "fuzz: $t for $secs s"
	# -timeout: one input taking this long is a hang, not a slow input.
	# detect_leaks stays on: a leak is a finding too.
	(cd "$art" && ASAN_OPTIONS="${ASAN_OPTIONS:-}:abort_on_error=0" \
	    UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
	    "$prog" -max_total_time="$secs" -timeout=30 -rss_limit_mb=2560 \
	    -print_final_stats=1 -artifact_prefix="$art/" \
	    "$work" "$top/tests/fuzz/corpus/$t" $regress) \
	    >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	new=$(sed -n 's/^stat::new_units_added: *//p' "$log")
	found=$(find "$art" -type f | head -20)
	if [ $rc -ne 0 ] || [ -n "$found" ]; then
		status=1
		echo "fuzz: $t FAILED (exit $rc); the end of $log:" >&2
		tail -40 "$log" >&2
		mkdir -p "$top/tests/fuzz/regress/$t"
		for f in $found; do
			cp "$f" "$top/tests/fuzz/regress/$t/"
			echo "fuzz: kept $(basename "$f") in tests/fuzz/regress/$t/ (commit it)" >&2
		done
		summary="$summary$(printf '\n  %-10s FAILED %9s runs %6s exec/s' "$t" "${runs:-?}" "${rate:-?}")"
	else
		summary="$summary$(printf '\n  %-10s ok     %9s runs %6s exec/s %5s new inputs' "$t" "${runs:-?}" "${rate:-?}" "${new:-?}")"
	fi
done
echo "fuzz: $secs s a target:$summary"
exit $status
