#!/bin/sh
# cli.sh RENDER DIFF DATA_DIR: the programs' contracts: standard input,
# -o written atomically and never replaced by a failed run, exit codes,
# warnings naming FILE:LINE, --nameattr safety, --cp's palette.map,
# option errors, and flamegraph-diff-folded's output.
set -u
render=$1 diff=$2 data=$3
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cd "$tmp" || exit 1

# File and standard input give the same bytes; the bad line is named.
"$render" "$data/small.folded" > file.svg 2> err || fail "render small"
grep -q "small.folded:4: " err || { cat err; fail "no FILE:LINE warning"; }
grep -q "fractional" err || fail "no fractional warning"
"$render" < "$data/small.folded" > stdin.svg 2>/dev/null || fail "render stdin"
cmp -s file.svg stdin.svg || fail "stdin and file differ"
cat "$data/small.folded" | "$render" - > pipe.svg 2>/dev/null || fail "render pipe"
cmp -s file.svg pipe.svg || fail "pipe and file differ"
xmllint --noout file.svg || fail "not well-formed"
# A file descriptor not at the start of its file is read from where it is.
{ read -r skip; "$render"; } < "$data/small.folded" > rest.svg 2>/dev/null || fail "render rest"
grep -q 'main (11 samples' file.svg || fail "whole file: $(grep -o '<title>main ([^<]*' file.svg)"
grep -q 'main (6 samples' rest.svg || fail "rest of file: $(grep -o '<title>main ([^<]*' rest.svg)"

# A count too large for 64 bits is named as such (issue 13), for the
# last count and for the first of a differential pair; the line is skipped.
printf 'a;b 99999999999999999999999\na;c 5\na;d 99999999999999999999 3\n' > big.folded
"$render" big.folded > big.svg 2> err || fail "render big counts"
grep -q 'big.folded:1: sample count 99999999999999999999999 is too large' err || { cat err; fail "no too-large warning for line 1"; }
grep -q 'big.folded:3: sample count 99999999999999999999 is too large' err || { cat err; fail "no too-large warning for line 3"; }
grep -q 'no sample count' err && fail "an overflowing count called missing"
grep -q 'all (5 samples' big.svg || fail "big counts: $(grep -o '<title>all[^<]*' big.svg)"

# -o writes the file; a failed run (no data) keeps it.
"$render" -o out.svg "$data/small.folded" 2>/dev/null || fail "-o"
cmp -s out.svg file.svg || fail "-o content"
: > empty.folded
"$render" -o out.svg empty.folded 2>/dev/null && fail "empty input exits 0"
cmp -s out.svg file.svg || fail "failed run replaced the graph"
"$render" -o new.svg empty.folded 2>/dev/null
[ $? -eq 1 ] || fail "empty input: status not 1"
grep -q 'No valid input' new.svg || fail "no 'no data' graph written"
ls | grep -q 'XXXX\|\.svg\.' && fail "temporary file left behind"

# A signal while -o is being written removes the temporary file, keeps
# the old graph and ends the program with 128 + the signal (issue 13).
# The input draws a graph of some 150 MB (every frame, --minwidth 0px),
# long enough to catch the temporary file while it is written.
awk 'BEGIN { srand(3); for (i = 0; i < 60000; i++) { s = "main"; d = 5 + int(rand() * 25);
	for (j = 0; j < d; j++) s = s ";f" int(rand() * 50) "_" j; print s, 1 + int(rand() * 100) } }' > big.folded
