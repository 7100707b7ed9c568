// Regular-expression search of a rendered flame graph in headless
// Chromium: the Search button and Ctrl-F prompts, the matched percentage
// against the SVG's own fg:x/fg:w, the ignore-case toggle, the URL state.
//   node test-search.js NAME RENDERER INPUT OUT.svg [RENDERER-OPTIONS...]
'use strict';

const B = require('./lib.js');

const [name, renderer, input, out, ...opts] = process.argv.slice(2);

// Check the page against a search for re: fills and the matched share.
async function checkSearch(t, page, cfg, re, what) {
  const all = await B.frames(page);
  const want = B.expectedMatch(all, re, cfg.total);
  const got = B.matchedPct(await page.textContent('#matched'));
  t.near(got, Math.round(want.pct * 100) / 100, 0.0051,
    `${what}: matched percentage (${want.count} frames match ${re})`);
  const wrong = all.filter((f) => (f.fill === cfg.searchcolor) !== re.test(B.nameOf(f)));
  t.check(wrong.length === 0, `${what}: exactly the matching frames are filled with ` +
    `${cfg.searchcolor} (${wrong.length} wrong: ${wrong.slice(0, 3).map((f) => f.title).join('; ')})`);
  return want;
}

B.Test.run(`browser search ${name}`, async (t) => {
  t.check(B.render(t, renderer, opts, input, out) === 0, 'the renderer succeeded');
  const page = await B.open(t);
  await B.load(t, page, out);
  const cfg = await B.config(page);
  const before = await B.frames(page);
  const names = before.map(B.nameOf);
  t.check(before.length > 10, `the graph has frames (${before.length})`);

  // A term that matches nested frames, from the graph itself: the name
  // of a frame that has a child, with its first character as a class.
  const nested = before.find((f) => before.some((g) => g !== f && B.nameOf(g) !== B.nameOf(f) &&
    (cfg.inverted ? g.y > f.y : g.y < f.y) && g.fx >= f.fx && g.fx + g.fw <= f.fx + f.fw &&
    f.fw < cfg.total / 2));
  const a = B.nameOf(nested);
  const child = before.find((g) => (cfg.inverted ? g.y > nested.y : g.y < nested.y) &&
    g.fx >= nested.fx && g.fx + g.fw <= nested.fx + nested.fw && B.nameOf(g) !== a);
  const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const term1 = `^(${esc(a)}|${esc(B.nameOf(child))})$`;

  // Search button
  page.fgAnswer(term1);
  await page.click('#search');
  t.check(page.fgPending() === 0, 'the Search button asked for a term');
  let want = await checkSearch(t, page, cfg, new RegExp(term1), 'Search button');
  t.check(want.count >= 2, 'the search matched nested frames');
  const naive = before.filter((f) => new RegExp(term1).test(B.nameOf(f)))
    .reduce((n, f) => n + f.fw, 0) / cfg.total * 100;
  t.check(want.pct < naive - 1e-9, `nested matches are counted once (${want.pct.toFixed(2)}% < ${naive.toFixed(2)}%)`);
  let p = await B.params(page);
  t.check(p.get('s') === term1, `the search is in the URL (${p.get('s')})`);
  t.check((await page.getAttribute('#search', 'class') || '').includes('show'), 'Search is highlighted');

  // Everything: nested matches counted once
  page.fgAnswer('.');
  await page.keyboard.press('Control+f');
  t.check(page.fgPending() === 0, 'Ctrl-F asked for a term');
  t.check(await page.textContent('#matched') === 'Matched: 100%',
    `a search matching every frame covers 100% (${await page.textContent('#matched')})`);

  // Ignore case: a term in the wrong case matches nothing, then matches
  const word = names.map((n) => (/[a-z]{4,}/.exec(n) || [''])[0]).find((w) => w);
  const upper = word.toUpperCase();
  const exact = names.some((n) => n.includes(upper));
  page.fgAnswer(upper);
  await page.keyboard.press('Control+f');
  await checkSearch(t, page, cfg, new RegExp(upper), `case-sensitive ${upper}`);
  await page.click('#ignorecase');
  want = await checkSearch(t, page, cfg, new RegExp(upper, 'i'), `ignore-case ${upper}`);
  t.check(want.count > 0 && !exact, 'ignore-case found frames the case-sensitive search did not');
  p = await B.params(page);
  t.check(p.get('i') === '1', 'ignore-case is in the URL');
  t.check((await page.getAttribute('#ignorecase', 'class') || '').includes('show'), 'ic is highlighted');

  // Restore from the URL, with a zoom
  const url = page.url().replace(/^file:\/\/[^?]*/, '');
  await B.load(t, page, out, url);
  await checkSearch(t, page, cfg, new RegExp(upper, 'i'), 'restored from the URL');
  await page.click('#ignorecase');
  await checkSearch(t, page, cfg, new RegExp(upper), 'ignore-case off again');
  p = await B.params(page);
  t.check(!p.has('i'), 'ignore-case left the URL');
  await page.keyboard.press('Control+i');
  await checkSearch(t, page, cfg, new RegExp(upper, 'i'), 'Ctrl-I turns ignore-case on');
  await page.keyboard.press('Control+i');
  await checkSearch(t, page, cfg, new RegExp(upper), 'Ctrl-I turns it off');

  // A search survives a zoom, and the share stays that of the whole graph
  await B.clickFrame(page, nested);
  page.fgAnswer(term1);
  await page.keyboard.press('Control+f');
  await checkSearch(t, page, cfg, new RegExp(term1), 'while zoomed');

  // Invalid expression: a message, no script error, nothing changed
  page.fgAnswer('(unclosed');
  await page.keyboard.press('Control+f');
  t.check(await page.textContent('#matched') === 'Invalid regular expression',
    'an invalid expression says so');

  // An empty answer clears the search; F3 asks too
  page.fgAnswer('');
  await page.keyboard.press('F3');
  t.check(page.fgPending() === 0, 'F3 asked for a term');
  t.check((await page.textContent('#matched')).trim() === '', 'an empty term clears the search');
  page.fgAnswer(term1);
  await page.keyboard.press('F3');
  await checkSearch(t, page, cfg, new RegExp(term1), 'F3');

  // In a narrow window the details of a long name do not run into Matched
  if (cfg.fluid) {
    await page.setViewportSize({ width: 560, height: 900 });
    await B.nextFrame(page);
    const longest = before.filter((f) => f.fw > 0).sort((x, y) => y.title.length - x.title.length)[0];
    await page.keyboard.press('Escape');
    await B.clickFrame(page, longest);
    const gap = await page.evaluate(() => {
      const d = document.getElementById('details').getBoundingClientRect();
      const m = document.getElementById('matched').getBoundingClientRect();
      return [d.right, m.left, document.getElementById('details').textContent];
    });
    t.check(gap[0] <= gap[1], `hover details end before Matched (${gap[0].toFixed(0)} <= ` +
      `${gap[1].toFixed(0)}: ${JSON.stringify(gap[2])})`);
    t.check(gap[2].endsWith(longest.title.substring(longest.title.lastIndexOf(' ('))),
      'cut details keep the counts');
    await page.setViewportSize({ width: 1280, height: 900 });
    await B.nextFrame(page);
  }

  // Clicking Search while a search is active clears it
  await page.click('#search');
  const after = await B.frames(page);
  const still = after.filter((f, i) => f.fill !== before[i].fill).length;
  t.check(still === 0, `clearing restores every frame's colour (${still} differ)`);
  t.check((await page.textContent('#matched')).trim() === '', 'clearing empties Matched');
  p = await B.params(page);
  t.check(!p.has('s'), 'the search left the URL');
  t.check(p.has('x'), 'the zoom stayed in the URL');
});
