// Shared helpers of the browser tests: render a folded file with the real
// flamegraph-render, open the SVG in Debian's Chromium (headless, fresh
// profile, no network), read the frames back, and report pass/fail.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

let chromium;
try {
  ({ chromium } = require('playwright-core'));
} catch (e) {
  console.log('FAIL: playwright-core is not installed in tests/browser ' +
    '(run packaging/install-deps.sh, or npm ci in tests/browser)');
  process.exit(1);
}

const CHROMIUM = process.env.FG_CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic',
  '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

// Each page action is given this long before it counts as hung.
const HANG_MS = 120000;

// A test: named checks, a list of failures, one verdict line at the end.
class Test {
  constructor(name) {
    this.name = name;
    this.failures = [];
    this.checks = 0;
    this.cleanup = [];
  }

  check(ok, what) {
    this.checks++;
    if (!ok) {
      this.failures.push(what);
      console.log(`  not ok: ${what}`);
    }
    return ok;
  }

  // |a - b| <= tol
  near(a, b, tol, what) {
    return this.check(Math.abs(a - b) <= tol, `${what}: got ${a}, want ${b} (+-${tol})`);
  }

  info(msg) {
    console.log(`  ${msg}`);
  }

  async finish() {
    for (const f of this.cleanup.reverse()) {
      try { await f(); } catch (e) { /* best effort */ }
    }
    if (this.failures.length) {
      console.log(`FAIL ${this.name}: ${this.failures.length} of ${this.checks} checks failed`);
      process.exit(1);
    }
    console.log(`PASS ${this.name}: ${this.checks} checks`);
    process.exit(0);
  }

  // Run body(t), turning an exception into a failure.
  static async run(name, body) {
    const t = new Test(name);
    try {
      await body(t);
    } catch (e) {
      t.check(false, `exception: ${e && e.stack ? e.stack : e}`);
    }
    await t.finish();
  }
}

// Render input (a folded file) with opts into out; returns the exit status.
// The renderer's diagnostics go to our stderr.
function render(t, renderer, opts, input, out) {
  const r = spawnSync(renderer, [...opts, input], { maxBuffer: 1 << 30 });
  if (r.error)
    throw new Error(`cannot run ${renderer}: ${r.error.message}`);
  if (r.stderr && r.stderr.length)
    process.stderr.write(r.stderr);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, r.stdout);
  t.info(`rendered ${path.basename(input)} ${opts.join(' ')} -> ${out} (exit ${r.status}, ${r.stdout.length} bytes)`);
  return r.status;
}

