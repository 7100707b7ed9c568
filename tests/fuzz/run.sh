#!/bin/sh
# run.sh BUILD_DIR [NAME...]: run the libFuzzer targets of a FG_FUZZ=ON
# build (BUILD_DIR/tests/fuzz_<name>; default all), one after the other,
# each for a fixed number of executions with a fixed seed, from the seed
# corpus tests/fuzz/corpus/<name>/ and the kept crashers
# tests/fuzz/regress/<name>/.  The same build does the same work on any
# machine, fast or slow (only the wall time differs); a time cap per target
# bounds it on a very slow one.
#   FG_FUZZ_RUNS         executions per target (default: the target's own,
#                        about 10 s on one idle core)
#   FG_FUZZ_SEED         libFuzzer's -seed (default 1)
#   FG_FUZZ_MAX_SECONDS  cap per target (default 300)
# Inputs that add coverage go to BUILD_DIR/fuzz/corpus/<name>/ (emptied
# first; never the source tree).  A crash, leak, 30 s hang or
# out-of-memory input is copied to tests/fuzz/regress/<name>/ (commit it
# with the fix: the test fuzz-replay-<name> replays it in every build) and
# the run fails.  Prints each target's executions, rate and new inputs.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?usage: run.sh BUILD_DIR [NAME...]}
shift
targets=${*:-collapse dwarfidx perfdata render toml unwind}
build=$(cd "$build" && pwd)
seed=${FG_FUZZ_SEED:-1}
cap=${FG_FUZZ_MAX_SECONDS:-300}
status=0
summary=

# executions per target: about 10 s on one idle core
runs_of() {
	case $1 in
	collapse) echo 100000 ;;
	dwarfidx) echo 150000 ;;
	perfdata) echo 15000 ;;
	render) echo 15000 ;;
	toml) echo 300000 ;;
	unwind) echo 500000 ;;
	*) echo 10000 ;;
	esac
}

for t in $targets; do
	prog=$build/tests/fuzz_$t
	if [ ! -x "$prog" ]; then
		echo "fuzz: $prog not built (configure with CC=clang -DFG_FUZZ=ON, build the target fuzz)" >&2
		status=1
		summary="$summary$(printf '\n  %-10s not built' "$t")"
		continue
	fi
	runs=${FG_FUZZ_RUNS:-$(runs_of "$t")}
	work=$build/fuzz/corpus/$t
	art=$build/fuzz/artifacts/$t
	log=$build/fuzz/$t.log
	regress=
	[ -d "$top/tests/fuzz/regress/$t" ] && regress=$top/tests/fuzz/regress/$t
	rm -rf "$art" "$work"
	mkdir -p "$work" "$art"
	echo "fuzz: $t, $runs runs (seed $seed)"
	t0=$(date +%s)
	# -timeout: one input taking this long is a hang, not a slow input.
	# Leak detection stays on: a leak is a finding too.
	(cd "$art" && ASAN_OPTIONS="${ASAN_OPTIONS:-}:abort_on_error=0" \
	    UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
	    "$prog" -runs="$runs" -seed="$seed" -max_total_time="$cap" \
	    -timeout=30 -rss_limit_mb=2560 -print_final_stats=1 \
	    -artifact_prefix="$art/" "$work" "$top/tests/fuzz/corpus/$t" \
	    $regress) >"$log" 2>&1
	rc=$?
	secs=$(($(date +%s) - t0))
	done_runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	new=$(sed -n 's/^stat::new_units_added: *//p' "$log")
	found=$(find "$art" -type f | head -20)
	if [ $rc -ne 0 ] || [ -n "$found" ]; then
		status=1
		echo "fuzz: $t FAILED (exit $rc); the end of $log:" >&2
		grep -v '^"\|^#\|^$' "$log" | tail -40 >&2
		mkdir -p "$top/tests/fuzz/regress/$t"
		for f in $found; do
			cp "$f" "$top/tests/fuzz/regress/$t/"
			echo "fuzz: kept $(basename "$f") in tests/fuzz/regress/$t/ (commit it)" >&2
		done
		summary="$summary$(printf '\n  %-10s FAILED %8s runs %4d s %6s exec/s' "$t" "${done_runs:-?}" "$secs" "${rate:-?}")"
	else
		summary="$summary$(printf '\n  %-10s ok     %8s runs %4d s %6s exec/s %5s new inputs' "$t" "${done_runs:-?}" "$secs" "${rate:-?}" "${new:-?}")"
	fi
done
echo "fuzz:$summary"
exit $status
