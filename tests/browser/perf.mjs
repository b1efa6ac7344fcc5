// Measures the browser lab's speed in headless Chromium (Debian's; playwright-core never
// downloads a browser here) and prints a JSON summary on stdout (a line per run on stderr).
// docs/speed.md has the method, the commands and the figures.
//
//   node tests/browser/perf.mjs --serve dist --play [--scenario raft-load-15.json] [--runs 3]
//   node tests/browser/perf.mjs --url URL --play ...    a page served elsewhere
//   node tests/browser/perf.mjs --url file:///.../raftscope/index.html --raw ...
//
// Each run opens the page in a fresh browser profile (a cold cache) and measures
//   first render   navigation start to the first frame that shows `svg.stage g.node`
//                  (performance.now() in an init script), and first-contentful-paint;
//   transfer       the page's .wasm/.js/.css/.json as served and gzip'd at level 9 (the .json:
//                  the scenario the page opens with, which its loader fetches);
// then picks a scenario if asked (the <select> with an option of that value: the file name),
// presses Play if asked (the button named "Play"), waits --warmup seconds (2), and over
// --seconds (10) records
//   cpu            CDP Performance.getMetrics deltas (TaskDuration, ScriptDuration, layout,
//                  style, other, ThreadTime) per second of wall time: main-thread ms per s;
//   frames         intervals between the callbacks of a requestAnimationFrame loop injected into
//                  the page (median, p95, max, count, share over 1.5 frames);
//   messages       `svg.stage g.msg` elements, sampled every second;
//   machine        cores used by this browser's processes and by everything else (/proc).
//
// --raw     no selectors (no scenario, Play, first node or messages): any page, e.g. RaftScope,
//           which plays by itself once loaded.
// --runs N  N runs and the median of every figure.
// --wait-idle S   before each run, wait (at most S s) until the rest of the machine uses under
//           0.25 cores: TaskDuration is wall time, so a busy neighbour inflates it.
// --profile F     a CPU profile (CDP Profiler) of the window, and its hottest functions.
// --trace F       a Chrome trace of the window (DevTools' Performance panel can open it), and the
//           renderer main thread's self time by event (script, style, layout, paint...).
//           Profiling and tracing cost time themselves: use those runs for shares only.
// --speed X       the lab's speed (virtual time per wall time, 0.01 to 10) before playing.
// --against URL   a page to compare with (RaftScope), measured as --raw before the first run and
//           after each: the summary gives each run's main-thread time divided by the mean of the
//           reference runs just before and after it (`against.ratios`), so that the machine's
//           drift over minutes weighs on both sides of each ratio alike.
// --style CSS     a style sheet added once playing: an experiment (hide a panel, give the stage
//           its own layer) to see what a part of the page costs.
// --screenshot F  the page at the end of the window.
//
// CHROMIUM overrides the browser binary (default /usr/bin/chromium).

import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';
import { chromiumArgs, executablePath } from './chromium.mjs';

const USAGE = `usage: node tests/browser/perf.mjs (--url URL | --serve DIR) [--scenario FILE.json] [--play]
       [--seconds 10] [--warmup 2] [--runs 1] [--raw] [--profile OUT.cpuprofile] [--trace OUT.json] [--screenshot OUT.png]
       [--wait-idle MAX_S] [--style CSS] [--viewport 1024x640] [--speed X] [--against URL]`;

const SLIDER_STEPS = 300;

