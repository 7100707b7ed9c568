// Zoom, reset, hover, URL state and resize of a rendered flame graph in
// headless Chromium.
//   node test-zoom.js NAME RENDERER INPUT OUT.svg [RENDERER-OPTIONS...]
'use strict';

const B = require('./lib.js');

const [name, renderer, input, out, ...opts] = process.argv.slice(2);

// The frame to zoom into: the widest that has an ancestor, a child and
// less than 60% of the total.
function pickFrame(all, total, inverted) {
  let best = null;
  for (const f of all) {
    if (f.fw > total * 0.6)
      continue;
    const deeper = (g) => (inverted ? g.y > f.y : g.y < f.y);
    const hasChild = all.some((g) => deeper(g) && g.fx >= f.fx && g.fx + g.fw <= f.fx + f.fw);
    const hasParent = all.some((g) => deeper(f) === false && (inverted ? g.y < f.y : g.y > f.y) &&
      g.fx <= f.fx && g.fx + g.fw >= f.fx + f.fw);
    if (hasChild && hasParent && (!best || f.fw > best.fw))
      best = f;
  }
  return best;
}

// Compare the page's frames with the states and geometry a zoom into z gives.
function checkZoomed(t, all, z, inverted, what) {
  const want = B.expectedZoom(all, z, inverted);
  const bad = [];
  let shown = 0;
  let geom = 0;
  all.forEach((f, i) => {
    const got = f.hide ? 'hide' : f.parent ? 'parent' : 'show';
    if (got !== want[i])
      bad.push(`${JSON.stringify(B.nameOf(f))} is ${got}, want ${want[i]}`);
    if (got === 'show') {
      shown++;
      const x = (f.fx - z.fx) / z.fw * 100;
      const w = f.fw / z.fw * 100;
      if (Math.abs(f.x - x) > 0.01 || Math.abs(f.w - w) > 0.01)
        geom++;
    } else if (got === 'parent' && (Math.abs(f.x) > 0.01 || Math.abs(f.w - 100) > 0.01)) {
      geom++;
    }
  });
  t.check(bad.length === 0, `${what}: frame classes (${bad.length} wrong: ${bad.slice(0, 3).join('; ')})`);
  t.check(geom === 0, `${what}: ${geom} shown frames not widened to the zoomed frame's scale`);
  t.info(`${what}: ${shown} shown, ${want.filter((s) => s === 'parent').length} dimmed, ` +
    `${want.filter((s) => s === 'hide').length} hidden`);
}

function checkReset(t, all, total, what) {
  const dimmed = all.filter((f) => f.hide || f.parent).length;
  t.check(dimmed === 0, `${what}: ${dimmed} frames still hidden or dimmed`);
  const moved = all.filter((f) => Math.abs(f.x - f.fx / total * 100) > 0.01 ||
    Math.abs(f.w - f.fw / total * 100) > 0.01).length;
  t.check(moved === 0, `${what}: ${moved} frames not back at their own place`);
}

