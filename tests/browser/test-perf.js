// Performance: a generated graph with more than 30,000 frames, rendered by
// flamegraph-render, loads, zooms, searches and resets in headless
// Chromium within generous bounds; the times are printed.
//   node test-perf.js NAME RENDERER OUT.folded OUT.svg
'use strict';

const fs = require('fs');
const B = require('./lib.js');

const [name, renderer, folded, out] = process.argv.slice(2);

// Generous bounds: CI runs this on two shared cores (typically about 2 s to
// load and 0.4 s a step on an idle machine).
const LOAD_MS = 5000;	// parse, lay out, initialise the script, first zoom
const STEP_MS = 2000;	// one zoom, reset, search or resize, painted

// 60 x 10 x 10 stacks, each ending in a chain of 4 more frames: 30,663
// frames, all wider than the default --minwidth of 0.01%.
function generate(file) {
  const mods = ['core::iter', 'alloc::vec', 'std::collections::hash::map', 'myapp::parser',
    'myapp::eval', 'serde_json::de', 'tokio::runtime::task', 'regex::exec'];
  const verbs = ['fold', 'next', 'insert', 'parse', 'visit', 'poll', 'eval', 'grow'];
  let seed = 7;
  const rnd = (n) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  const fn = (i) => `${mods[i % mods.length]}::${verbs[(i >> 3) % verbs.length]}_${i}`;
  const lines = [];
  for (let a = 0; a < 60; a++) {
    for (let b = 0; b < 10; b++) {
      for (let c = 0; c < 10; c++) {
        const stack = ['myapp', `myapp::main`, fn(a), fn(1000 + a * 10 + b), fn(5000 + a * 100 + b * 10 + c)];
        for (let d = 0; d < 4; d++)
          stack.push(fn(20000 + rnd(3000)));
        lines.push(`${stack.join(';')} ${2 + rnd(3)}`);
      }
    }
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

B.Test.run(`browser perf ${name}`, async (t) => {
  generate(folded);
  t.check(B.render(t, renderer, [], folded, out) === 0, 'the renderer succeeded');
  const page = await B.open(t, { width: 1280, height: 900 });
  const loadMs = await B.load(t, page, out);
  const n = await page.evaluate(() => document.getElementById('frames').children.length);
  t.check(n >= 30000, `the graph has at least 30,000 frames (${n})`);
  t.info(`load: ${loadMs} ms for ${n} frames (${(fs.statSync(out).size / 1e6).toFixed(1)} MB)`);

  // Time an action in the page until the frame after it is painted.
  const timed = (what, action) => page.evaluate(([w, act]) => new Promise((res) => {
    const t0 = performance.now();
    const fr = document.getElementById('frames');
    if (act === 'zoom') {
      const g = fr.children[Math.floor(fr.children.length / 3)];
      g.querySelector('rect').dispatchEvent(new MouseEvent('click', { bubbles: true }));
    } else if (act === 'reset') {
      document.getElementById('unzoom').dispatchEvent(new MouseEvent('click', { bubbles: true }));
    }
    const t1 = performance.now();
    requestAnimationFrame(() => setTimeout(() => res([t1 - t0, performance.now() - t0]), 0));
  }), [what, action]);

  let [script, painted] = await timed('zoom', 'zoom');
  const hidden = await page.evaluate(() => document.querySelectorAll('#frames > .hide').length);
  t.info(`zoom: ${script.toFixed(0)} ms in the script, ${painted.toFixed(0)} ms painted (${hidden} frames hidden)`);
  t.check(hidden > n / 2, 'the zoom hid most frames');
  t.check(painted < STEP_MS, `zooms within ${STEP_MS} ms (${painted.toFixed(0)} ms)`);
  t.check(loadMs + painted < LOAD_MS, `loads and zooms within ${LOAD_MS} ms (${(loadMs + painted).toFixed(0)} ms)`);

  [script, painted] = await timed('reset', 'reset');
  t.info(`reset: ${script.toFixed(0)} ms in the script, ${painted.toFixed(0)} ms painted`);
  t.check(painted < STEP_MS, `resets within ${STEP_MS} ms (${painted.toFixed(0)} ms)`);

  page.fgAnswer('parse_\\d+$');
  const s0 = Date.now();
  await page.keyboard.press('Control+f');
  await page.waitForFunction(() => /Matched/.test(document.getElementById('matched').textContent));
  const searchMs = Date.now() - s0;
  t.info(`search: ${searchMs} ms (${await page.textContent('#matched')})`);
  t.check(searchMs < STEP_MS, `searches within ${STEP_MS} ms (${searchMs} ms)`);

  const r0 = Date.now();
  await page.setViewportSize({ width: 900, height: 900 });
  await B.nextFrame(page);
  const resizeMs = Date.now() - r0;
  t.info(`resize: ${resizeMs} ms`);
  t.check(resizeMs < STEP_MS, `re-fits labels on resize within ${STEP_MS} ms (${resizeMs} ms)`);
});
