// Benchmark (run by hand or by tests/bench/bench-browser.sh, not a test):
// the big graph of test-perf.js (30,663 frames) in headless Chromium,
// timed against a baseline measured in the same run: the same document
// with its script never started (what Chromium alone needs to parse and
// lay it out).  Prints the median of RUNS runs of each step and checks
// them against the targets, which hold on an idle two-core machine:
//   load + first zoom <= 5000 ms, zoom, reset, search, resize <= 2000 ms
// each; and the ratio load / baseline load, which other work on the
// machine moves less than the times.
//
//   node tests/browser/bench-perf.js RENDERER [RUNS]
//
// Exit status 0 when every target is met, 1 otherwise.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const B = require('./lib.js');

const LOAD_MS = 5000;	// parse, lay out, initialise the script, first zoom
const STEP_MS = 2000;	// one zoom, reset, search or resize, painted

const [renderer, runsArg] = process.argv.slice(2);
if (!renderer) {
  console.error('usage: node bench-perf.js RENDERER [RUNS]');
  process.exit(2);
}
const runs = parseInt(runsArg || '5', 10);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-bench-perf-'));
const folded = path.join(dir, 'big.folded');
const ours = path.join(dir, 'big.svg');
const bare = path.join(dir, 'big-no-script.svg');

B.writeBigFolded(folded);
const r = spawnSync(renderer, [folded], { maxBuffer: 1 << 30 });
if (r.status !== 0) {
  console.error(`${renderer} failed: ${r.stderr}`);
  process.exit(1);
}
fs.writeFileSync(ours, r.stdout);
fs.writeFileSync(bare, r.stdout.toString('latin1').replace('onload="fg_init(evt)"', ''), 'latin1');

// A quiet stand-in for B.Test: the benchmark reports, it does not check.
const quiet = {
  cleanup: [],
  check: (ok, what) => { if (!ok) throw new Error(what); return ok; },
  info: () => {},
};

async function once(file, full) {
  const page = await B.open(quiet, { width: 1280, height: 900 });
  const res = {};
  const t0 = Date.now();
  await page.goto('file://' + file);
  await B.nextFrame(page);
  res.load = Date.now() - t0;
  if (full) {
    res.zoom = (await B.timedClick(page, 'zoom'))[1];
    res.reset = (await B.timedClick(page, 'reset'))[1];
    page.fgAnswer('parse_\\d+$');
    const s0 = Date.now();
    await page.keyboard.press('Control+f');
    await page.waitForFunction(() => /Matched/.test(document.getElementById('matched').textContent));
    res.search = Date.now() - s0;
    const r0 = Date.now();
    await page.setViewportSize({ width: 900, height: 900 });
    await B.nextFrame(page);
    res.resize = Date.now() - r0;
  }
  for (const f of quiet.cleanup.splice(0).reverse())
    await f();
  return res;
}

function median(xs) {
  const s = xs.slice().sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
}

(async () => {
  const base = [];
  const m = [];
  for (let i = 0; i < runs; i++) {
    base.push((await once(bare, false)).load);
    m.push(await once(ours, true));
  }
  const med = {};
  for (const k of ['load', 'zoom', 'reset', 'search', 'resize'])
    med[k] = median(m.map((x) => x[k]));
  const b = median(base);
  const svgMB = (fs.statSync(ours).size / 1e6).toFixed(1);
  console.log(`browser: 30,663 frames, ${svgMB} MB SVG, median of ${runs} runs`);
  console.log(`baseline (no script) load: ${b} ms`);
  let ok = true;
  const line = (what, ms, target) => {
    const met = ms <= target;
    ok = ok && met;
    console.log(`${what.padEnd(18)} ${ms.toFixed(0).padStart(6)} ms  (target <= ${target} ms: ${met ? 'met' : 'MISSED'})`);
  };
  line('load + first zoom', med.load + med.zoom, LOAD_MS);
  line('zoom', med.zoom, STEP_MS);
  line('reset', med.reset, STEP_MS);
  line('search', med.search, STEP_MS);
  line('resize', med.resize, STEP_MS);
  console.log(`load / baseline load: ${(med.load / b).toFixed(2)}`);
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(ok ? 0 : 1);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
