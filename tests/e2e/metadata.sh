#!/bin/sh
# metadata: [package.metadata.flamegraph] gives defaults (title, output,
# skip-after, perf-options added to perf record) that the command line
# overrides; an invalid manifest is an
# error naming Cargo.toml:LINE:COL before cargo runs.
# requires: cargo perf
# labels: e2e
. "$(dirname "$0")/lib.sh"
setup metadata demo
cat >>"$W/crate/Cargo.toml" <<'TOML'

[package.metadata.flamegraph]
title = "from the manifest"
output = "profiles/demo.svg"
skip-after = ["demo::round"]
perf-options = ["--all-user", "--no-buildid-cache"]
TOML
mkdir -p "$W/crate/profiles"
cd "$W/crate"
"$CFG" flamegraph -v --folded-output "$W/m.folded" >"$OUT" 2>"$ERR"
expect_status 0 $? "metadata defaults"
svg=$W/crate/profiles/demo.svg
[ -s "$svg" ] || fail "output from the manifest not used"
grep -q 'from the manifest' "$svg" || fail "title from the manifest not used"
grep -q '^demo::round;demo::heavy' "$W/m.folded" || fail "skip-after from the manifest not used"
grep -q 'perf record .* --all-user --no-buildid-cache -o ' "$ERR" ||
    { cat "$ERR" >&2; fail "perf-options from the manifest not passed to perf record"; }
grep -q '_\[k\]' "$W/m.folded" && fail "--all-user from the manifest had no effect"
"$CFG" flamegraph --title "from the command line" -o "$W/cli.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "command line over metadata"
grep -q 'from the command line' "$W/cli.svg" || fail "--title did not win"
grep -q 'from the manifest' "$W/cli.svg" && fail "the manifest's title won"
printf '\n[profile.release\ndebug = true\n' >>Cargo.toml
"$CFG" flamegraph -o "$W/bad.svg" >"$OUT" 2>"$ERR"
expect_status 1 $? "invalid manifest"
grep -q 'Cargo.toml:[0-9]*:[0-9]*' "$ERR" || { cat "$ERR" >&2; fail "no Cargo.toml:LINE:COL"; }
grep -q Compiling "$ERR" && fail "cargo ran on an invalid manifest"
# A Cargo.toml over the reader's 8 MiB limit (cargo reads it): the run
# goes on, and the lost metadata is said without -v (issue 13)
cp -r "$SRC/tests/crates/demo" "$W/big"
printf '\n[package.metadata.flamegraph]\ntitle = "lost"\n' >>"$W/big/Cargo.toml"
awk 'BEGIN { for (i = 0; i < 140000; i++) printf "# %060d\n", i }' >>"$W/big/Cargo.toml"
cd "$W/big"
"$CFG" flamegraph -o "$W/big.svg" >"$OUT" 2>"$ERR"
expect_status 0 $? "Cargo.toml over 8 MiB"
grep_err 'larger than 8 MiB'
grep_err '[package.metadata.flamegraph] is not applied'
has_frame "$W/big.svg" demo::heavy
echo ok
