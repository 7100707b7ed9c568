#!/bin/sh
# cargo-agree.sh: the manifest module and real cargo agree on the projects
# of tests/data/manifest: workspace root and target directory (against
# `cargo metadata`), and the profile a build gets once the module's
# overrides are in the environment (against `cargo build -v`: line tables
# on, no strip, no split debug info).  Exit 77 when cargo is missing.
set -u
info=${1:?usage: cargo-agree.sh MANIFEST-INFO}
src=${FG_SOURCE_DIR:?}
command -v cargo >/dev/null 2>&1 || { echo "skipped: no cargo"; exit 77; }
# The module follows cargo >= 1.77 (line-tables-only, the default strip
# of debuginfo when debug is off); older cargo behaves differently.
minor=$(cargo --version | sed -n 's/^cargo 1\.\([0-9]*\).*/\1/p')
if [ -z "$minor" ] || [ "$minor" -lt 77 ]; then
	echo "skipped: $(cargo --version) is older than 1.77"; exit 77
fi
tmp=$(mktemp -d /tmp/fg-cargo-agree-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cp -R "$src/tests/data/manifest/." "$tmp/"
for d in plain fancy flags ws/crates/a ws/crates/b ws/crates/skip; do
	mkdir -p "$tmp/$d/src"
	echo 'fn main() { println!("hi"); }' > "$tmp/$d/src/main.rs"
	cp "$tmp/$d/src/main.rs" "$tmp/$d/src/other.rs"
done
# the flags project names a linker wrapper that does not exist
sed -i '/^linker/d' "$tmp/flags/.cargo/config.toml"
mkdir -p "$tmp/emptyhome"
# cargo -v prints each rustc command line before running it; this wrapper
# stops the compile of the test crates themselves, so that the test takes
# seconds (it checks what cargo asks of rustc, not rustc).
cat > "$tmp/wrap.sh" <<'W'
#!/bin/sh
case " $* " in
*" --crate-name ___ "*) ;;
*" --crate-name "*) exit 1 ;;
esac
exec "$@"
W
chmod +x "$tmp/wrap.sh"
export CARGO_HOME="$tmp/emptyhome"
export CARGO_NET_OFFLINE=true
fail=0

field() { sed -n "s/^$1=//p" "$2" | head -1; }
meta() {
	python3 -c 'import json,sys; d=json.load(sys.stdin); print(d[sys.argv[1]])' "$1"
}

for d in plain fancy flags ws ws/crates/a ws/crates/b ws/crates/skip; do
	if ! "$info" "$tmp/$d" > "$tmp/info" 2> "$tmp/err"; then
		echo "FAIL $d: manifest-info: $(cat "$tmp/err")"; fail=1; continue
	fi
	(cd "$tmp/$d" && cargo metadata --offline --no-deps --format-version 1) \
	    > "$tmp/meta" 2> "$tmp/err" || {
		echo "FAIL $d: cargo metadata: $(cat "$tmp/err")"; fail=1; continue; }
	for pair in "root workspace_root" "target_dir target_directory"; do
		set -- $pair
		ours=$(field "$1" "$tmp/info")
		theirs=$(meta "$2" < "$tmp/meta")
		if [ "$ours" != "$theirs" ]; then
			echo "FAIL $d: $1: ours $ours, cargo $theirs"; fail=1
		fi
	done
done

# Config merging: a string over a string is fine; a string and an array
# make cargo refuse the configuration, and the module too.
ok_ours() { "$info" "$tmp/$1" > /dev/null 2>&1 && echo ok || echo refused; }
ok_cargo() {
	(cd "$tmp/$1" && cargo metadata --offline --no-deps --format-version 1) \
	    > /dev/null 2>&1 && echo ok || echo refused
}
for d in fancy plain; do
	a=$(CARGO_HOME="$tmp/home-str" ok_ours $d)
	b=$(CARGO_HOME="$tmp/home-str" ok_cargo $d)
	if [ "$a" != "$b" ]; then
		echo "FAIL $d with a string rustflags in CARGO_HOME: ours $a, cargo $b"
		fail=1
	fi
done

# Build plain (debug off, strip on) and profiling (split debug info) with
# the overrides: cargo must pass line tables and no strip to rustc.
for prof in release profiling; do
	"$info" "$tmp/plain" "$prof" > "$tmp/info" || { fail=1; continue; }
	ovr=$(sed -n 's/^override=//p' "$tmp/info" | tr '\n' ' ')
	out=$(cd "$tmp/plain" && env $ovr RUSTC_WRAPPER="$tmp/wrap.sh" \
	    cargo build --offline --profile "$prof" -v 2>&1)
	# The wrapper fails every real compile, so cargo may stop after the
	# first of the two binaries it started: either one's flags will do.
	line=$(echo "$out" | grep -E -- '--crate-name (demo|other) ' | head -1)
	case "$line" in
	*"-C debuginfo=1"*|*"-C debuginfo=line-tables-only"*) ;;
	*) echo "FAIL $prof: no line tables with [$ovr]: $line"; fail=1 ;;
	esac
	case "$line" in
	*"-C strip="*|*"split-debuginfo=packed"*|*"split-debuginfo=unpacked"*)
		echo "FAIL $prof: still stripped or split with [$ovr]: $line"; fail=1 ;;
	esac
	[ -n "$line" ] || { echo "FAIL $prof: cargo build: $out" | tail -5; fail=1; }
	echo "$prof with [$ovr]: $(echo "$line" | grep -oE -- '-C (debuginfo|strip|split-debuginfo)=[^ ]+' | tr '\n' ' ')"
done
# The profile settings the module reports are what cargo passes without
# the overrides.
"$info" "$tmp/plain" profiling > "$tmp/info"
line=$(cd "$tmp/plain" && RUSTC_WRAPPER="$tmp/wrap.sh" cargo build --offline \
    --profile profiling -v 2>&1 | grep -E -- '--crate-name (demo|other) ' |
    head -1)
for want in "debuginfo=$(field profile.debug "$tmp/info")" \
    "strip=$(field profile.strip "$tmp/info")" \
    "split-debuginfo=$(field profile.split-debuginfo "$tmp/info")" \
    "lto=$(field profile.lto "$tmp/info")" \
    "panic=$(field profile.panic "$tmp/info")" \
    "opt-level=$(field profile.opt-level "$tmp/info")"; do
	case "$line" in
	*"-C $want"*) ;;
	*) echo "FAIL profiling: cargo does not pass -C $want: $line"; fail=1 ;;
	esac
done
[ $fail -eq 0 ] && echo "manifest and cargo agree"
exit $fail
