#!/bin/sh
# run-all.sh: the whole test suite, as CI runs it (docs/internals/testing.md).
# Passes, each in its own build directory under build/:
#   release  gcc, warnings as errors, every test
#   clang    clang, warnings as errors, UBSan (no recovery), every test
#   asan     gcc, ASan + UBSan, every test
#   tsan     clang, ThreadSanitizer, the tests of the threaded code
#            (labels unit, perfdata, collapse, render, fuzz, threads)
#   fuzz     clang, every libFuzzer target for a fixed number of runs
#            from its committed corpus (tests/fuzz/run.sh)
#   package  the Debian packages (cpack -G DEB) built, installed with
#            apt-get, used from /usr and removed (tests/package/run.sh);
#            by default only in CI (CI=true), skipped unless root with dpkg
# The clang passes are skipped when clang is not installed.  Every pass
# runs even when one fails; at the end each pass's result and wall time
# are printed, and the exit status is non-zero when any pass failed.
#   tests/run-all.sh              all of it
#   tests/run-all.sh --quick      only the release pass
#   tests/run-all.sh PASS...      only these passes
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc 2>/dev/null || echo 2)
: "${FG_CONFORMANCE_DIR:=$top/../shared/conformance}"
export FG_CONFORMANCE_DIR
require=OFF
[ "${CI:-}" = "true" ] && require=ON

# configure DIR ARGS...: (re)configure build/DIR, quietly
configure() {
	d=$1
	shift
	cmake -S . -B "build/$d" -DFG_WERROR=ON \
		-DFG_REQUIRE_CONFORMANCE=$require "$@" >/dev/null
}

pass_release() {
	configure release -DCMAKE_BUILD_TYPE=RelWithDebInfo &&
	cmake --build build/release -j"$jobs" &&
	ctest --test-dir build/release --output-on-failure -j"$jobs"
}

pass_clang() {
	CC=clang configure clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DFG_SANITIZE=undefined &&
	cmake --build build/clang -j"$jobs" &&
	FG_SANITIZED=1 ctest --test-dir build/clang --output-on-failure -j"$jobs"
}

pass_asan() {
	configure sanitize -DCMAKE_BUILD_TYPE=Debug -DFG_SANITIZE=address,undefined &&
	cmake --build build/sanitize -j"$jobs" &&
	FG_SANITIZED=1 ctest --test-dir build/sanitize --output-on-failure -j"$jobs"
}

pass_tsan() {
	CC=clang configure tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DFG_SANITIZE=thread &&
	cmake --build build/tsan -j"$jobs" &&
	FG_SANITIZED=1 ctest --test-dir build/tsan --output-on-failure -j"$jobs" \
		-L 'unit|perfdata|collapse|render|fuzz|threads'
}

pass_package() {
	tests/package/run.sh build/package
}

pass_fuzz() {
	CC=clang configure fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFG_FUZZ=ON &&
	cmake --build build/fuzz -j"$jobs" --target fuzz &&
	tests/fuzz/run.sh build/fuzz
}

if [ "${1:-}" = "--quick" ]; then
	passes=release
elif [ $# -gt 0 ]; then
	passes=$*
else
	passes="release clang asan tsan fuzz"
	[ "${CI:-}" = "true" ] && passes="$passes package"
fi

results=
failed=0
for p in $passes; do
	case $p in
	release|asan) ;;
	clang|tsan|fuzz)
		if ! command -v clang >/dev/null 2>&1; then
			results="$results$(printf '\n  %-8s skipped (no clang)' "$p")"
			continue
		fi ;;
	package)
		if [ "$(id -u)" -ne 0 ] || ! command -v dpkg >/dev/null 2>&1; then
			results="$results$(printf '\n  %-8s skipped (needs root and dpkg)' "$p")"
			continue
		fi ;;
	*)	echo "run-all: no pass $p (release clang asan tsan fuzz package)" >&2
		exit 2 ;;
	esac
	echo "run-all: pass $p"
	t0=$(date +%s)
	if ("pass_$p"); then r=ok; else r=FAILED; failed=1; fi
	t=$(($(date +%s) - t0))
	results="$results$(printf '\n  %-8s %-7s %3dm%02ds' "$p" "$r" $((t / 60)) $((t % 60)))"
	echo "run-all: pass $p: $r in ${t} s"
done
echo "run-all: passes:$results"
exit $failed
