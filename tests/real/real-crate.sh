#!/bin/sh
# real-crate.sh CASE: profile a real program nobody here wrote, the way a
# user does, and hold the native reader to the perf-script path on it.
#
# The programs are examples of crates that Debian packages as source
# (librust-*-dev, under /usr/share/cargo/registry): the crate is copied
# into the build directory and built offline, its dependencies replaced by
# that registry directory.  `cargo flamegraph --example X` records it with
# the default settings (DWARF unwinding, inline frames); the same recording
# is redrawn with `flamegraph --perfdata --perf-script`.  Asserts:
#   - agreement by weight >= LIMIT (0.99): sum over stacks of min(a, b)
#     over the larger total (tests/folded-agree.awk);
#   - at an address where the symbol table has several names (functions
#     LLVM or the linker folded into one), the native output uses the name
#     `addr2line -f -i -C` gives, and not the other names.
# CASE: simplegrep (grep's example: walks directories, reads every file,
# prints matches) or regexdna (regex's shootout-regex-dna example: reads
# stdin from a pipe, nine threads).  FG_CARGO_REGISTRY overrides
# /usr/share/cargo/registry.
. "$(dirname "$0")/../e2e/lib.sh"
REG=${FG_CARGO_REGISTRY:-/usr/share/cargo/registry}
case=${1:?usage: real-crate.sh simplegrep|regexdna}

# skip WHY: exit 77, or fail in CI, where every prerequisite is installed
skip() {
	[ "${CI:-}" = true ] && fail "$* (CI must not skip)"
	echo "skipped: $*"
	exit 77
}

case $case in
simplegrep) crate=grep example=simplegrep need_alias=1 expect='std::fs::File as std::io::Read>::read;' ;;
regexdna) crate=regex example=shootout-regex-dna need_alias=0 expect=';start_thread;' ;;
*) fail "unknown case $case" ;;
esac
command -v addr2line >/dev/null 2>&1 || skip "no addr2line (binutils)"
[ "$(id -u)" -eq 0 ] || skip "perf record needs root here"
dir=$(ls -d "$REG/$crate"-[0-9]* 2>/dev/null | sort -V | tail -n 1)
[ -n "$dir" ] || skip "no $crate crate in $REG (packaging/install-deps.sh installs librust-$crate-dev)"

W=$FG_E2E_WORK/real-$case
rm -rf "$W"
mkdir -p "$W"
cp -r "$dir" "$W/crate"
chmod -R u+w "$W/crate"
mkdir -p "$W/crate/.cargo"
cat >"$W/crate/.cargo/config.toml" <<EOF
[source.crates-io]
replace-with = "debian"

[source.debian]
directory = "$REG"
EOF
export CARGO_TARGET_DIR="$W/target"
OUT=$W/out
ERR=$W/err
cd "$W/crate" || fail "cd $W/crate"
echo "crate: $dir, example $example"

# record as a user does: default call graph, inline frames on
record() {
	"$CFG" flamegraph -v --example "$example" --folded-output "$W/native.folded" \
	    -o "$W/native.svg" -- "$@" >"$OUT" 2>"$ERR"
}
case $case in
simplegrep)
	# every file of the registry, 30 times over: long enough that the
	# read(2) calls under File::read are sampled on a fast machine too
	set --
	i=0
	while [ $i -lt 30 ]; do set -- "$@" "$REG"; i=$((i + 1)); done
	record 'fn\s+\w+_read\w*\(' "$@"
	st=$?
	;;
regexdna)
	# the benchmark's input repeated to 50 MB (the benchmark's size),
	# through a pipe
	input=$W/crate/examples/regexdna-input.txt
	[ -f "$input" ] || fail "no $input"
	i=0
	while [ $i -lt 500 ]; do cat "$input"; i=$((i + 1)); done | record
	st=$?
	;;
esac
expect_status 0 "$st" "cargo flamegraph --example $example"
grep_err 'native perf.data reader (DWARF stack copies)'
data=$W/target/flamegraph/perf.data
bin=$W/target/release/examples/$example
[ -f "$data" ] || fail "no recording $data"
[ -x "$bin" ] || fail "no executable $bin"

