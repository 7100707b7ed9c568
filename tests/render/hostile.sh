#!/bin/sh
# hostile.sh RENDER DATA_DIR: names, title, subtitle and notes that try to
# break out of their text (markup, "]]>", quotes, comment ends, control
# bytes, invalid UTF-8) must come out as text: the document parses, holds
# one script element (ours), and shows the names as written, with
# U+FFFD where bytes could not be kept.
set -u
render=$1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# printf keeps the bytes; \351 etc. are octal escapes.
{
	printf 'main;</text><script>alert(1)</script> 5\n'
	printf 'main;a]]>b 3\n'
	printf 'main;q"uo'"'"'te&amp 4\n'
	printf 'main;ctl\001\033\177x 2\n'
	printf 'main;bad\377\300\200utf\355\240\200 2\n'
	printf 'main;<!-- x --> 1\n'
	printf 'main;caf\303\251 \342\202\254 6\n'
	printf 'main;tab\there 1\n'
} > "$tmp/in.folded"

"$render" --title '</text><script>alert(2)</script>]]>' \
	--subtitle "s\"'<&>$(printf '\001')" \
	--notes '--> <script>alert(3)</script> -- - --->' \
	--countname '<b>' --nametype '"x"' \
	--fonttype 'mono;}</style><script>alert(4)</script>' \
	"$tmp/in.folded" > "$tmp/out.svg" 2> "$tmp/err" || { cat "$tmp/err"; fail "render failed"; }
xmllint --noout "$tmp/out.svg" || fail "not well-formed"
n=$(xmllint --xpath 'count(//*[local-name()="script"])' "$tmp/out.svg")
[ "$n" = 1 ] || fail "$n script elements, want 1"
if grep -q '<script>alert' "$tmp/out.svg"; then fail "unescaped markup"; fi
if LC_ALL=C grep -q "$(printf '[\001\033\177\377]')" "$tmp/out.svg"; then
	fail "control or invalid bytes written"
fi
frames=$(python3 -c '
import sys, xml.etree.ElementTree as ET
for t in ET.parse(sys.argv[1]).iter("{http://www.w3.org/2000/svg}title"):
    print(t.text)' "$tmp/out.svg") || fail "cannot list titles"
for want in '</text><script>alert(1)</script> (5 <b>' 'a]]>b (3 <b>' \
    "q\"uo'te&amp (4" 'café € (6' "$(printf 'tab\there (1')"; do
	echo "$frames" | grep -qF "$want" || fail "title '$want' missing"
done
echo "$frames" | grep -qF "$(printf 'ctl\357\277\275\357\277\275\357\277\275x')" ||
	fail "control bytes not replaced by U+FFFD"
echo "$frames" | grep -qF "$(printf 'bad\357\277\275')" || fail "invalid UTF-8 not replaced"
python3 - "$tmp/out.svg" <<'PY' || fail "title/subtitle text"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
ns = "{http://www.w3.org/2000/svg}"
texts = {e.get("id"): "".join(e.itertext()) for e in root.iter(ns + "text") if e.get("id")}
assert texts["title"] == "</text><script>alert(2)</script>]]>", texts["title"]
assert texts["subtitle"] == "s\"'<&>\ufffd", repr(texts["subtitle"])
assert root.get("{urn:x-cargo-flamegraph}countname") == "<b>"
assert root.get("{urn:x-cargo-flamegraph}nametype") == '"x"'
PY
# The same input twice gives the same bytes.
"$render" "$tmp/in.folded" > "$tmp/a.svg" 2>/dev/null
"$render" "$tmp/in.folded" > "$tmp/b.svg" 2>/dev/null
cmp -s "$tmp/a.svg" "$tmp/b.svg" || fail "not deterministic"
echo ok
