// Benchmark (run by hand, not a test): the cost of the flame graph script
// in headless Chromium on a big graph, against two baselines on the same
// document: its script never started (no onload), and inferno 0.12.8's
// script, taken at run time from the conformance corpus's inferno output
// (nothing of it is kept in this repository).
//
//   node tests/browser/bench.js RENDERER [STACKS] [RUNS]
//
// STACKS (default 2000) unique stacks come from ../shared/tools/gen-folded
// (FG_GEN_FOLDED overrides); the corpus from FG_CONFORMANCE_DIR (default
// ../shared/conformance).  Prints the median of RUNS (default 3) runs.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { execFileSync, spawnSync } = require('child_process');
const { chromium } = require('playwright-core');

const top = path.resolve(__dirname, '..', '..');
const [renderer, stacksArg, runsArg] = process.argv.slice(2);
if (!renderer) {
  console.error('usage: node bench.js RENDERER [STACKS] [RUNS]');
  process.exit(2);
}
const stacks = parseInt(stacksArg || '2000', 10);
const runs = parseInt(runsArg || '3', 10);
const gen = process.env.FG_GEN_FOLDED || path.join(top, '..', 'shared', 'tools', 'gen-folded');
const corpus = process.env.FG_CONFORMANCE_DIR || path.join(top, '..', 'shared', 'conformance');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
  '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-bench-'));
const folded = path.join(dir, 'in.folded');
const ours = path.join(dir, 'ours.svg');
const theirs = path.join(dir, 'inferno-script.svg');
const bare = path.join(dir, 'no-script.svg');

fs.writeFileSync(folded, execFileSync('python3', [gen, String(stacks)], { maxBuffer: 1 << 30 }));
const r = spawnSync(renderer, [folded], { maxBuffer: 1 << 30 });
if (r.status !== 0) {
  console.error(`${renderer} failed: ${r.stderr}`);
  process.exit(1);
}
fs.writeFileSync(ours, r.stdout);

// The same document with its script never started.
fs.writeFileSync(bare, r.stdout.toString('latin1').replace('onload="fg_init(evt)"', ''), 'latin1');

// The same document with inferno's script (and the attribute it reads).
const svg = r.stdout.toString('latin1');
const ref = fs.readFileSync(path.join(corpus, 'flamegraph-svg', 'expected', 'example-default.svg'), 'latin1');
const refScript = ref.substring(ref.indexOf('<script'), ref.indexOf('</script>'));
const a = svg.indexOf('<script');
const b = svg.indexOf('</script>');
const total = /fg:total="(\d+)"/.exec(svg)[1];
fs.writeFileSync(theirs, (svg.substring(0, a) + refScript + svg.substring(b))
  .replace('onload="fg_init(evt)"', 'onload="init(evt)"')
  .replace('<svg id="frames"', `<svg id="frames" total_samples="${total}"`), 'latin1');

async function measure(file, js) {
  const profile = fs.mkdtempSync(path.join(dir, 'profile-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium', headless: true, args: ARGS,
    viewport: { width: 1280, height: 900 }, javaScriptEnabled: js, offline: true,
  });
  const page = ctx.pages()[0] || await ctx.newPage();
  page.on('dialog', (d) => d.dismiss());
  const t0 = Date.now();
  await page.goto('file://' + file);
  await page.evaluate(() => new Promise((res) => requestAnimationFrame(() => setTimeout(res, 0))));
  const load = Date.now() - t0;
  let zoom = NaN;
  let reset = NaN;
  if (file !== bare) {
    const act = (what) => page.evaluate((w) => new Promise((res) => {
      const t = performance.now();
      const fr = document.getElementById('frames');
      const target = w === 'zoom'
        ? fr.children[Math.floor(fr.children.length / 3)].querySelector('rect')
        : document.getElementById('unzoom');
      target.dispatchEvent(new MouseEvent('click', { bubbles: true }));
      requestAnimationFrame(() => setTimeout(() => res(performance.now() - t), 0));
    }), what);
    zoom = await act('zoom');
    reset = await act('reset');
  }
  await ctx.close();
  return { load, zoom, reset };
}

function median(xs) {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((x, y) => x - y);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
}

(async () => {
  const frames = (svg.match(/<g>/g) || []).length;
  console.log(`${stacks} stacks, ${frames} frames, ${(svg.length / 1e6).toFixed(1)} MB SVG; ` +
    `median of ${runs} runs`);
  const res = {};
  for (const [name, file, js] of [['no script', bare, true], ['ours', ours, true],
    ['inferno script', theirs, true]]) {
    const m = [];
    for (let i = 0; i < runs; i++)
      m.push(await measure(file, js));
    res[name] = { load: median(m.map((x) => x.load)), zoom: median(m.map((x) => x.zoom)),
      reset: median(m.map((x) => x.reset)) };
    const v = res[name];
    console.log(`${name.padEnd(15)} load ${String(v.load).padStart(6)} ms  zoom ${v.zoom.toFixed(0).padStart(6)} ms` +
      `  reset ${v.reset.toFixed(0).padStart(6)} ms`);
  }
  const o = res.ours;
  const n = res['no script'];
  const i = res['inferno script'];
  console.log(`load: ours / no script = ${(o.load / n.load).toFixed(2)}, ours / inferno script = ${(o.load / i.load).toFixed(2)}`);
  console.log(`zoom: ours / inferno script = ${(o.zoom / i.zoom).toFixed(2)}; reset: ${(o.reset / i.reset).toFixed(2)}`);
  fs.rmSync(dir, { recursive: true, force: true });
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