function parseArgs(argv) {
  const opts = { seconds: 10, warmup: 2, runs: 1, play: false, raw: false, viewport: '1024x640' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case '--url': opts.url = value(); break;
      case '--serve': opts.serve = value(); break;
      case '--scenario': opts.scenario = value(); break;
      case '--seconds': opts.seconds = Number(value()); break;
      case '--warmup': opts.warmup = Number(value()); break;
      case '--runs': opts.runs = Number(value()); break;
      case '--play': opts.play = true; break;
      case '--raw': opts.raw = true; break;
      case '--profile': opts.profile = value(); break;
      case '--viewport': opts.viewport = value(); break;
      case '--screenshot': opts.screenshot = value(); break;
      case '--trace': opts.trace = value(); break;
      case '--wait-idle': opts.waitIdle = Number(value()); break;
      case '--style': opts.style = value(); break;
      case '--speed': opts.speed = Number(value()); break;
      case '--against': opts.against = value(); break;
      case '-h': case '--help': console.log(USAGE); process.exit(0); break;
      default: throw new Error(`unknown argument ${a}`);
    }
  }
  if (!opts.url === !opts.serve) throw new Error('give one of --url and --serve');
  for (const k of ['seconds', 'warmup', 'runs']) {
    if (!Number.isFinite(opts[k]) || opts[k] < 0) throw new Error(`--${k} must be a number >= 0`);
  }
  if (opts.seconds <= 0 || opts.runs < 1) throw new Error('--seconds must be > 0 and --runs >= 1');
  if (opts.raw && (opts.scenario || opts.play)) throw new Error('--raw takes no --scenario or --play');
  const m = /^(\d+)x(\d+)$/.exec(opts.viewport);
  if (!m) throw new Error('--viewport is WIDTHxHEIGHT');
  opts.viewportSize = { width: Number(m[1]), height: Number(m[2]) };
  return opts;
}

const APP_TIMEOUT_MS = 30_000;

// ---- statistics ----
const sorted = (xs) => [...xs].sort((a, b) => a - b);
function quantile(xs, q) {
  if (xs.length === 0) return null;
  const s = sorted(xs);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}
const median = (xs) => quantile(xs, 0.5);
const round = (x, digits = 2) => (x === null || x === undefined ? x : Number(x.toFixed(digits)));

