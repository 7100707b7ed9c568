// Hostile names in headless Chromium: frame names with markup, "]]>",
// quotes, control bytes and invalid UTF-8, a hostile title, subtitle and
// notes, and a URL whose parameters carry markup.  No dialog may open, the
// document must parse (here and in xmllint), and every text must show as
// written (invalid bytes and control characters as U+FFFD).  HOSTILE.nameattr
// beside the input gives a frame attributes with markup in their values.
//   node test-hostile.js NAME RENDERER HOSTILE.folded OUT.svg
'use strict';

const fs = require('fs');
const { spawnSync } = require('child_process');
const B = require('./lib.js');

const [name, renderer, input, out] = process.argv.slice(2);

const TITLE = '</text><script>alert("title")</script>';
const SUBTITLE = ']]> & "q" \'s\' <i>sub</i>';
const NOTES = '--><script>alert("notes")</script><!--';

// What the renderer must show for a name given as bytes.
function shown(bytes) {
  return new TextDecoder('utf-8').decode(bytes).replace(/[\x00-\x08\x0a-\x1f]/g, '\ufffd');
}

// The frame names of the folded file, as the page must show them.
function expectedNames(file) {
  const names = new Set();
  const raw = fs.readFileSync(file);
  let start = 0;
  for (let i = 0; i <= raw.length; i++) {
    if (i < raw.length && raw[i] !== 0x0a)
      continue;
    const line = raw.subarray(start, i);
    start = i + 1;
    const sp = line.lastIndexOf(0x20);
    if (sp <= 0)
      continue;
    let s = 0;
    const stack = line.subarray(0, sp);
    for (let j = 0; j <= stack.length; j++) {
      if (j === stack.length || stack[j] === 0x3b) {
        names.add(shown(stack.subarray(s, j)));
        s = j + 1;
      }
    }
  }
  return [...names];
}

// The document: parsed, one script, no element the names could have made.
function structure(page) {
  return page.evaluate(() => {
    const all = document.getElementsByTagName('*');
    const kinds = {};
    for (const el of all)
      kinds[el.localName] = (kinds[el.localName] || 0) + 1;
    const frames = document.getElementById('frames');
    let foreign = 0;
    for (const el of frames ? frames.getElementsByTagName('*') : [])
      if (!['g', 'title', 'rect', 'text', 'a'].includes(el.localName))
        foreign++;
    return {
      root: document.documentElement.localName,
      ns: document.documentElement.namespaceURI,
      parsererror: document.getElementsByTagName('parsererror').length,
      scripts: kinds.script || 0,
      markup: (kinds.img || 0) + (kinds.b || 0) + (kinds.i || 0),
      foreign,
      elements: all.length,
      title: (document.getElementById('title') || {}).textContent,
      subtitle: (document.getElementById('subtitle') || {}).textContent,
    };
  });
}

