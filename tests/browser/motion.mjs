// What moving the stage's parts costs by technique, on a still copy of the lab's page: the page
// is played a moment, paused and saved without its script; test pages then move six messages
// and drain the timer rings with a small frame loop of their own, each in one way, and
// `perf.mjs --raw` measures each in turn. docs/speed.md ("a canvas for what moves") has the
// figures.
//
//   node tests/browser/motion.mjs URL [--rounds 2]      URL: the lab, served (e.g. dist/)
//
// Variants:
//   rings    the rings drained on every other frame (stroke-dasharray), nothing else moves
//   svg      the same, and six messages as SVG groups moved by `transform` on every frame
//            (what the lab does)
//   canvas   the rings and the six messages drawn on a canvas over the stage on every frame
import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { chromiumArgs, executablePath } from './chromium.mjs';

const args = process.argv.slice(2);
const url = args[0];
const at = args.indexOf('--rounds');
const rounds = at >= 0 ? Number(args[at + 1]) : 2;
if (!url || !(rounds >= 1)) {
  console.error('usage: node tests/browser/motion.mjs URL [--rounds N]');
  process.exit(2);
}

// ---- a still copy of the page ----
const browser = await chromium.launch({ executablePath, args: chromiumArgs });
const page = await browser.newPage({ viewport: { width: 1024, height: 640 } });
await page.goto(url);
await page.locator('svg.stage g.node').first().waitFor({ timeout: 30_000 });
await page.getByRole('button', { name: 'Play', exact: true }).click();
await page.waitForTimeout(2500);
await page.getByRole('button', { name: 'Pause', exact: true }).click();
let html = await page.evaluate(() => document.documentElement.outerHTML);
await browser.close();
// No script of the lab's; its style sheets from where it is served.
// (Their integrity hashes go: a page opened from a file may not check a sheet from elsewhere.)
html = html.replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, '').replace(/<link\b[^>]*rel="(modulepreload|preload)"[^>]*>/g, '');
html = html.replace(/ integrity="[^"]*"/g, '').replace(/ crossorigin(="[^"]*")?/g, '');
html = html.replace('<head>', `<head><base href="${new URL('.', url).href}">`);

// ---- the test pages' frame loops ----
const common = `
const centres = [...document.querySelectorAll('svg.stage g.node circle.body')].map((c) => [+c.getAttribute('cx'), +c.getAttribute('cy')]);
const rings = [...document.querySelectorAll('svg.stage g.rings circle')];
const ringOf = rings.map((r) => [+r.getAttribute('cx'), +r.getAttribute('cy'), +r.getAttribute('r')]);
document.querySelectorAll('svg.stage g.messages > *').forEach((m) => m.remove());
const left = (i, t) => 1 - ((t / (1500 + i * 300)) % 1);
const flight = (i, t) => {
  const a = centres[0], b = centres[1 + (i % (centres.length - 1))], p = (t / (200 + i * 37)) % 1;
  return [a[0] + (b[0] - a[0]) * p, a[1] + (b[1] - a[1]) * p];
};
let frame = 0;
`;
const drainRings = `
function drain(t) {
  rings.forEach((r, i) => { const c = 2 * Math.PI * ringOf[i][2], d = left(i, t) * c; r.setAttribute('stroke-dasharray', d.toFixed(1) + ' ' + (c - d).toFixed(1)); });
}
`;
const variants = {
  rings: `${common}${drainRings}
function f(t) { if (++frame % 2 === 0) drain(t); requestAnimationFrame(f); }
requestAnimationFrame(f);`,
  svg: `${common}${drainRings}
const layer = document.querySelector('svg.stage g.messages');
const dots = [];
for (let i = 0; i < 6; i++) {
  const g = document.createElementNS('http://www.w3.org/2000/svg', 'g');
  g.innerHTML = '<g class="msg ae heartbeat"><circle r="5"></circle></g>';
  layer.appendChild(g);
  dots.push(g);
}
function f(t) {
  dots.forEach((g, i) => { const [x, y] = flight(i, t); g.setAttribute('transform', 'translate(' + x.toFixed(1) + ' ' + y.toFixed(1) + ')'); });
  if (++frame % 2 === 0) drain(t);
  requestAnimationFrame(f);
}
requestAnimationFrame(f);`,
  canvas: `${common}
const stage = document.querySelector('svg.stage'), wrap = stage.parentElement;
document.querySelector('svg.stage g.rings').style.display = 'none';
const box = stage.getBoundingClientRect(), outer = wrap.getBoundingClientRect();
const k = Math.min(box.width, box.height) / 600;
const canvas = document.createElement('canvas');
wrap.style.position = 'relative';
canvas.style.cssText = 'position:absolute;pointer-events:none;left:' + (box.left - outer.left + (box.width - 600 * k) / 2) + 'px;top:' + (box.top - outer.top + (box.height - 600 * k) / 2) + 'px;width:' + 600 * k + 'px;height:' + 600 * k + 'px';
canvas.width = canvas.height = Math.round(600 * k * devicePixelRatio);
wrap.appendChild(canvas);
const cx = canvas.getContext('2d');
cx.scale(k * devicePixelRatio, k * devicePixelRatio);
function f(t) {
  cx.clearRect(0, 0, 600, 600);
  cx.lineWidth = 3; cx.strokeStyle = '#c87533';
  ringOf.forEach(([x, y, r], i) => { cx.beginPath(); cx.arc(x, y, r, -Math.PI / 2, -Math.PI / 2 + left(i, t) * 2 * Math.PI); cx.stroke(); });
  cx.fillStyle = '#7aa';
  for (let i = 0; i < 6; i++) { const [x, y] = flight(i, t); cx.beginPath(); cx.arc(x, y, 5, 0, 2 * Math.PI); cx.fill(); }
  requestAnimationFrame(f);
}
requestAnimationFrame(f);`,
};

const dir = await mkdtemp(path.join(os.tmpdir(), 'distlab-motion-'));
const pages = {};
for (const [name, js] of Object.entries(variants)) {
  pages[name] = path.join(dir, `${name}.html`);
  await writeFile(pages[name], `<!doctype html>${html.replace('</body>', `<script>${js}</script></body>`)}`);
}

// ---- each measured in turn, round after round ----
const perf = fileURLToPath(new URL('./perf.mjs', import.meta.url));
const results = Object.fromEntries(Object.keys(pages).map((n) => [n, []]));
for (let r = 0; r < rounds; r++) {
  for (const [name, file] of Object.entries(pages)) {
    const run = spawnSync(process.execPath, [perf, '--url', pathToFileURL(file).href, '--raw', '--seconds', '5', '--warmup', '1'], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`${name}: ${run.stderr}`);
    const summary = JSON.parse(run.stdout);
    const task = (summary.median ?? summary).cpu_ms_per_s.task;
    results[name].push(task);
    console.error(`round ${r + 1} ${name}: ${task} ms/s`);
  }
}
console.log(JSON.stringify({ pages: dir, task_ms_per_s: results }, null, 2));
