// A chart of lanes (lib/assets/lanes.js) in headless Chromium: a flame
// chart in time (--flamechart) or a graph per thread (--per-thread) drawn
// by `flamegraph --perfdata` from a real recording.  Each frame starts at
// its lane's scale; a zoom works inside the clicked frame's lane (other
// lanes of a timeline show the same span, cut to it; those of a graph per
// thread stay); Reset brings everything back; the time axis hides while
// zoomed; search's share is of all the lanes.
//   node test-lanes.js NAME FLAMEGRAPH PERFDATA OUT.svg [OPTIONS...]
'use strict';

const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const B = require('./lib.js');

const [name, flamegraph, perfdata, out, ...opts] = process.argv.slice(2);

if (!fs.existsSync(perfdata)) {
  console.log(`skipped: no recording ${perfdata} (the perfdata-record fixture needs root and perf)`);
  process.exit(77);
}

// The lanes (fg:lanes) and fg:timeline of the page.
function lanesOf(page) {
  return page.evaluate(() => {
    const NS = 'urn:x-cargo-flamegraph';
    const fr = document.getElementById('frames');
    const v = (fr.getAttributeNS(NS, 'lanes') || '').split(' ').map(Number);
    const lanes = [];
    for (let i = 0; i + 2 < v.length; i += 3)
      lanes.push({ y1: v[i], y2: v[i + 1], w: v[i + 2] });
    return { lanes, timeline: fr.getAttributeNS(NS, 'timeline') === '1',
      total: parseFloat(fr.getAttributeNS(NS, 'total')) };
  });
}

function laneOf(L, f) {
  return L.lanes.findIndex((l) => f.y >= l.y1 && f.y < l.y2);
}

function scaleOf(L, f) {
  return L.timeline ? L.total : L.lanes[laneOf(L, f)].w;
}

function checkHome(t, L, all, what) {
  const bad = all.filter((f) => f.hide || f.parent ||
    Math.abs(f.x - f.fx / scaleOf(L, f) * 100) > 0.01 ||
    Math.abs(f.w - f.fw / scaleOf(L, f) * 100) > 0.01);
  t.check(bad.length === 0, `${what}: ${bad.length} frames not at their lane's scale`);
}

// What a zoom into z gives, from fg:x/fg:w/y alone.
function checkZoom(t, L, all, z, what) {
  const zl = laneOf(L, z);
  const same = all.filter((f) => laneOf(L, f) === zl);
  const want = B.expectedZoom(same, z, false);
  let bad = 0;
  same.forEach((f, i) => {
    const got = f.hide ? 'hide' : f.parent ? 'parent' : 'show';
    if (got !== want[i])
      bad++;
    else if (got === 'show' && (Math.abs(f.x - (f.fx - z.fx) / z.fw * 100) > 0.01 ||
      Math.abs(f.w - f.fw / z.fw * 100) > 0.01))
      bad++;
  });
  t.check(bad === 0, `${what}: ${bad} frames of the zoomed lane wrong`);
  let other = 0;
  for (const f of all) {
    if (laneOf(L, f) === zl)
      continue;
    if (!L.timeline) {
      if (f.hide || f.parent || Math.abs(f.x - f.fx / scaleOf(L, f) * 100) > 0.01)
        other++;
      continue;
    }
    const x = Math.max(f.fx, z.fx);
    const e = Math.min(f.fx + f.fw, z.fx + z.fw);
    if (e > x) {
      if (f.hide || Math.abs(f.x - (x - z.fx) / z.fw * 100) > 0.01 ||
        Math.abs(f.w - (e - x) / z.fw * 100) > 0.01)
        other++;
    } else if (!f.hide)
      other++;
  }
  t.check(other === 0, `${what}: ${other} frames of the other lanes wrong`);
}

// Search's share: each lane's cover (in its x units) over the lanes' W.
function expectedShare(L, all, re) {
  let cover = 0;
  L.lanes.forEach((l, k) => {
    const hits = all.filter((f) => laneOf(L, f) === k && re.test(B.nameOf(f)))
      .sort((a, b) => a.fx - b.fx);
    let end = -Infinity;
    for (const f of hits) {
      const e = f.fx + f.fw;
      if (e <= end)
        continue;
      cover += e - Math.max(f.fx, end);
      end = e;
    }
  });
  return 100 * cover / L.lanes.reduce((s, l) => s + l.w, 0);
}

B.Test.run(`browser lanes ${name}`, async (t) => {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const r = spawnSync(flamegraph, ['-q', '--perfdata', perfdata, '-o', out, ...opts]);
  t.check(r.status === 0, `flamegraph ${opts.join(' ')} succeeded (${r.stderr})`);
  const page = await B.open(t);
  await B.load(t, page, out);
  const L = await lanesOf(page);
  const before = await B.frames(page);
  t.check(L.lanes.length >= 2, `lanes drawn (${L.lanes.length})`);
  t.check(before.every((f) => laneOf(L, f) >= 0), 'every frame is in a lane');
  checkHome(t, L, before, 'loaded');
  const axis = () => page.evaluate(() => {
    const a = document.getElementById('axis');
    return a ? !a.classList.contains('hide') : null;
  });
  if (L.timeline)
    t.check(await axis() === true, 'the time axis is shown');

  // the widest frame with a parent and a child in its lane, under 60%
  let z = null;
  for (const f of before) {
    const k = laneOf(L, f);
    if (f.fw > scaleOf(L, f) * 0.6)
      continue;
    const mine = before.filter((g) => laneOf(L, g) === k);
    const child = mine.some((g) => g.y < f.y && g.fx >= f.fx && g.fx + g.fw <= f.fx + f.fw);
    const parent = mine.some((g) => g.y > f.y && g.fx <= f.fx && g.fx + g.fw >= f.fx + f.fw);
    if (child && parent && (!z || f.fw > z.fw))
      z = f;
  }
  t.check(z !== null, 'a frame to zoom into');
  await B.clickFrame(page, z);
  const q = await B.params(page);
  t.check(q.get('x') === z.fxs && q.get('y') === z.ys,
    `the click zoomed into ${B.nameOf(z)} at ${z.fxs},${z.ys} (${q.get('x')},${q.get('y')})`);
  checkZoom(t, L, await B.frames(page), z, `zoomed into ${B.nameOf(z)}`);
  if (L.timeline)
    t.check(await axis() === false, 'the time axis hides while zoomed');
  await page.click('#unzoom');
  checkHome(t, L, await B.frames(page), 'reset');
  if (L.timeline)
    t.check(await axis() === true, 'the time axis is back');

  // search: a name of the zoomed frame, over every lane
  const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const term = `^${esc(B.nameOf(z))}$`;
  page.fgAnswer(term);
  await page.click('#search');
  const got = B.matchedPct(await page.textContent('#matched'));
  const want = expectedShare(L, before, new RegExp(term));
  t.near(got, Math.round(want * 100) / 100, 0.0051, `matched share of ${term}`);
});
