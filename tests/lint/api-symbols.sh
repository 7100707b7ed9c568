#!/bin/sh
# api-symbols.sh HEADER LIBRARY.so: the shared library exports exactly the
# functions the public header declares, each declared with FG_API
# (docs/internals/api.md).  Lists what is exported but not declared
# (an internal function leaking, a static library's symbols) and what is
# declared but not exported (a declaration without FG_API, a function
# never defined).
set -u
hdr=${1:?header}
lib=${2:?shared library}
NM=${NM:-nm}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# The header's file-scope statements, without comments, the C++ guards,
# preprocessor lines and brace blocks (struct and enum bodies); each one
# that declares an fg_ function says whether it starts with FG_API.
perl -0777 -ne '
	s{/\*.*?\*/}{ }gs; s{//[^\n]*}{}g;
	s{^#ifdef __cplusplus\n.*?^#endif[^\n]*}{}gms;
	s{^[ \t]*#(?:[^\n]*\\\n)*[^\n]*}{}gm;
	1 while s/\{[^{}]*\}/ /g;
	for my $st (split /;/) {
		$st =~ s/\s+/ /g; $st =~ s/^ //;
		next if $st =~ /^typedef\b/;
		next unless $st =~ /\b(fg_\w+)\s*\(/;
		my $name = $1;
		print(($st =~ /^FG_API\b/ ? "api" : "bare"), " $name\n");
	}' "$hdr" >"$tmp/decl" || exit 1

fail=0
bare=$(awk '$1 == "bare" { print $2 }' "$tmp/decl")
if [ -n "$bare" ]; then
	echo "declared in $(basename "$hdr") without FG_API:"
	echo "$bare" | sed 's/^/  /'
	fail=1
fi
awk '{ print $2 }' "$tmp/decl" | LC_ALL=C sort -u >"$tmp/declared"
if [ ! -s "$tmp/declared" ]; then
	echo "no function declarations found in $hdr"; exit 1
fi

# Defined dynamic symbols, the version node (type A) aside.
"$NM" -D --defined-only "$lib" >"$tmp/nm" || exit 1
awk 'NF >= 3 && $2 != "A" { sub(/@.*/, "", $3); print $3 }' "$tmp/nm" |
	LC_ALL=C sort -u >"$tmp/exported"

extra=$(LC_ALL=C comm -13 "$tmp/declared" "$tmp/exported")
missing=$(LC_ALL=C comm -23 "$tmp/declared" "$tmp/exported")
if [ -n "$extra" ]; then
	echo "exported by $(basename "$lib") but not declared in $(basename "$hdr"):"
	echo "$extra" | sed 's/^/  /'
	fail=1
fi
if [ -n "$missing" ]; then
	echo "declared in $(basename "$hdr") but not exported by $(basename "$lib"):"
	echo "$missing" | sed 's/^/  /'
	fail=1
fi
# Every export belongs to the ABI version of lib/flamegraph.map.
unversioned=$(objdump -T "$lib" 2>/dev/null |
	awk '$NF ~ /^fg_/ && $0 !~ /FLAMEGRAPH_0/ { print $NF }')
if [ -n "$unversioned" ]; then
	echo "exported without the FLAMEGRAPH_0 version:"
	echo "$unversioned" | sed 's/^/  /'
	fail=1
fi
[ $fail -eq 0 ] && echo "api symbols: $(wc -l <"$tmp/declared") functions, declared = exported"
exit $fail
