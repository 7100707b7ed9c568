// speedscope itself opens what --format speedscope writes: the speedscope
// package's own app (node_modules/speedscope/dist/release), served with
// the profile from a server of this test on 127.0.0.1 and loaded through
// #profileURL=, in headless Chromium.  It must open without a script
// error, show the heaviest thread first, list every thread in its profile
// selector, and its Sandwich view (sorted by self time) must put first
// the function the --tid folded stacks say has the most self time in
// that thread.
//   node test-speedscope.js NAME COLLAPSE-PROGRAM INPUT OUTDIR
'use strict';

const fs = require('fs');
const http = require('http');
const path = require('path');
const { spawnSync } = require('child_process');
const B = require('./lib.js');

const [name, prog, input, outdir] = process.argv.slice(2);
const APP = path.join(__dirname, 'node_modules', 'speedscope', 'dist', 'release');
if (!fs.existsSync(input)) {
  console.log(`skipped: no ${input} (fixture skipped)`);
  process.exit(77);
}

function collapse(t, args) {
  const r = spawnSync(prog, ['-q', ...args, input], { maxBuffer: 1 << 30 });
  if (r.error || r.status !== 0)
    throw new Error(`${prog} ${args.join(' ')} ${input}: ` +
      (r.error ? r.error.message : `exit ${r.status}: ${r.stderr}`));
  return r.stdout;
}

// From "comm-PID/TID;a;b;leaf W" lines: each thread's total and each
// function's self weight in it.
function perThread(folded) {
  const threads = new Map();
  for (const line of folded.toString('utf8').split('\n')) {
    const sp = line.lastIndexOf(' ');
    if (sp <= 0)
      continue;
    const frames = line.substring(0, sp).split(';');
    const w = Number(line.substring(sp + 1));
    const m = /\/(\d+)$/.exec(frames[0]);
    if (!m)
      throw new Error(`no tid in the root of: ${line.substring(0, 80)}`);
    const tid = Number(m[1]);
    if (!threads.has(tid))
      threads.set(tid, { total: 0, self: new Map() });
    const th = threads.get(tid);
    const leaf = frames[frames.length - 1];
    th.total += w;
    th.self.set(leaf, (th.self.get(leaf) || 0) + w);
  }
  return threads;
}

function serve(files) {
  const srv = http.createServer((req, res) => {
    const p = decodeURIComponent(new URL(req.url, 'http://h').pathname);
    let file = files[p];
    if (!file) {
      const f = path.join(APP, path.normalize(p));
      if (f.startsWith(APP + path.sep))
        file = f;
    }
    fs.readFile(file || '/nonexistent', (err, data) => {
      if (err) {
        res.writeHead(404);
        res.end();
        return;
      }
      res.writeHead(200);
      res.end(data);
    });
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve(srv)));
}

B.Test.run(`browser-${name}`, async (t) => {
  if (!fs.existsSync(path.join(APP, 'index.html'))) {
    t.check(false, `${APP}/index.html missing: npm ci in tests/browser`);
    return;
  }
  fs.mkdirSync(outdir, { recursive: true });
  const json = path.join(outdir, `${name}.json`);
  fs.writeFileSync(json, collapse(t, ['--format', 'speedscope']));
  const doc = JSON.parse(fs.readFileSync(json, 'utf8'));
  const threads = perThread(collapse(t, ['--tid']));
  const names = doc.profiles.map((p) => p.name);
  t.info(`${json}: ${names.length} profiles: ${names.join(', ')}`);

  // what our folded stacks say
  let heavyTid = -1;
  for (const [tid, th] of threads)
    if (heavyTid < 0 || th.total > threads.get(heavyTid).total)
      heavyTid = tid;
  const self = [...threads.get(heavyTid).self.entries()].sort((a, b) => b[1] - a[1]);
  const tops = self.filter((e) => e[1] === self[0][1]).map((e) => e[0]);
  const heavyName = names.find((n) => n.endsWith(` (tid ${heavyTid})`));
  t.check(names.length === threads.size,
    `${names.length} profiles for the ${threads.size} threads of the --tid stacks`);
  t.check(heavyName !== undefined, `a profile for the heaviest thread, tid ${heavyTid}`);
  t.info(`heaviest thread ${heavyName}; most self time there: ${tops.join(' or ')} (${self[0][1]})`);

  const srv = await serve({ '/profile.json': json });
  t.cleanup.push(() => new Promise((r) => srv.close(r)));
  const base = `http://127.0.0.1:${srv.address().port}`;
  const page = await B.open(t, { width: 1400, height: 900 }, { local: true });
  await page.goto(`${base}/index.html#profileURL=${encodeURIComponent(base + '/profile.json')}` +
    '&view=sandwich');

  // the Sandwich table, sorted by self time (speedscope's default)
  await page.getByText('Symbol Name').first().waitFor();
  const title = `${heavyName} (${names.indexOf(heavyName) + 1}/${names.length})`;
  await page.getByText(heavyName).first().waitFor();
  const body = await page.evaluate(() => document.body.innerText);
  t.check(!/something went wrong|error/i.test(body.split('Symbol Name')[0]),
    'no error shown');
  t.check(body.replace(/\s+/g, ' ').includes(title), `the title shows "${title}"`);
  const rows = body.split('Symbol Name')[1].split('\n').map((s) => s.trim()).filter((s) => s);
  // rows: "TOTAL (P%)", "SELF (P%)", "NAME", ...
  const first = rows[2];
  t.check(tops.includes(first), `the Sandwich view's first function is ${first}, ` +
    `want ${tops.join(' or ')}`);

  // every thread in the profile selector, in the file's order
  await page.getByText(heavyName).first().click();
  await page.locator('tr[title]').first().waitFor();
  const listed = await page.evaluate(() =>
    [...document.querySelectorAll('tr[title]')].map((r) => r.getAttribute('title')));
  t.check(JSON.stringify(listed) === JSON.stringify(names),
    `the profile selector lists ${JSON.stringify(listed)}, want ${JSON.stringify(names)}`);
});
