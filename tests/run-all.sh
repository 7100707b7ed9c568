#!/bin/sh
# run-all.sh: the whole test suite, as CI runs it: a warnings-as-errors
# build with every test, (when clang is installed) a warnings-as-errors
# clang build of everything so that the code stays portable between the
# two compilers, then the same suite in an ASan+UBSan build.
#   tests/run-all.sh            all of it
#   tests/run-all.sh --quick    only the first
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
jobs=$(nproc 2>/dev/null || echo 2)
: "${FG_CONFORMANCE_DIR:=$top/../shared/conformance}"
export FG_CONFORMANCE_DIR
require=OFF
[ "${CI:-}" = "true" ] && require=ON

cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFG_WERROR=ON \
	-DFG_REQUIRE_CONFORMANCE=$require >/dev/null
cmake --build build/release -j"$jobs"
ctest --test-dir build/release --output-on-failure -j"$jobs"

[ "${1:-}" = "--quick" ] && exit 0

if command -v clang >/dev/null 2>&1; then
	CC=clang cmake -S . -B build/clang -DCMAKE_BUILD_TYPE=Release \
		-DFG_WERROR=ON -DFG_REQUIRE_CONFORMANCE=$require >/dev/null
	cmake --build build/clang -j"$jobs"
	echo "clang build: ok"
fi

cmake -S . -B build/sanitize -DCMAKE_BUILD_TYPE=Debug -DFG_WERROR=ON \
	-DFG_SANITIZE=ON -DFG_REQUIRE_CONFORMANCE=$require >/dev/null
cmake --build build/sanitize -j"$jobs"
FG_SANITIZED=1 ctest --test-dir build/sanitize --output-on-failure -j"$jobs"

