#!/bin/sh
# bench.sh: the TOML reader's speed against Python's tomllib on a 7 MB
# Cargo.lock-like document (arrays of tables, strings, arrays).  Run by
# hand: tests/toml/bench.sh BUILD_DIR.  Prints the best of 5 for each and
# the ratio.
set -eu
build=${1:?usage: bench.sh BUILD_DIR}
doc=$(mktemp /tmp/fg-toml-bench-XXXXXX)
trap 'rm -f "$doc"' EXIT
python3 - "$doc" <<'PY'
import random, sys
random.seed(1)
out = ['version = 3', '']
size = 0
i = 0
while size < 7_000_000:
    block = ['[[package]]', f'name = "crate-{i}"',
             f'version = "{i % 10}.{i % 7}.{i % 13}"',
             'source = "registry+https://github.com/rust-lang/crates.io-index"',
             f'checksum = "{random.getrandbits(256):064x}"',
             'dependencies = [', *[f' "crate-{(i * 7 + j) % 40000}",' for j in range(3)],
             ']', '']
    size += sum(len(l) + 1 for l in block)
    out += block
    i += 1
open(sys.argv[1], 'w').write('\n'.join(out))
PY
ours=$("$build/tests/toml-json" --bench "$doc" 5)
theirs=$(python3 -c '
import sys, time, tomllib
d = open(sys.argv[1], "rb").read().decode()
best = 1e9
for _ in range(5):
    t = time.monotonic(); tomllib.loads(d); best = min(best, time.monotonic() - t)
print("%.4f" % best)' "$doc")
echo "libflamegraph toml: ${ours} s   python3 tomllib: ${theirs} s"
python3 -c "import sys; print('speed-up: %.1fx' % (float(sys.argv[2]) / float(sys.argv[1])))" "$ours" "$theirs"