"$FG" -v --perfdata "$data" --perf-script --folded-output "$W/script.folded" \
    -o "$W/script.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "flamegraph --perfdata --perf-script"
grep_err 'perf script path (--perf-script)'

# the workload did what it is here for (read files; ran threads)
w=$(folded_weight "$W/native.folded" "$expect")
[ "$w" -gt 0 ] || fail "no $expect frame in the native output"

status=0
awk -v limit="${LIMIT:-0.99}" -v frames=12 -f "$SRC/tests/folded-agree.awk" \
    "$W/native.folded" "$W/script.folded" || status=1

# Aliases: text symbols at an address that holds two or more names, each
# name found at that address only ("ADDR<TAB>NAME", demangled as nm -C does).
nm -C --defined-only "$bin" | awk '
$2 ~ /^[tTwW]$/ { a = $1; $1 = ""; $2 = ""; n = substr($0, 3)
	cnt[n]++; addr[n] = a; if (!((a, n) in seen)) { seen[a, n] = 1; per[a]++ } }
END { for (n in cnt) if (cnt[n] == 1 && per[addr[n]] > 1) printf "%s\t%s\n", addr[n], n }' |
    sort >"$W/aliases"
groups=$(cut -f1 "$W/aliases" | sort -u | wc -l)
# addr2line's name for each: the outermost function at the address
# shellcheck disable=SC2046
addr2line -a -f -i -C -e "$bin" $(cut -f1 "$W/aliases" | sort -u) | awk '
/^0x/ { if (a != "") printf "%s\t%s\n", a, f; a = substr($0, 3); sub(/^0+/, "", a); k = 0; next }
{ if (k % 2 == 0) f = $0; k++ }
END { if (a != "") printf "%s\t%s\n", a, f }' >"$W/a2l"
# frame names of each output, one a line
for side in native script; do
	sed 's/ [0-9]*$//' "$W/$side.folded" | tr ';' '\n' | sort -u >"$W/$side.names"
done
# One line per sampled alias group (a name of the group, or addr2line's,
# is a frame in either output): ADDR, addr2line's name, verdict.
awk -F'\t' -v nat="$W/native.names" -v scr="$W/script.names" '
BEGIN { while ((getline l < nat) > 0) N[l] = 1; while ((getline l < scr) > 0) S[l] = 1 }
FILENAME ~ /a2l$/ { a = $1; sub(/^0+/, "", a); want[a] = $2; next }
{ a = $1; sub(/^0+/, "", a); names[a] = names[a] "\n" $2 }
END {
	for (a in names) {
		w = want[a]; if (w == "" || w == "??") continue
		sampled = (w in N) || (w in S); bad = ""
		m = split(substr(names[a], 2), g, "\n")
		for (i = 1; i <= m; i++) {
			if (g[i] in N || g[i] in S) sampled = 1
			# another alias in the native output that perf script does not show
			if (g[i] != w && (g[i] in N) && !(g[i] in S)) bad = bad " [" g[i] "]"
		}
		if (!sampled) continue
		if (!(w in N)) bad = bad " (no " w ")"
		printf "%s\t%s\t%s\n", a, w, bad == "" ? "ok" : "native has" bad
	}
}' "$W/a2l" "$W/aliases" | sort >"$W/alias-check"
sampled=$(wc -l <"$W/alias-check")
wrong=$(grep -vc '	ok$' "$W/alias-check")
echo "aliases: $groups addresses with several names, $sampled sampled, $wrong named otherwise than addr2line"
while IFS='	' read -r a w verdict; do
	echo "  0x$a addr2line: $w: $verdict"
done <"$W/alias-check"
[ "$wrong" -eq 0 ] || status=1
if [ "$need_alias" -eq 1 ] && [ "$sampled" -eq 0 ]; then
	fail "no aliased address was sampled (the workload should read files for longer)"
fi
[ $status -eq 0 ] || fail "the native output and perf script (or addr2line) disagree on $example"
echo "ok: $example agrees with perf script and addr2line"
