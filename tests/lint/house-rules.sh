#!/bin/sh
# house-rules.sh: checks of the house rules that a compiler cannot make.
#  - cmd/ includes only the public header (and cmd/common's own headers);
#  - lib/ never prints or ends the process (a forked child may _exit);
#  - lib/ reads no test hook from the environment: only the user's
#    configuration (the cache directories, HOME); tests set options;
#  - every lib/ and cmd/ source opens with a comment saying what it is for.
set -u
top=${FG_SOURCE_DIR:?}
fail=0

bad=$(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$top"/cmd/*.c "$top"/cmd/common/*.[ch] 2>/dev/null |
	grep -vE '"(flamegraph\.h|[a-z_]+\.h)"' )
# cmd/ may include its own common headers, never lib/ internals.
for h in $(ls "$top"/lib/*.h 2>/dev/null); do
	b=$(basename "$h")
	[ -f "$top/cmd/common/$b" ] && continue
	hit=$(grep -nE "#[[:space:]]*include[[:space:]]*\"$b\"" "$top"/cmd/*.c "$top"/cmd/common/*.[ch] 2>/dev/null)
	[ -n "$hit" ] && bad="$bad
$hit"
done
if [ -n "$(echo "$bad" | tr -d '[:space:]')" ]; then
	echo "cmd/ includes something other than the public header:"; echo "$bad"; fail=1
fi

# (lib/spawn.c's forked child ends itself with _exit() when its exec
# fails, as posix_spawn's own child does: that is not the caller's process)
hits=$(grep -nE '\b(exit|abort|_exit|err|errx|warn|warnx|perror)[[:space:]]*\(|\bprintf[[:space:]]*\(|\bputs[[:space:]]*\(|fprintf[[:space:]]*\([[:space:]]*std(out|err)' "$top"/lib/*.c 2>/dev/null |
	grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/\*|\*|//)' |
	grep -vE '/lib/spawn\.c:[0-9]+:[[:space:]]*_exit\(')
if [ -n "$hits" ]; then
	echo "lib/ prints or ends the process:"; echo "$hits"; fail=1
fi

hits=$(grep -HnoE '\b(secure_)?getenv[[:space:]]*\([^)]*\)' "$top"/lib/*.c 2>/dev/null |
	grep -vE 'getenv[[:space:]]*\("(FLAMEGRAPH_CACHE_DIR|XDG_CACHE_HOME|HOME)"\)$')
if [ -n "$hits" ]; then
	echo "lib/ reads the environment beyond the user's configuration"
	echo "(a test hook belongs in the options; docs/internals/testing.md):"
	echo "$hits"; fail=1
fi

for f in "$top"/lib/*.c "$top"/lib/*.h "$top"/cmd/*.c "$top"/cmd/common/*.[ch]; do
	[ -f "$f" ] || continue
	first=$(grep -m1 -vE '^[[:space:]]*$' "$f")
	case "$first" in
	"/*"*) ;;
	*) echo "$f: does not open with a comment saying what it is for"; fail=1 ;;
	esac
done

[ $fail -eq 0 ] && echo "house rules: ok"
exit $fail
