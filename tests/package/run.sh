#!/bin/sh
# run.sh [BUILD_DIR]: the Debian packages as a user gets them
# (docs/internals/packaging.md).  Builds the programs and the library in
# BUILD_DIR (default build/package: RelWithDebInfo, -O2 as Debian builds,
# stripped by cpack; warnings as errors; no tests; prefix /usr), makes
# the .debs with `cpack -G DEB`, installs them with apt-get, and checks
# the installed files from /usr only:
#   - no RPATH/RUNPATH in the programs or the library, nothing from the
#     build tree in their dependencies, no path into the trees in them;
#   - `cargo flamegraph` profiles a copy of tests/crates/demo into an SVG
#     (needs perf recording rights: root, or perf_event_paranoid <= 2);
#   - a small C program builds against the installed library through
#     pkg-config, shared and --static, and runs;
#   - the man pages and the bash, zsh and fish completions are there, the
#     bash ones load in bash, the others parse (zsh -n, fish -n) where
#     those shells are installed;
# then removes the packages, also when a check fails.  Needs root, dpkg
# and apt-get.  lintian's findings are printed when it is installed.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build/package}
case $build in /*) ;; *) build=$PWD/$build ;; esac
jobs=$(nproc 2>/dev/null || echo 2)
pkgs="cargo-flamegraph libflamegraph-dev libflamegraph0"

say() { echo "package: $*"; }
[ "$(id -u)" -eq 0 ] || { say "skipped: installing a package needs root"; exit 0; }
for tool in dpkg apt-get cpack; do
	command -v $tool >/dev/null 2>&1 || { say "skipped: no $tool"; exit 0; }
done
for p in $pkgs; do
	if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		say "$p is already installed on this machine; remove it first"
		exit 1
	fi
done

cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFG_WERROR=ON \
	-DFG_BUILD_TESTS=OFF -DCMAKE_INSTALL_PREFIX=/usr >/dev/null ||
	{ say "cmake failed"; exit 1; }
if ! cmake --build "$build" -j"$jobs" >"$build/build.log" 2>&1; then
	cat "$build/build.log"; say "build failed"; exit 1
fi
rm -f "$build"/*.deb
(cd "$build" && cpack -G DEB >cpack.log 2>&1) || {
	cat "$build/cpack.log"; say "cpack failed"; exit 1; }
debs=$(ls "$build"/*.deb)
for deb in $debs; do
	say "$(basename "$deb"):"
	dpkg-deb -f "$deb" Package Version Depends Recommends | sed 's/^/  /'
done
if command -v lintian >/dev/null 2>&1; then
	say "lintian:"
	# shellcheck disable=SC2086
	lintian --tag-display-limit 0 $debs 2>&1 | sed 's/^/  /'
fi

tmp=$(mktemp -d) || exit 1
# shellcheck disable=SC2317 # called by the trap
cleanup() {
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq -o DPkg::Lock::Timeout=300 $pkgs >/dev/null 2>&1 ||
		dpkg -P $pkgs >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	-o DPkg::Lock::Timeout=300 $debs >"$tmp/apt.log" 2>&1 || {
	cat "$tmp/apt.log"; say "apt-get install failed"; exit 1; }

fail=0
bad() { say "$*"; fail=1; }
# Only the system's directories, and the user's cargo (rustup's).
PATH=/usr/bin:/bin:/usr/sbin:/sbin:${HOME:-/root}/.cargo/bin
export PATH

# ---- the files, and nothing from the build tree ---------------------------
libdir=$(dirname "$(dpkg -L libflamegraph0 | grep '/libflamegraph\.so\.0$')")
for f in /usr/bin/cargo-flamegraph /usr/bin/flamegraph \
    /usr/bin/flamegraph-render /usr/bin/flamegraph-collapse-perfdata \
    "$libdir/libflamegraph.so.0" "$libdir/libflamegraph.so" \
    "$libdir/libflamegraph.a" /usr/include/flamegraph.h \
    "$libdir/pkgconfig/flamegraph.pc" \
    /usr/share/man/man1/cargo-flamegraph.1.gz \
    /usr/share/doc/cargo-flamegraph/copyright \
    /usr/share/doc/libflamegraph0/copyright \
    /usr/share/doc/libflamegraph-dev/copyright; do
	[ -e "$f" ] || bad "not installed: $f"
done
for f in /usr/bin/cargo-flamegraph /usr/bin/flamegraph "$libdir/libflamegraph.so.0"; do
	[ -e "$f" ] || continue
	if readelf -d "$f" | grep -Eq 'RPATH|RUNPATH'; then
		bad "$f has an RPATH/RUNPATH"
	fi
	if ldd "$f" | grep -Fq "$top"; then
		bad "$f loads from the source tree: $(ldd "$f" | grep -F "$top")"
	fi
	if grep -Fq -e "$top/" -e "$build/" "$f"; then
		bad "$f names the source or build tree"
	fi
done
readelf -d "$libdir/libflamegraph.so.0" | grep -q 'SONAME.*\[libflamegraph\.so\.0\]' ||
	bad "libflamegraph.so.0 has no SONAME libflamegraph.so.0"

# ---- cargo flamegraph on the demo crate ------------------------------------
if ! command -v cargo >/dev/null 2>&1; then
	bad "no cargo to run cargo flamegraph with"
else
	cp -R "$top/tests/crates/demo" "$tmp/demo"
	if (cd "$tmp/demo" && cargo flamegraph --offline -o demo.svg) \
	    >"$tmp/demo.log" 2>&1; then
		svg=$tmp/demo/demo.svg
		grep -q 'demo::heavy' "$svg" || bad "demo.svg: no demo::heavy frame"
		grep -q '</svg>' "$svg" || bad "demo.svg: no </svg>"
		if command -v xmllint >/dev/null 2>&1; then
			xmllint --noout "$svg" || bad "demo.svg: not well-formed XML"
		fi
	else
		cat "$tmp/demo.log"; bad "cargo flamegraph failed"
	fi
fi

# ---- a program against the installed library --------------------------------
cp "$top/tests/data/api/use.c" "$tmp/use.c"
printf 'main;work;leaf 3\nout of memory\n' >"$tmp/expected"
# use NAME CC-ARGS...: build use.c as NAME, run it, compare its output
use() {
	name=$1; shift
	# shellcheck disable=SC2068
	cc -std=c11 -Wall -Werror "$tmp/use.c" -o "$tmp/$name" $@ ||
		{ bad "$name: cc failed"; return; }
	"$tmp/$name" >"$tmp/$name.out" 2>&1 || { bad "$name: the program failed"; return; }
	cmp -s "$tmp/expected" "$tmp/$name.out" || bad "$name: unexpected output"
}
cflags=$(pkg-config --cflags flamegraph) || bad "pkg-config --cflags flamegraph failed"
libs=$(pkg-config --libs flamegraph) || bad "pkg-config --libs flamegraph failed"
# shellcheck disable=SC2086
use shared $cflags $libs
readelf -d "$tmp/shared" 2>/dev/null | grep -q 'NEEDED.*libflamegraph\.so\.0' ||
	bad "shared: not linked against libflamegraph.so.0"
# --static: the archive, although the .so lies beside it
slibs=$(pkg-config --static --libs flamegraph) || bad "pkg-config --static --libs flamegraph failed"
slibs=$(echo " $slibs " | sed 's/ -lflamegraph / -Wl,-Bstatic -lflamegraph -Wl,-Bdynamic /')
# shellcheck disable=SC2086
use static $cflags $slibs
if readelf -d "$tmp/static" 2>/dev/null | grep -q 'NEEDED.*libflamegraph'; then
	bad "static: linked against the shared libflamegraph"
fi

# ---- completions --------------------------------------------------------------
# cargo-flamegraph and flamegraph have them; so do the others that take
# --completions
for prog in $(cd /usr/bin && ls cargo-flamegraph flamegraph*); do
	case $prog in
	cargo-flamegraph|flamegraph)
		for f in /usr/share/bash-completion/completions/$prog \
		    /usr/share/zsh/vendor-completions/_$prog \
		    /usr/share/fish/vendor_completions.d/$prog.fish; do
			[ -s "$f" ] || bad "no completion $f"
		done ;;
	esac
	f=/usr/share/bash-completion/completions/$prog
	[ -s "$f" ] || continue
	bash -c ". '$f' && complete -p $prog" >/dev/null 2>&1 ||
		bad "$f: bash does not load it (complete -p $prog)"
	# zsh and fish, where installed: the scripts parse
	f=/usr/share/zsh/vendor-completions/_$prog
	if command -v zsh >/dev/null 2>&1 && [ -s "$f" ]; then
		zsh -n "$f" || bad "$f: zsh -n fails"
	fi
	f=/usr/share/fish/vendor_completions.d/$prog.fish
	if command -v fish >/dev/null 2>&1 && [ -s "$f" ]; then
		fish --no-execute "$f" || bad "$f: fish --no-execute fails"
	fi
done

[ $fail -eq 0 ] && say "installed, used from /usr and removed: $pkgs"
exit $fail