# Speed-proof: the program is stopped as soon as its temporary file shows,
# and signalled while stopped; a run that had already finished (exit 0,
# the graph replaced) is put back and tried again.
for sig in INT:130 TERM:143 HUP:129; do
	want=${sig#*:} sig=${sig%:*}
	try=0
	while :; do
		"$render" --minwidth 0px -o out.svg big.folded 2>/dev/null &
		pid=$!
		i=0
		while ! ls | grep -q '^out\.svg\.' && [ $i -lt 3000 ]; do sleep 0.02; i=$((i + 1)); done
		kill -STOP $pid 2>/dev/null
		kill -$sig $pid 2>/dev/null
		kill -CONT $pid 2>/dev/null
		wait $pid
		st=$?
		try=$((try + 1))
		[ $st -eq 0 ] && [ $try -lt 5 ] || break
		cp file.svg out.svg
	done
	[ $st -eq $want ] || fail "SIG$sig while writing: exit status $st, expected $want"
	ls | grep -q '^out\.svg\.' && fail "SIG$sig: temporary file left behind"
	cmp -s out.svg file.svg || fail "SIG$sig: the old graph changed"
done
rm -f big.folded

# Option errors: status 2 and a message.
"$render" --minwidth abc "$data/small.folded" > /dev/null 2> err
[ $? -eq 2 ] && grep -q minwidth err || fail "bad --minwidth accepted"
"$render" --colors nosuch "$data/small.folded" > /dev/null 2> err
[ $? -eq 2 ] || fail "bad --colors accepted"
"$render" --no-such-option "$data/small.folded" > /dev/null 2> err
[ $? -eq 2 ] || fail "unknown option accepted"
grep -q 'unknown option --no-such-option' err || fail "unknown option: $(head -1 err)"
# a missing value is named as such (issue 13)
"$render" "$data/small.folded" --title > /dev/null 2> err
[ $? -eq 2 ] || fail "--title without a value accepted"
grep -q 'option --title needs a value' err || fail "--title: $(head -1 err)"
"$render" "$data/small.folded" -o > /dev/null 2> err
[ $? -eq 2 ] && grep -q 'option -o needs a value' err || fail "-o: $(head -1 err)"
"$render" --width 800 --height 20 --fontsize 10 --fontwidth 0.6 \
	--minwidth 2px --colors mem --hash --bgcolors '#102030' \
	--uicolor '#ffffff' --search-color '#00ff00' --stroke-color '#000000' \
	--inverted --truncate-text-right --countname ms --factor 0.5 \
	"$data/small.folded" > all.svg 2>/dev/null || fail "all options"
xmllint --noout all.svg || fail "all options: not well-formed"
grep -q 'width="800"' all.svg || fail "--width"
grep -q 'fg:fluid="0"' all.svg || fail "--width is not fixed"
grep -q 'all (6 ms, 100%)' all.svg || fail "--factor / --countname: $(grep -o '<title>all[^<]*' all.svg)"

# --nameattr: attributes and links, but no handlers and no script URLs.
"$render" --nameattr "$data/nameattr.txt" "$data/small.folded" > na.svg 2>/dev/null || fail "nameattr"
xmllint --noout na.svg || fail "nameattr: not well-formed"
grep -q 'class="mainframe"' na.svg || fail "nameattr class"
grep -q '<title>the main function</title>' na.svg || fail "nameattr title"
grep -q 'xlink:href="https://example.org/?a=1&amp;b=&lt;2&gt;"' na.svg || fail "nameattr href"
grep -qi 'onclick\|javascript:\|xmlns:x=' na.svg && fail "nameattr let a handler through"
grep -q 'style="opacity:0.9"' na.svg || fail "nameattr style"

# --cp keeps colours in the palette file and reuses them.
"$render" --cp --palette-file pal.map "$data/small.folded" > cp1.svg 2>/dev/null || fail "--cp"
grep -q '^leaf->rgb(' pal.map || fail "palette file not written"
sed 's/^leaf->.*/leaf->rgb(1,2,3)/' pal.map > pal2 && mv pal2 pal.map
"$render" --cp --palette-file pal.map "$data/small.folded" > cp2.svg 2>/dev/null || fail "--cp 2"
grep -q 'fill="#010203"' cp2.svg || fail "stored colour not used"

# -o naming something other than a regular file (a FIFO, as /dev/null
# would be): written as it is, not replaced by a renamed temporary file
# (which as root would turn /dev/null into a file).
mkfifo out.fifo
cat out.fifo > fifo.svg &
r1=$!
"$render" -o out.fifo "$data/small.folded" 2>/dev/null || fail "-o FIFO"
if [ -p out.fifo ]; then wait $r1; else
	kill $r1; fail "the FIFO was replaced"; fi
grep -q '<svg' fifo.svg || fail "no SVG through the FIFO"

# flamegraph-diff-folded.
"$diff" "$data/before.folded" "$data/after.folded" > d.folded || fail "diff"
printf 'main;a 10 20\nmain;b 0x1f2e 5 0\nmain;b 0xabc 0 5\nmain;c 0 7\nx 3 0\n' > want
cmp -s d.folded want || { diff want d.folded; fail "diff output"; }
"$diff" --normalize --strip-hex "$data/before.folded" "$data/after.folded" > dn.folded || fail "diff -n -s"
printf 'main;a 17 20\nmain;b 0x... 8 5\nmain;c 0 7\nx 5 0\n' > want
cmp -s dn.folded want || { diff want dn.folded; fail "diff --normalize --strip-hex output"; }
"$render" d.folded > d.svg 2>/dev/null || fail "render differential"
grep -q '(20 samples, [0-9.]*%; +' d.svg || fail "differential title"
"$diff" "$data/before.folded" > /dev/null 2>&1
[ $? -eq 2 ] || fail "diff with one file accepted"
# Ctrl-C while it waits for its input: 130 (issue 13)
mkfifo before.fifo
"$diff" before.fifo "$data/after.folded" > /dev/null 2>&1 &
pid=$!
sleep 0.3
kill -INT $pid
( sleep 20; kill -KILL $pid ) > /dev/null 2>&1 &
wd=$!
wait $pid
st=$?
kill $wd 2>/dev/null
[ $st -eq 130 ] || fail "diff-folded: SIGINT gave exit status $st"
"$diff" --strip-hex=1 a b > /dev/null 2> err
[ $? -eq 2 ] && grep -q 'option --strip-hex takes no value' err || fail "diff --strip-hex=1: $(head -1 err)"
echo ok