B.Test.run(`browser zoom ${name}`, async (t) => {
  t.check(B.render(t, renderer, opts, input, out) === 0, 'the renderer succeeded');
  const page = await B.open(t);
  const ms = await B.load(t, page, out);
  t.info(`loaded in ${ms} ms`);
  const cfg = await B.config(page);
  const before = await B.frames(page);
  t.check(before.length > 10, `the graph has frames (${before.length})`);
  const z = pickFrame(before, cfg.total, cfg.inverted);
  if (!t.check(z !== null, 'found a frame with a parent and a child to zoom into'))
    return;
  t.info(`zooming into ${JSON.stringify(z.title)}`);
  t.check((await B.overflowing(page)).length === 0, 'labels fit their frames on load');
  const right = await page.evaluate(() =>
    document.documentElement.getAttributeNS('urn:x-cargo-flamegraph', 'truncate-right') === '1');
  const cut = before.filter((f) => f.label !== '' && f.label !== B.nameOf(f));
  const wrongCut = cut.filter((f) => (right
    ? !(f.label.endsWith('..') && B.nameOf(f).startsWith(f.label.slice(0, -2)))
    : !(f.label.startsWith('..') && B.nameOf(f).endsWith(f.label.slice(2)))));
  t.check(cut.length > 0 && wrongCut.length === 0, `${cut.length} cut labels keep the name's ` +
    `${right ? 'start' : 'end'} (${wrongCut.slice(0, 3).map((f) => f.label).join('; ')})`);

  // hover
  await B.clickFrame(page, z);
  const details = await page.textContent('#details');
  t.check(details.includes(z.title), `hover shows the frame's details (${JSON.stringify(details)})`);
  await page.mouse.move(2, 2);
  t.check((await page.textContent('#details')).trim() === '', 'leaving the frame clears the details');

  // click zoom (done by the click above)
  let all = await B.frames(page);
  checkZoomed(t, all, z, cfg.inverted, 'click');
  const zw = await page.evaluate((i) => {
    const fr = document.getElementById('frames');
    return [fr.querySelectorAll(':scope > g, :scope > a > g')[i].querySelector('rect').getBoundingClientRect().width,
      fr.width.baseVal.value];
  }, z.i);
  t.near(zw[0], zw[1], 1, "the zoomed frame's drawn width is the graph's width");
  const child = before.find((f) => (cfg.inverted ? f.y > z.y : f.y < z.y) &&
    f.fx >= z.fx && f.fx + f.fw <= z.fx + z.fw);
  t.check(all[child.i].w > child.w + 1e-9, `a child was widened (${child.w}% -> ${all[child.i].w}%)`);
  t.check(all.filter((f) => f.label !== '').length > 0, 'zoomed frames have labels');
  const over = await B.overflowing(page);
  t.check(over.length === 0, `labels re-fitted after the zoom (${over.slice(0, 3).join('; ')})`);
  const zl = all[z.i].label;
  t.check(zl === B.nameOf(z) || zl.length > before[z.i].label.length,
    `the zoomed frame's label grew (${JSON.stringify(before[z.i].label)} -> ${JSON.stringify(zl)})`);
  t.check(!(await page.getAttribute('#unzoom', 'class') || '').includes('hide'), 'Reset Zoom is shown');
  let p = await B.params(page);
  t.check(p.get('x') === z.fxs && p.get('y') === z.ys,
    `the zoom is in the URL (${page.url().replace(/^.*\?/, '?')})`);

  // click an ancestor (dimmed): zoom out to it
  const anc = before.filter((f, i) => all[i].parent).sort((a, b) => a.fw - b.fw)[0];
  if (anc) {
    await B.clickFrame(page, anc);
    checkZoomed(t, await B.frames(page), anc, cfg.inverted, 'click on a dimmed ancestor');
  }

  // click on the root frame: the whole graph, as a reset
  const rootY = before.reduce((m, f) => (cfg.inverted ? Math.min(m, f.y) : Math.max(m, f.y)),
    cfg.inverted ? Infinity : -Infinity);
  const root = before.filter((f) => f.y === rootY).sort((a, b) => b.fw - a.fw)[0];
  if (root.fw >= cfg.total) {
    await B.clickFrame(page, root);
    checkReset(t, await B.frames(page), cfg.total, 'click on the root frame');
    p = await B.params(page);
    t.check(!p.has('x') && !p.has('y'), 'clicking the root frame left the URL unzoomed');
    await B.clickFrame(page, z);
  }

  // reset with the button
  await page.click('#unzoom');
  all = await B.frames(page);
  checkReset(t, all, cfg.total, 'Reset Zoom');
  t.check((await page.getAttribute('#unzoom', 'class') || '').includes('hide'), 'Reset Zoom is hidden again');
  p = await B.params(page);
  t.check(!p.has('x') && !p.has('y'), 'the zoom left the URL');
  t.check(all.every((f, i) => f.label === before[i].label), 'labels are back as they were');

  // reset with Escape
  await B.clickFrame(page, z);
  await page.keyboard.press('Escape');
  checkReset(t, await B.frames(page), cfg.total, 'Escape');

  // restore from the URL
  await B.load(t, page, out, `?x=${encodeURIComponent(z.fxs)}&y=${encodeURIComponent(z.ys)}`);
  checkZoomed(t, await B.frames(page), z, cfg.inverted, 'URL ?x=&y=');
  await page.click('#unzoom');

  // resize: fluid graphs follow the window and re-fit their labels
  if (cfg.fluid) {
    const count = (fs) => fs.filter((f) => f.label !== '').length;
    const chars = (fs) => fs.reduce((n, f) => n + f.label.length, 0);
    const wide = await B.frames(page);
    await page.setViewportSize({ width: 640, height: 900 });
    await B.nextFrame(page);
    const fw = await page.evaluate(() => document.getElementById('frames').width.baseVal.value);
    t.near(fw, 640 - 2 * cfg.xpad, 1, 'the graph follows a narrower window');
    const narrow = await B.frames(page);
    t.check(chars(narrow) < chars(wide), `labels got shorter (${chars(wide)} -> ${chars(narrow)} characters)`);
    let o = await B.overflowing(page);
    t.check(o.length === 0, `labels fit after a resize to 640 px (${o.slice(0, 3).join('; ')})`);
    await page.setViewportSize({ width: 1900, height: 900 });
    await B.nextFrame(page);
    const wider = await B.frames(page);
    t.check(count(wider) >= count(wide) && chars(wider) > chars(wide),
      `labels got longer in a wider window (${chars(wide)} -> ${chars(wider)} characters)`);
    o = await B.overflowing(page);
    t.check(o.length === 0, `labels fit after a resize to 1900 px (${o.slice(0, 3).join('; ')})`);
    // zoomed, then resized
    await B.clickFrame(page, z);
    await page.setViewportSize({ width: 900, height: 900 });
    await B.nextFrame(page);
    checkZoomed(t, await B.frames(page), z, cfg.inverted, 'zoomed then resized');
    o = await B.overflowing(page);
    t.check(o.length === 0, `labels fit when zoomed and resized (${o.slice(0, 3).join('; ')})`);
  } else {
    t.info('fixed-width graph: no resize re-fit to check');
  }
});