// ---- a static server for --serve (the same MIME types as scripts/test.sh's) ----
const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', '.css': 'text/css', '.json': 'application/json', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.woff': 'font/woff', '.woff2': 'font/woff2', '.ttf': 'font/ttf',
};
async function serve(dir) {
  const root = path.resolve(dir);
  const server = http.createServer(async (req, res) => {
    try {
      const rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      let file = path.join(root, rel);
      if (!file.startsWith(root)) throw new Error('outside');
      if ((await stat(file)).isDirectory()) file = path.join(file, 'index.html');
      await stat(file);
      res.writeHead(200, { 'content-type': MIME[path.extname(file)] ?? 'application/octet-stream' });
      createReadStream(file).pipe(res);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${server.address().port}/` };
}

// ---- in-page instruments ----

// Runs before any page script: records when the first server of the stage is in the DOM and the
// first frame in which it has a size (the frame that paints it), both on performance.now()'s
// clock, whose origin is the navigation start.
function firstRenderProbe() {
  const rec = (window.__perfFirst = { dom: null, frame: null });
  const visible = (el) => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const onFrame = () => {
    const el = document.querySelector('svg.stage g.node');
    if (el && visible(el)) rec.frame = performance.now();
    else requestAnimationFrame(onFrame);
  };
  const observer = new MutationObserver(() => {
    if (rec.dom === null && document.querySelector('svg.stage g.node')) {
      rec.dom = performance.now();
      observer.disconnect();
      requestAnimationFrame(onFrame);
    }
  });
  observer.observe(document, { childList: true, subtree: true });
}

// Starts the frame recorder (and, unless raw, the message sampler) in the page.
function startRecorders(raw) {
  const p = (window.__perf = { deltas: [], last: null, stop: false, messages: [], loaf: [] });
  const step = (ts) => {
    if (p.stop) return;
    if (p.last !== null) p.deltas.push(ts - p.last);
    p.last = ts;
    requestAnimationFrame(step);
  };
  requestAnimationFrame(step);
  if (!raw) {
    const sample = () => p.messages.push(document.querySelectorAll('svg.stage g.msg').length);
    sample();
    p.timer = setInterval(sample, 1000);
  }
  try {
    p.observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) p.loaf.push(e.duration);
    });
    p.observer.observe({ type: 'long-animation-frame' });
  } catch { /* not supported: left out */ }
}

function stopRecorders() {
  const p = window.__perf;
  p.stop = true;
  clearInterval(p.timer);
  p.observer?.disconnect();
  return { deltas: p.deltas, messages: p.messages, loaf: p.loaf };
}

// ---- helpers ----

// CPU time (s) of the whole machine and of the processes of this run's browser (those whose command
// line names its profile folder), from /proc; null where there is no /proc.
const TICKS_PER_S = 100;
async function cpuTimes(profileDir) {
  try {
    const total = (await readFile('/proc/stat', 'utf8')).split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = total[3] + (total[4] ?? 0);
    const all = total.slice(0, 8).reduce((a, b) => a + b, 0);
    let browser = 0;
    for (const pid of await readdir('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8');
        if (!cmd.includes(profileDir)) continue;
        const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        browser += Number(f[11]) + Number(f[12]);
      } catch { /* the process ended */ }
    }
    return { busy: (all - idle) / TICKS_PER_S, browser: browser / TICKS_PER_S };
  } catch {
    return null;
  }
}
async function metrics(cdp) {
  const { metrics: list } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(list.map((m) => [m.name, m.value]));
}

async function bodyOf(url) {
  if (url.startsWith('file:')) return readFile(fileURLToPath(url));
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

// The page's scripts, wasm, style sheets and data (the scenario it opens with), each as served
// and gzip -9'd; `total_gzip` adds them up.
async function transferSizes(urls) {
  const out = { files: [], wasm_js_gzip: 0, wasm_js_bytes: 0, css_gzip: 0, json_gzip: 0, total_gzip: 0 };
  for (const url of [...new Set(urls)]) {
    const ext = path.extname(new URL(url).pathname);
    if (!['.js', '.wasm', '.css', '.json'].includes(ext)) continue;
    const body = await bodyOf(url);
    const gz = zlib.gzipSync(body, { level: 9 }).length;
    out.files.push({ file: path.basename(new URL(url).pathname), bytes: body.length, gzip: gz });
    if (ext === '.css') out.css_gzip += gz;
    else if (ext === '.json') out.json_gzip += gz;
    else { out.wasm_js_gzip += gz; out.wasm_js_bytes += body.length; }
    out.total_gzip += gz;
  }
  return out;
}

// Self time by function from a CDP CPU profile.
function hottest(profile, top = 25) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    self.set(id, (self.get(id) ?? 0) + dt);
  });
  const agg = new Map();
  for (const [id, ms] of self) {
    const f = byId.get(id).callFrame;
    const where = f.url ? `${path.basename(f.url)}:${f.lineNumber + 1}:${f.columnNumber + 1}` : '';
    const key = `${f.functionName || '(anonymous)'} ${where}`.trim();
    agg.set(key, (agg.get(key) ?? 0) + ms);
  }
  return {
    total_ms: round(total, 1),
    top: [...agg].sort((a, b) => b[1] - a[1]).slice(0, top).map(([fn, ms]) => ({ fn, self_ms: round(ms, 1), share: round(ms / total, 3) })),
  };
}

// Main-thread time by trace event name from a Chrome trace: self time (an event's duration less its
// children's) of the complete events on the renderer's main thread, which shows where a frame's
// work goes (FunctionCall/FireAnimationFrame = script, UpdateLayoutTree = style, Layout, PrePaint,
// Paint, Layerize, Commit, GC...).
function traceSummary(events, seconds, top = 20) {
  const mains = events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  let best = null;
  for (const m of mains) {
    const mine = events.filter((e) => e.pid === m.pid && e.tid === m.tid && e.ph === 'X' && e.dur !== undefined);
    if (!best || mine.length > best.length) best = mine;
  }
  if (!best) return null;
  best.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const self = new Map();
  const stack = [];
  const close = (until) => {
    while (stack.length && stack[stack.length - 1].end <= until) {
      const done = stack.pop();
      self.set(done.name, (self.get(done.name) ?? 0) + done.self);
    }
  };
  for (const e of best) {
    close(e.ts);
    const frame = { name: e.name, end: e.ts + e.dur, self: e.dur };
    if (stack.length) stack[stack.length - 1].self -= Math.min(e.dur, stack[stack.length - 1].end - e.ts);
    stack.push(frame);
  }
  close(Infinity);
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  return {
    main_thread_ms_per_s: round(total / 1000 / seconds, 1),
    top: [...self].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, us]) => ({ name, ms_per_s: round(us / 1000 / seconds, 1) })),
  };
}

async function startTrace(cdp) {
  await cdp.send('Tracing.start', {
    transferMode: 'ReturnAsStream',
    traceConfig: { includedCategories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'toplevel', 'blink', 'cc', 'gpu', 'v8'] },
  });
}

async function endTrace(cdp) {
  const done = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.end');
  const { stream } = await done;
  let text = '';
  for (;;) {
    const chunk = await cdp.send('IO.read', { handle: stream, size: 1 << 20 });
    text += chunk.base64Encoded ? Buffer.from(chunk.data, 'base64').toString() : chunk.data;
    if (chunk.eof) break;
  }
  await cdp.send('IO.close', { handle: stream });
  const parsed = JSON.parse(text);
  return Array.isArray(parsed) ? parsed : parsed.traceEvents;
}

// Picks a scenario in the page's picker: the <select> that has an option whose value is the file
// name (the picker's markup may change; its options' values are the file names).
async function pickScenario(page, scenario) {
  const select = page.locator('select').filter({ has: page.locator(`option[value="${scenario}"]`) }).first();
  await select.waitFor({ state: 'attached', timeout: APP_TIMEOUT_MS });
  await select.selectOption(scenario);
  const chosen = await select.inputValue();
  if (chosen !== scenario) throw new Error(`the picker shows "${chosen}", not ${scenario}`);
  // The page fetches a scenario other than its default: wait for the fetch, then two frames
  // for the new run to render.
  await page.waitForLoadState('networkidle', { timeout: APP_TIMEOUT_MS });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.locator('svg.stage g.node').first().waitFor({ state: 'visible', timeout: APP_TIMEOUT_MS });
  return page.locator('svg.stage g.node').count();
}

// Waits until the rest of the machine is nearly idle (under 0.25 cores busy over 2 s), at most
// `maxS` seconds: on a shared machine, other processes' load inflates every figure.
async function waitIdle(maxS) {
  const deadline = Date.now() + maxS * 1000;
  for (;;) {
    const a = await cpuTimes('\0none');
    await new Promise((r) => setTimeout(r, 2000));
    const b = await cpuTimes('\0none');
    if (!a || !b) return null;
    const busy = (b.busy - a.busy) / 2;
    if (busy < 0.25 || Date.now() > deadline) return round(busy);
  }
}

async function oneRun(opts, url, index) {
  const idleBefore = opts.waitIdle ? await waitIdle(opts.waitIdle) : undefined;
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'distlab-perf-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: chromiumArgs,
    viewport: opts.viewportSize,
  });
  const errors = [];
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(`console error: ${m.text()}`); });
    if (!opts.raw) await page.addInitScript(firstRenderProbe);
    const requested = [];
    page.on('requestfinished', (r) => requested.push(r.url()));
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable', { timeDomain: 'timeTicks' });

    const response = await page.goto(url, { waitUntil: 'load', timeout: APP_TIMEOUT_MS });
    if (response && !response.ok()) throw new Error(`GET ${url} answered ${response.status()}`);
    const run = { run: index + 1, browser: (await cdp.send('Browser.getVersion')).product };
    if (idleBefore !== undefined) run.others_busy_before = idleBefore;
    if (!opts.raw) {
      await page.locator('svg.stage g.node').first().waitFor({ state: 'visible', timeout: APP_TIMEOUT_MS });
      await page.waitForFunction(() => window.__perfFirst?.frame !== null, null, { timeout: APP_TIMEOUT_MS });
      const first = await page.evaluate(() => window.__perfFirst);
      run.first_render_ms = round(first.frame, 1);
      run.first_node_in_dom_ms = round(first.dom, 1);
    }
    // Paint timing may land a frame after load.
    await page.waitForTimeout(200);
    const nav = await page.evaluate(() => {
      const n = performance.getEntriesByType('navigation')[0];
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      return { fcp: fcp?.startTime ?? null, dcl: n?.domContentLoadedEventEnd ?? null, load: n?.loadEventEnd ?? null };
    });
    run.first_contentful_paint_ms = round(nav.fcp, 1);
    run.load_event_ms = round(nav.load, 1);
    run.transfer = await transferSizes(requested);

    if (opts.scenario) run.nodes = await pickScenario(page, opts.scenario);
    else if (!opts.raw) run.nodes = await page.locator('svg.stage g.node').count();
    if (opts.speed) {
      // The slider is logarithmic from 1/100× to 10× over SLIDER_STEPS (src/view/geometry.rs).
      const position = Math.round(SLIDER_STEPS * Math.log(opts.speed / 0.01) / Math.log(1000));
      await page.getByRole('slider', { name: 'Speed' }).fill(String(position));
    }
    if (opts.play) {
      // Play with its keyboard shortcut, so that no pointer is ever over the page: RaftScope
      // plays by itself and is measured without one, and a resting pointer costs either page a
      // hover hit test after every frame that changes layout (about 14 ms/s here).
      await page.getByRole('button', { name: 'Play', exact: true }).waitFor({ timeout: 5_000 });
      // Out of the scenario picker or the speed slider, which take Space themselves.
      await page.evaluate(() => document.activeElement?.blur());
      await page.keyboard.press('Space');
      await page.getByRole('button', { name: 'Pause', exact: true }).waitFor({ timeout: 5_000 });
    }
    // An experiment: extra CSS (hide a panel, isolate a layer) to see what a part of the page costs.
    if (opts.style) await page.addStyleTag({ content: opts.style });
    await page.waitForTimeout(opts.warmup * 1000);

    // ---- the measurement window ----
    if (opts.profile) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    }
    const loadBefore = os.loadavg()[0];
    await page.evaluate(startRecorders, opts.raw);
    if (opts.profile) await cdp.send('Profiler.start');
    if (opts.trace) await startTrace(cdp);
    const c0 = await cpuTimes(userDataDir);
    const m0 = await metrics(cdp);
    await page.waitForTimeout(opts.seconds * 1000);
    const m1 = await metrics(cdp);
    const c1 = await cpuTimes(userDataDir);
    let trace;
    if (opts.trace) trace = await endTrace(cdp);
    let profile;
    if (opts.profile) profile = (await cdp.send('Profiler.stop')).profile;
    const rec = await page.evaluate(stopRecorders);
    const wall = m1.Timestamp - m0.Timestamp;
    const perSecond = (name) => round(((m1[name] ?? 0) - (m0[name] ?? 0)) * 1000 / wall, 1);
    run.window_s = round(wall, 3);
    run.cpu_ms_per_s = {
      task: perSecond('TaskDuration'),
      script: perSecond('ScriptDuration'),
      layout: perSecond('LayoutDuration'),
      style: perSecond('RecalcStyleDuration'),
      other: perSecond('TaskOtherDuration'),
      thread: perSecond('ThreadTime'),
    };
    const frameMs = 1000 / 60;
    if (c0 && c1) {
      // Cores busy during the window: this browser's processes (all of them: renderer, GPU,
      // browser) and everything else on the machine, the measurement's noise.
      const browser = (c1.browser - c0.browser) / wall;
      run.machine_cores_busy = { chromium: round(browser), others: round((c1.busy - c0.busy) / wall - browser) };
    }
    run.frames = {
      count: rec.deltas.length,
      per_s: round(rec.deltas.length / wall, 1),
      median_ms: round(median(rec.deltas)),
      p95_ms: round(quantile(rec.deltas, 0.95)),
      max_ms: round(rec.deltas.length ? Math.max(...rec.deltas) : null),
      over_1_5_frames: round(rec.deltas.filter((d) => d > 1.5 * frameMs).length / Math.max(1, rec.deltas.length), 3),
      task_ms_per_frame: round((m1.TaskDuration - m0.TaskDuration) * 1000 / Math.max(1, rec.deltas.length)),
      long_animation_frames: rec.loaf.length,
    };
    if (!opts.raw) {
      run.messages = {
        samples: rec.messages,
        min: rec.messages.length ? Math.min(...rec.messages) : null,
        median: median(rec.messages),
        max: rec.messages.length ? Math.max(...rec.messages) : null,
        share_300_plus: round(rec.messages.filter((n) => n >= 300).length / Math.max(1, rec.messages.length), 2),
      };
      run.clock = await page.locator('[data-testid="clock"]').first().innerText().catch(() => null);
    }
    if (opts.screenshot) await page.screenshot({ path: opts.runs > 1 ? opts.screenshot.replace(/(\.png)?$/, `-${index + 1}.png`) : opts.screenshot });
    run.loadavg_1min = { before: round(loadBefore), after: round(os.loadavg()[0]) };
    if (profile) {
      const file = opts.runs > 1 ? opts.profile.replace(/(\.cpuprofile)?$/, `-${index + 1}.cpuprofile`) : opts.profile;
      await writeFile(file, JSON.stringify(profile));
      run.profile = { file, ...hottest(profile) };
    }
    if (trace) {
      const file = opts.runs > 1 ? opts.trace.replace(/(\.json)?$/, `-${index + 1}.json`) : opts.trace;
      await writeFile(file, JSON.stringify({ traceEvents: trace }));
      run.trace = { file, ...traceSummary(trace, wall) };
    }
    run.errors = errors;
    return run;
  } finally {
    await context.close();
    await rm(userDataDir, { recursive: true, force: true });
  }
}

// The median over runs of every number at the same place in each run's summary.
function medians(runs) {
  const walk = (vals) => {
    const first = vals[0];
    if (typeof first === 'number') return median(vals);
    if (first && typeof first === 'object' && !Array.isArray(first)) {
      const out = {};
      for (const k of Object.keys(first)) {
        if (['run', 'browser', 'samples', 'files', 'profile', 'trace', 'errors'].includes(k)) continue;
        const v = walk(vals.map((x) => x?.[k]));
        if (v !== undefined) out[k] = v;
      }
      return out;
    }
    return undefined;
  };
  return walk(runs);
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`${e.message}\n${USAGE}`);
    process.exit(2);
  }
  let server;
  let url = opts.url;
  if (opts.serve) ({ server, url } = await serve(opts.serve));
  // The lab opens playing; measured runs open it paused (autoplay=0) and press Play as a
  // person would, so that every run starts its window at the same point of the scenario.
  if (!opts.raw && (opts.play || opts.scenario)) {
    const u = new URL(url);
    if (!u.searchParams.has('autoplay')) u.searchParams.set('autoplay', '0');
    url = u.href;
  }
  const watchdog = setTimeout(() => { console.error('perf.mjs: watchdog fired'); process.exit(3); },
    ((opts.against ? 2 * opts.runs + 1 : opts.runs) * (opts.seconds + opts.warmup + 60 + (opts.waitIdle ?? 0))) * 1000);
  try {
    const runs = [];
    // The reference page, as it is: no scenario, no Play, no instruments of ours.
    const reference = { ...opts, raw: true, play: false, scenario: undefined, speed: undefined, style: undefined, profile: undefined, trace: undefined, screenshot: undefined };
    const referenceTasks = [];
    const measureReference = async (i) => {
      const r = await oneRun(reference, opts.against, i);
      referenceTasks.push(r.cpu_ms_per_s.task);
      console.error(`reference ${i + 1}/${opts.runs + 1}: ${r.cpu_ms_per_s.task} ms CPU/s`);
    };
    if (opts.against) await measureReference(0);
    for (let i = 0; i < opts.runs; i++) {
      runs.push(await oneRun(opts, url, i));
      console.error(`run ${i + 1}/${opts.runs}: ${runs[i].cpu_ms_per_s.task} ms CPU/s, median frame ${runs[i].frames.median_ms} ms`
        + (runs[i].messages ? `, messages ${runs[i].messages.min}..${runs[i].messages.max}` : ''));
      if (opts.against) await measureReference(i + 1);
    }
    let against = null;
    if (opts.against) {
      const ratios = runs.map((r, i) => round(r.cpu_ms_per_s.task / ((referenceTasks[i] + referenceTasks[i + 1]) / 2), 3));
      against = { url: opts.against, task_ms_per_s: referenceTasks, ratios, median_ratio: round(median(ratios), 3) };
    }
    const summary = {
      url,
      mode: opts.raw ? 'raw' : 'lab',
      scenario: opts.scenario ?? null,
      style: opts.style ?? null,
      play: opts.play,
      seconds: opts.seconds,
      warmup_s: opts.warmup,
      viewport: opts.viewport,
      browser: runs[0].browser,
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? null },
      median: medians(runs),
      against,
      runs,
    };
    console.log(JSON.stringify(summary, null, 2));
  } finally {
    clearTimeout(watchdog);
    server?.close();
  }
}

main().catch((e) => {
  console.error(e?.stack ?? String(e));
  process.exit(1);
});