B.Test.run(`browser hostile ${name}`, async (t) => {
  const nameattr = input.replace(/\.folded$/, '.nameattr');
  t.check(B.render(t, renderer, ['--title', TITLE, '--subtitle', SUBTITLE, '--notes', NOTES,
    '--nameattr', nameattr], input, out) === 0, 'the renderer succeeded');
  const xl = spawnSync('xmllint', ['--noout', out], { encoding: 'utf8' });
  if (xl.error)
    t.info('xmllint not installed: XML check left to the browser');
  else
    t.check(xl.status === 0, `xmllint --noout accepts the SVG ${xl.stderr || ''}`);
  const svg = fs.readFileSync(out, 'latin1');
  t.check(svg.split(']]>').length === 2, 'the document has exactly one "]]>" (the end of the script)');

  const page = await B.open(t);
  await B.load(t, page, out);
  const st = await structure(page);
  t.check(st.root === 'svg' && st.ns === 'http://www.w3.org/2000/svg' && st.parsererror === 0,
    `the document parses as SVG (${st.root}, ${st.parsererror} parse errors)`);
  t.check(st.scripts === 1, `one script element (${st.scripts})`);
  t.check(st.markup === 0 && st.foreign === 0,
    `names made no elements (${st.markup} markup, ${st.foreign} foreign in #frames)`);
  t.check(st.title === TITLE, `the title shows as written (${JSON.stringify(st.title)})`);
  t.check(st.subtitle === SUBTITLE, `the subtitle shows as written (${JSON.stringify(st.subtitle)})`);

  const attrs = await page.evaluate(() => {
    const g = [...document.querySelectorAll('#frames g')].find((e) =>
      e.querySelector('title').textContent.startsWith('main ('));
    return g ? [g.getAttribute('class'), g.getAttribute('data-note'), g.hasAttribute('onload')] : null;
  });
  t.check(attrs !== null && attrs[0] === 'a"><script>alert("attr")</script>' &&
    attrs[1] === "1' onload='alert(2)" && attrs[2] === false,
    `--nameattr values stay attribute values (${JSON.stringify(attrs)})`);

  const all = await B.frames(page);
  const names = all.map(B.nameOf);
  const want = expectedNames(input);
  for (const n of want)
    t.check(names.includes(n), `a frame shows ${JSON.stringify(n)}`);
  for (const f of all) {
    const n = B.nameOf(f);
    const ok = f.label === '' || f.label === n ||
      (f.label.endsWith('..') && n.startsWith(f.label.slice(0, -2))) ||
      (f.label.startsWith('..') && n.endsWith(f.label.slice(2)));
    t.check(ok, `label ${JSON.stringify(f.label)} is the name ${JSON.stringify(n)} as written`);
  }

  // hover, zoom and search over the hostile frames
  const bad = all.find((f) => B.nameOf(f) === '</text><script>alert(1)</script>');
  await B.clickFrame(page, bad);
  t.check((await page.textContent('#details')).includes(bad.title),
    'hovering the markup frame shows its name as text');
  const zoomed = await B.frames(page);
  const z = zoomed[bad.i];
  const linked = zoomed.find((f) => B.nameOf(f) === 'javascript:alert(5)');
  t.check(linked && linked.hide, 'a frame inside a link (--nameattr href) is hidden by the zoom too');
  t.check(z.label === B.nameOf(bad), `zoomed, its label is the whole name (${JSON.stringify(z.label)})`);
  page.fgAnswer('<script>');
  await page.keyboard.press('Control+f');
  const cfg = await B.config(page);
  const m = B.expectedMatch(all, /<script>/, cfg.total);
  t.near(B.matchedPct(await page.textContent('#matched')), Math.round(m.pct * 100) / 100, 0.0051,
    `searching "<script>" matches the frames named so (${m.count})`);
  const st2 = await structure(page);
  t.check(st2.elements === st.elements && st2.scripts === 1,
    `zoom and search made no elements (${st.elements} -> ${st2.elements})`);

  // URL parameters carrying markup are data only
  const q = '?s=' + encodeURIComponent('<img src=x onerror=alert(9)>') +
    '&x=' + encodeURIComponent('<svg onload=alert(10)>') +
    '&y=' + encodeURIComponent('"><script>alert(11)</script>') +
    '&i=' + encodeURIComponent('<b>');
  await B.load(t, page, out, q);
  const st3 = await structure(page);
  t.check(st3.elements === st.elements && st3.scripts === 1 && st3.parsererror === 0,
    `hostile URL parameters made no elements (${st.elements} -> ${st3.elements})`);
  const matched = await page.textContent('#matched');
  t.check(matched === 'Matched: 0.00%', `the URL's search is a regular expression only (${JSON.stringify(matched)})`);
  const hidden = (await B.frames(page)).filter((f) => f.hide || f.parent).length;
  t.check(hidden === 0, 'a URL zoom naming no frame zooms nowhere');
  await B.load(t, page, out, '?s=' + encodeURIComponent('(') + '&x=1e999&y=NaN');
  t.check(await page.textContent('#matched') === 'Invalid regular expression',
    'an invalid expression in the URL is reported, not thrown');
  await page.waitForTimeout(200);	// give a late dialog the chance to fire
});
