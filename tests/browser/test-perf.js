// A big graph: more than 30,000 frames, rendered by flamegraph-render,
// loads, zooms, resets, searches and re-fits its labels on resize in
// headless Chromium.  The times are printed; they are not checked here
// (a test must not depend on the machine's speed): the targets live in
// the benchmark, tests/bench/bench-browser.sh.  Each step has only a
// hang guard.
//   node test-perf.js NAME RENDERER OUT.folded OUT.svg
'use strict';

const fs = require('fs');
const B = require('./lib.js');

const [name, renderer, folded, out] = process.argv.slice(2);

// A step that takes this long is stuck, not slow (idle: ~2 s to load,
// ~0.4 s a step; CTest's TIMEOUT is the guard of the whole test).
const HANG_MS = B.HANG_MS;

// action() within HANG_MS, else a failure naming what.
async function guarded(t, what, action) {
  let timer;
  const hang = new Promise((res) => { timer = setTimeout(() => res('hang'), HANG_MS); });
  const r = await Promise.race([action(), hang]);
  clearTimeout(timer);
  if (r === 'hang')
    throw new Error(`${what} did not finish within ${HANG_MS / 1000} s`);
  return r;
}

B.Test.run(`browser perf ${name}`, async (t) => {
  B.writeBigFolded(folded);
  t.check(B.render(t, renderer, [], folded, out) === 0, 'the renderer succeeded');
  const page = await B.open(t, { width: 1280, height: 900 });
  const loadMs = await guarded(t, 'loading', () => B.load(t, page, out));
  const n = await page.evaluate(() => document.getElementById('frames').children.length);
  t.check(n >= 30000, `the graph has at least 30,000 frames (${n})`);
  t.info(`load: ${loadMs} ms for ${n} frames (${(fs.statSync(out).size / 1e6).toFixed(1)} MB)`);

  let [script, painted] = await guarded(t, 'the zoom', () => B.timedClick(page, 'zoom'));
  const hidden = await page.evaluate(() => document.querySelectorAll('#frames > .hide').length);
  t.info(`zoom: ${script.toFixed(0)} ms in the script, ${painted.toFixed(0)} ms painted (${hidden} frames hidden)`);
  t.check(hidden > n / 2, `the zoom hid most frames (${hidden} of ${n})`);

  [script, painted] = await guarded(t, 'the reset', () => B.timedClick(page, 'reset'));
  const after = await page.evaluate(() => document.querySelectorAll('#frames > .hide').length);
  t.info(`reset: ${script.toFixed(0)} ms in the script, ${painted.toFixed(0)} ms painted`);
  t.check(after === 0, `the reset showed every frame again (${after} hidden)`);

  page.fgAnswer('parse_\\d+$');
  const s0 = Date.now();
  await guarded(t, 'the search', async () => {
    await page.keyboard.press('Control+f');
    await page.waitForFunction(() => /Matched/.test(document.getElementById('matched').textContent));
  });
  const searchMs = Date.now() - s0;
  const matched = await page.textContent('#matched');
  t.info(`search: ${searchMs} ms (${matched})`);
  t.check(B.matchedPct(matched) > 0, `the search matched frames (${matched})`);

  const r0 = Date.now();
  await guarded(t, 'the resize', async () => {
    await page.setViewportSize({ width: 900, height: 900 });
    await B.nextFrame(page);
  });
  t.info(`resize: ${Date.now() - r0} ms`);
  const bad = await B.overflowing(page);
  t.check(bad.length === 0, `labels fit their frames after the resize (${bad.slice(0, 3).join('; ')})`);
});
