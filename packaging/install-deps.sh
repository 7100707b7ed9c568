#!/bin/sh
# install-deps.sh: install what building, testing and running cargo-flamegraph
# need on Debian 12 / Ubuntu, and nothing that is already there.  Safe to run
# twice.  Run as root, or as a user who may sudo.
#
#   packaging/install-deps.sh            build, test and run dependencies
#   packaging/install-deps.sh --runtime  only what running the tools needs
set -eu

runtime_only=0
[ "${1:-}" = "--runtime" ] && runtime_only=1

if [ "$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi

# Libraries and tools by Debian package name.
runtime="libbsd0 libcjson1 libdeflate0 libdw1 libelf1 libzstd1 linux-perf"
build="build-essential dpkg-dev file cmake pkg-config libbsd-dev libcjson-dev libdeflate-dev libdw-dev libelf-dev
       libiberty-dev libzstd-dev zlib1g-dev"
# Tests: python3 runs ../shared/tools/svg-frames, chromium and node drive the
# browser tests, xmllint and mandoc check the SVGs and man pages, gzip
# decompresses corpora, procps gives ps for the signal tests, time
# (/usr/bin/time) the benchmarks' peak RSS; clang, its sanitizer and
# libFuzzer runtimes (libclang-rt-dev) and llvm-symbolizer (llvm) the
# clang+UBSan, ThreadSanitizer and fuzz passes of tests/run-all.sh.
# librust-grep-dev and librust-regex-dev bring the sources of real crates
# (with their dependencies, under /usr/share/cargo/registry) whose examples
# the tests in tests/real/ build offline and profile, and the others their
# examples' dev-dependencies; libc6-dbg gives libc's frames the names that
# addr2line and perf give them with its debug file.  dpkg-dev
# (dpkg-shlibdeps) and file make the Debian packages' Depends (cpack -G DEB);
# lintian checks the packages in the package pass.  golang-go gives
# `go tool pprof`, which reads the --pprof-output profiles back.
test="python3 chromium nodejs npm libxml2-utils mandoc gzip procps binutils elfutils time golang-go
      clang libclang-rt-dev llvm
      librust-grep-dev librust-termcolor-dev librust-walkdir-dev
      librust-regex-dev librust-lazy-static-dev librust-quickcheck-dev librust-rand-dev
      librust-rand-core+getrandom-dev libc6-dbg lintian"

want=$runtime
[ $runtime_only -eq 1 ] || want="$want $build $test"

missing=
for p in $want; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing="$missing $p"
	fi
done
# perf is shipped as linux-perf on Debian, linux-tools-* on Ubuntu: accept a
# working perf binary whatever provides it.
if command -v perf >/dev/null 2>&1; then
	missing=$(echo "$missing" | sed 's/ linux-perf//')
fi
# Node.js may come from elsewhere than Debian (the machine image has one).
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
	missing=$(echo "$missing" | sed 's/ nodejs//; s/ npm//')
fi
# Debian's cargo only when no cargo is installed (rustup's lives in ~/.cargo/bin).
if [ $runtime_only -eq 0 ] && ! command -v cargo >/dev/null 2>&1 &&
   [ ! -x "$HOME/.cargo/bin/cargo" ]; then
	missing="$missing cargo"
fi

if [ -n "$(echo "$missing" | tr -d ' ')" ]; then
	echo "install-deps: installing:$missing"
	$SUDO apt-get update -qq
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
else
	echo "install-deps: all Debian packages present"
fi

# The browser tests drive Debian's chromium with playwright-core (no browser
# download: it is pointed at /usr/bin/chromium); speedscope's package
# gives them its app to open our speedscope files in.
if [ $runtime_only -eq 0 ]; then
	here=$(cd "$(dirname "$0")/.." && pwd)
	if [ -f "$here/tests/browser/package.json" ] &&
	   { [ ! -d "$here/tests/browser/node_modules/playwright-core" ] ||
	     [ ! -d "$here/tests/browser/node_modules/speedscope" ]; }; then
		(cd "$here/tests/browser" && npm install --no-audit --no-fund --silent)
	fi
fi
