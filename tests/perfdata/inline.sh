#!/bin/sh
# inline.sh: for every distinct address of the test binary that a sample
# of fp.data resolved, the native inline chain (DWARF names, innermost
# first) must equal what binutils `addr2line -f -i -C` prints.  A sample in
# the PLT (the program's exit calls __cxa_finalize through it) has no DWARF:
# addr2line prints ??, the reader names it from the symbol table as perf
# does (NAME@plt); that pair agrees.
set -eu
W=${FG_BUILD_DIR:?}/perfdata
[ -f "$W/fp.data" ] || { echo "skipped: no recording (fixture skipped)"; exit 77; }
command -v addr2line >/dev/null || { echo "skipped: binutils addr2line missing"; exit 77; }
BIN=$W/target/release/fpwork
"${PROBE:?}" inlines "$W/fp.data" "$BIN" | sort -u > "$W/inl.native"
cut -f1 "$W/inl.native" | sed 's/^/0x/' | xargs addr2line -a -f -i -C -e "$BIN" |
awk '
/^0x[0-9a-f]+$/ { if (addr != "") print addr "\t" chain; sub(/^0x0*/, ""); addr = $0; chain = ""; n = 0; next }
{ if (n % 2 == 0) chain = chain (chain == "" ? "" : "|") $0; n++ }
END { if (addr != "") print addr "\t" chain }' | sort -u > "$W/inl.addr2line"
total=$(wc -l < "$W/inl.native")
sed 's/\t[^|]*@plt$/\t??/' "$W/inl.native" | sort -u > "$W/inl.native-plt"
same=$(comm -12 "$W/inl.native-plt" "$W/inl.addr2line" | wc -l)
deep=$(awk -F'\t' 'gsub(/\|/, "|", $2) > 0' "$W/inl.native" | wc -l)
echo "inline chains: $same of $total addresses agree with addr2line ($deep have inlined frames)"
if [ "$same" -ne "$total" ] || [ "$total" -eq 0 ]; then
	diff "$W/inl.native-plt" "$W/inl.addr2line" | head -20
	exit 1
fi
