#!/bin/sh
# api-pkgconfig.sh BUILD_DIR CC: install the build into a temporary prefix
# and build a small program against it the way a consumer does, with
# pkg-config: linked against the shared library (plain --libs), then
# against the static one (--static).  Checks that the public header needs
# nothing but the C11 compiler (no libbsd), that --cflags brings no -D
# flags, and that each program runs.  FG_TEST_CFLAGS: extra flags for the
# compiler (the sanitizers the library was built with).
set -u
build=${1:?build directory}
cc=${2:?C compiler}
extra=${FG_TEST_CFLAGS:-}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1 || {
	cat "$tmp/install.log"; echo "cmake --install failed"; exit 1; }
pc=$(find "$prefix" -name flamegraph.pc | head -n 1)
[ -n "$pc" ] || { echo "flamegraph.pc not installed"; exit 1; }
libdir=$(dirname "$(dirname "$pc")")
PKG_CONFIG_PATH=$(dirname "$pc")
export PKG_CONFIG_PATH
# The .pc names the configured prefix; point it at the temporary one.
pkgconf() {
	pkg-config --define-variable=prefix="$prefix" "$@" flamegraph |
	    sed 's/[[:space:]]*$//'
}

# the consumer, shared with the package test
cp "$(dirname "$0")/../data/api/use.c" "$tmp/use.c"
printf 'main;work;leaf 3\nout of memory\n' >"$tmp/expected"

fail=0
cflags=$(pkgconf --cflags) || exit 1
case " $cflags " in
*" -D"* | *bsd*) echo "pkg-config --cflags flamegraph gives more than -I: $cflags"; fail=1 ;;
esac
# The header on its own, with nothing but the compiler.
printf '#include <flamegraph.h>\n' >"$tmp/alone.c"
"$cc" -std=c11 -pedantic -Wall -Wextra -Werror -I"$prefix/include" \
    -c "$tmp/alone.c" -o "$tmp/alone.o" || {
	echo "flamegraph.h does not compile alone with $cc -std=c11"; fail=1; }

# run NAME: build use.c into NAME with the rest of the arguments, run it.
run() {
	name=$1; shift
	# shellcheck disable=SC2086
	"$cc" -std=c11 $extra "$tmp/use.c" -o "$tmp/$name" "$@" || {
		echo "$name: cc $* failed"; fail=1; return; }
	LD_LIBRARY_PATH=$libdir "$tmp/$name" >"$tmp/$name.out" || {
		echo "$name: the program failed"; fail=1; return; }
	cmp -s "$tmp/expected" "$tmp/$name.out" || {
		echo "$name: unexpected output:"; cat "$tmp/$name.out"; fail=1; }
}

kinds=static
if ls "$libdir"/libflamegraph.so* >/dev/null 2>&1; then
	kinds="shared and static"
	libs=$(pkgconf --libs)
	case "$libs" in
	"-L$libdir -lflamegraph") ;;
	*) echo "pkg-config --libs flamegraph: '$libs', expected only -L and -lflamegraph"; fail=1 ;;
	esac
	# shellcheck disable=SC2086
	run shared $cflags $libs
	readelf -d "$tmp/shared" 2>/dev/null | grep -q 'NEEDED.*libflamegraph\.so\.0' || {
		echo "shared: not linked against libflamegraph.so.0"; fail=1; }
	# The static half: without the shared library beside it.
	rm -f "$libdir"/libflamegraph.so*
fi
libs=$(pkgconf --static --libs) || exit 1
# shellcheck disable=SC2086
run static $cflags $libs
if readelf -d "$tmp/static" 2>/dev/null | grep -q 'NEEDED.*libflamegraph'; then
	echo "static: linked against a shared libflamegraph"; fail=1
fi

[ $fail -eq 0 ] && echo "pkg-config: $kinds consumers build and run"
exit $fail