// Launch Chromium with a fresh profile; returns a page whose dialogs and
// script errors fail the test unless a prompt answer was queued with
// page.fgAnswer(text).  opts.local: the network is on (for a server of
// the test's own on 127.0.0.1), else off.
async function open(t, viewport, opts) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fg-browser-'));
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM, headless: true, args: ARGS,
    viewport: viewport || { width: 1280, height: 900 },
    offline: !(opts && opts.local),
  });
  t.cleanup.push(async () => {
    await ctx.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const page = ctx.pages()[0] || await ctx.newPage();
  // Playwright's 30 s default is a hang guard too tight for a loaded
  // machine: a page action that takes 2 minutes is stuck, not slow.
  page.setDefaultTimeout(HANG_MS);
  const answers = [];
  page.fgAnswer = (text) => answers.push(text);
  page.fgPending = () => answers.length;
  page.on('dialog', async (d) => {
    if (d.type() === 'prompt' && answers.length) {
      await d.accept(answers.shift());
      return;
    }
    t.check(false, `unexpected ${d.type()} dialog: ${JSON.stringify(d.message())}`);
    await d.dismiss();
  });
  page.on('pageerror', (e) => t.check(false, `script error in the page: ${e.message}`));
  return page;
}

// Load file (with an optional query string) and wait for the script.
async function load(t, page, file, query) {
  const url = 'file://' + path.resolve(file) + (query || '');
  const t0 = Date.now();
  await page.goto(url);
  const ready = await page.evaluate(() =>
    document.documentElement.getAttribute('data-fg-ready') === '1');
  t.check(ready, `the script initialised on ${path.basename(file)}${query || ''}`);
  return Date.now() - t0;
}

// Every frame as the page has it now.
function frames(page) {
  return page.evaluate(() => {
    const NS = 'urn:x-cargo-flamegraph';
    const out = [];
    const gs = document.querySelectorAll('#frames > g, #frames > a > g');
    for (let i = 0; i < gs.length; i++) {
      const g = gs[i];
      const r = g.querySelector('rect');
      if (!r)
        continue;
      const title = g.querySelector('title');
      const text = g.querySelector('text');
      out.push({
        i: out.length,
        title: title ? title.textContent : '',
        fx: parseFloat(r.getAttributeNS(NS, 'x')),
        fw: parseFloat(r.getAttributeNS(NS, 'w')),
        fxs: r.getAttributeNS(NS, 'x'),
        y: parseFloat(r.getAttribute('y')),
        ys: r.getAttribute('y'),
        x: parseFloat(r.getAttribute('x')),
        w: parseFloat(r.getAttribute('width')),
        fill: r.getAttribute('fill'),
        hide: g.classList.contains('hide'),
        parent: g.classList.contains('parent'),
        label: text ? text.textContent : '',
      });
    }
    return out;
  });
}

// The name of a frame: its title up to the last " (".
function nameOf(f) {
  const k = f.title.lastIndexOf(' (');
  return k >= 0 ? f.title.substring(0, k) : f.title;
}

// Root-element configuration, as the script reads it.
function config(page) {
  return page.evaluate(() => {
    const NS = 'urn:x-cargo-flamegraph';
    const r = document.documentElement;
    const fr = document.getElementById('frames');
    return {
      total: parseFloat(fr.getAttributeNS(NS, 'total') || r.getAttributeNS(NS, 'total')),
      inverted: r.getAttributeNS(NS, 'inverted') === '1',
      fluid: r.getAttributeNS(NS, 'fluid') === '1',
      searchcolor: r.getAttributeNS(NS, 'searchcolor'),
      xpad: parseFloat(r.getAttributeNS(NS, 'xpad')),
    };
  });
}

// The frame states a zoom into z must give, computed from fg:x/fg:w/y
// alone: 'parent' for ancestors, 'show' for z and what it holds, 'hide'.
function expectedZoom(all, z, inverted) {
  const eps = 1e-9 * (z.fw + 1);
  return all.map((f) => {
    const below = inverted ? f.y >= z.y : f.y <= z.y;
    if (below)
      return f.fx >= z.fx - eps && f.fx + f.fw <= z.fx + z.fw + eps ? 'show' : 'hide';
    return f.fx <= z.fx + eps && f.fx + f.fw >= z.fx + z.fw - eps ? 'parent' : 'hide';
  });
}

// The share of the total that frames matching re cover, each x counted
// once (nested matches do not add up).
function expectedMatch(all, re, total) {
  const hits = all.filter((f) => re.test(nameOf(f))).sort((a, b) => a.fx - b.fx);
  let cover = 0;
  let end = -Infinity;
  for (const f of hits) {
    const e = f.fx + f.fw;
    if (e <= end)
      continue;
    cover += e - Math.max(f.fx, end);
    end = e;
  }
  return { pct: 100 * cover / total, count: hits.length };
}

// "Matched: 12.34%" -> 12.34, or NaN.
function matchedPct(s) {
  const m = /Matched: ([\d.]+)%/.exec(s || '');
  return m ? parseFloat(m[1]) : NaN;
}

// Click frame f (by its index among the frames) where a user would: the
// middle of its rectangle.
async function clickFrame(page, f) {
  const box = await page.evaluate((i) => {
    const r = document.querySelectorAll('#frames > g, #frames > a > g')[i].querySelector('rect');
    r.scrollIntoView({ block: 'center', inline: 'center' });
    const b = r.getBoundingClientRect();
    return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
  }, f.i);
  await page.mouse.click(box.x, box.y);
}

// The query parameters of the page's URL, as the page has it now
// (page.url() is Playwright's copy, updated by an event that a
// history.replaceState in a click handler can still be on its way to).
async function params(page) {
  return new URL(await page.evaluate(() => window.location.href)).searchParams;
}

// Labels that do not fit their frame: the label's drawn length exceeds
// the rectangle's width (checked for frames that are shown).
function overflowing(page) {
  return page.evaluate(() => {
    const bad = [];
    const gs = document.querySelectorAll('#frames > g, #frames > a > g');
    for (let i = 0; i < gs.length; i++) {
      const g = gs[i];
      if (g.classList.contains('hide'))
        continue;
      const r = g.querySelector('rect');
      const tx = g.querySelector('text');
      if (!r || !tx || tx.textContent === '')
        continue;
      const rw = r.getBoundingClientRect().width;
      const tw = tx.getComputedTextLength();
      if (tw > rw + 0.5)
        bad.push(`${JSON.stringify(tx.textContent)} ${tw.toFixed(1)}px in ${rw.toFixed(1)}px`);
    }
    return bad;
  });
}

function nextFrame(page) {
  return page.evaluate(() => new Promise((res) =>
    requestAnimationFrame(() => requestAnimationFrame(res))));
}

// The big graph of the performance test and benchmark: 60 x 10 x 10
// stacks, each ending in a chain of 4 more frames: 30,663 frames, all
// wider than the default --minwidth of 0.01%.  Written to file.
function writeBigFolded(file) {
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
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

// Time an action in the page (zoom: a click on the frame a third of the
// way through; reset: a click on "Reset Zoom") until the frame after it
// is painted: [ms in the script, ms painted].
function timedClick(page, action) {
  return page.evaluate((act) => new Promise((res) => {
    const t0 = performance.now();
    const fr = document.getElementById('frames');
    const target = act === 'zoom'
      ? fr.children[Math.floor(fr.children.length / 3)].querySelector('rect')
      : document.getElementById('unzoom');
    target.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    const t1 = performance.now();
    requestAnimationFrame(() => setTimeout(() => res([t1 - t0, performance.now() - t0]), 0));
  }), action);
}

module.exports = {
  Test, render, open, load, frames, nameOf, config, expectedZoom,
  expectedMatch, matchedPct, clickFrame, params, overflowing, nextFrame,
  writeBigFolded, timedClick, HANG_MS,
};
