// What a person meets on opening any page of the lab, at the viewports people use (a laptop, a
// small laptop, a projector, a phone), in light and dark: the stage and its play controls in
// view without scrolling, the run playing (paused under reduced motion or autoplay=0), one
// primary action, no two words on the stage overlapping (in English and in Chinese), text and
// shapes with enough contrast, the page speaking only its own family's words, and embeds that
// hold in an 800×500 iframe.
// Screenshots of each page at each viewport go to artifacts/layout/. Called by run.mjs.

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PAGES, VIEWPORTS, foldFacts, labelOverlaps, smallestServerWords } from './layout.mjs';

/// Words that belong to other families, by page: none may show in a page's own chrome (top bar,
/// legend, network presets, controls).
// The smallest the servers' words may be drawn, in screen pixels (the balancer's wide fan drew
// them at 5.8 px on a 390 px phone; its narrow one at 8.7).
const MIN_WORDS_PX = 8;
const FOREIGN = {
  Raft: [/Paxos/, /propos/i, /acceptor/i, /2PC|3PC/, /coordinator/i, /participant/i, /backend/i, /balancer/i, /transaction/i],
  // (3PC elects a new coordinator: "election" is its word too.)
  'Atomic commit': [/\bleader/i, /Raft/, /Paxos/, /learn/i, /backend/i, /balancer/i, /\bterm\b/i],
  Paxos: [/2PC|3PC/, /coordinator/i, /participant/i, /backend/i, /balancer/i, /transaction/i],
  'Load balancing': [/\bleader/i, /election/i, /Raft/, /Paxos/, /\bterm\b/i, /coordinator/i, /transaction/i, /propos/i],
};

/// The play button's name while playing, by language.
const PAUSE = { en: 'Pause', zh: '暂停' };

/// File names, field names and raw JSON: none may reach a person in the first screen.
const INTERNAL = [/\b(raft|2pc|3pc|paxos|multipaxos|balancer)-[a-z0-9-]+/, /\b[a-z]+_[a-z_]+\b/, /\{"/, /\.json\b/];

export async function layoutTests({ launch, baseUrl, test, assert, artifacts, openLab, appTimeoutMs }) {
  const out = path.join(artifacts, 'layout');
  await mkdir(out, { recursive: true });
  const browser = await launch();
  const open = async (query, viewport, { scheme = 'light', reducedMotion = 'no-preference' } = {}) => {
    const context = await browser.newContext({
      viewport: { width: viewport.width, height: viewport.height },
      isMobile: !!viewport.mobile, hasTouch: !!viewport.mobile, deviceScaleFactor: 1, colorScheme: scheme, reducedMotion,
    });
    return { ...(await openLab(context, query)), context };
  };
  const clock = (page) => page.evaluate(() => Number.parseFloat(document.querySelector('[data-testid=clock]').textContent));

  try {
    for (const p of PAGES) {
      await test(`${p.name} page: at every viewport the stage and its controls are in view at load, the run plays, one action leads, no words collide`, async () => {
        const problems = [];
        for (const v of VIEWPORTS) {
          // English in light and dark, and Chinese (the words of another length must fit too).
          for (const [scheme, lang] of [['light', 'en'], ['dark', 'en'], ['light', 'zh']]) {
            const { page, context, errors } = await open(`${p.query}${p.query ? '&' : '?'}lang=${lang}`, v, { scheme });
            const where = `${v.name} ${scheme} ${lang}`;
            const f = await foldFacts(page);
            if (f.serversOut.length) problems.push(`${where}: servers out of view at load: ${f.serversOut.join(', ')}`);
            if (f.controlsOut.length) problems.push(`${where}: controls out of view at load: ${f.controlsOut.join(', ')}`);
            if (f.stageShare < 0.999) problems.push(`${where}: only ${Math.round(f.stageShare * 100)} % of the stage in view`);
            if (f.scrollWidth > 0) problems.push(`${where}: the page scrolls sideways by ${f.scrollWidth}px`);
            // Words a person can read: on a phone the balancer's fan narrows to keep them so.
            const smallest = await smallestServerWords(page);
            if (!(smallest >= MIN_WORDS_PX)) problems.push(`${where}: servers' words as small as ${smallest.toFixed(1)} px`);
            // It plays: Pause is offered and the clock moves on its own.
            const t0 = await clock(page);
            if (!(await page.getByRole('button', { name: PAUSE[lang], exact: true }).isVisible())) problems.push(`${where}: the page did not open playing`);
            for (const wait of [700, 1200, 1500]) {
              await page.waitForTimeout(wait);
              const overlaps = await labelOverlaps(page);
              if (overlaps.length) problems.push(`${where} at ${await clock(page)} ms: ${overlaps.slice(0, 3).join('; ')}`);
            }
            if (!((await clock(page)) > t0)) problems.push(`${where}: the clock did not move in 3 s`);
            const primary = await page.locator('button.primary:visible').count();
            if (primary !== 1) problems.push(`${where}: ${primary} primary buttons`);
            await page.screenshot({ path: path.join(out, `${p.name.toLowerCase().replace(/\s+/g, '-')}-${v.width}x${v.height}-${scheme}${lang === 'en' ? '' : `-${lang}`}.png`) });
            if (errors.length) problems.push(`${where}: ${errors.join('; ')}`);
            await context.close();
          }
        }
        assert(problems.length === 0, problems.join('\n'));
      });

      await test(`${p.name} page: under reduced motion, or with autoplay=0, it opens paused at its start`, async () => {
        for (const [query, options] of [[p.query, { reducedMotion: 'reduce' }], [`${p.query}${p.query ? '&' : '?'}embed=1&autoplay=0`, {}]]) {
          const { page, context, errors } = await open(query, VIEWPORTS[0], options);
          await page.waitForTimeout(800);
          assert(await page.getByRole('button', { name: 'Play', exact: true }).isVisible(), `${query} ${JSON.stringify(options)}: not paused`);
          assert((await clock(page)) === 0, `${query} ${JSON.stringify(options)}: the clock reads ${await clock(page)} ms`);
          assert(errors.length === 0, errors.join('\n'));
          await context.close();
        }
      });

      await test(`${p.name} page: text and shapes on the first screen meet contrast (4.5:1 text, 3:1 shapes), light and dark`, async () => {
        const problems = [];
        for (const scheme of ['light', 'dark']) {
          const { page, context } = await open(`${p.query}${p.query ? '&' : '?'}autoplay=0`, VIEWPORTS[0], { scheme });
          // A moment with messages in flight and captions drawn.
          for (let i = 0; i < 400 && (await page.locator('svg.stage g.messages g.msg').count()) < 2; i++) {
            await page.getByRole('button', { name: 'Step', exact: true }).click();
          }
          problems.push(...(await page.evaluate(contrastProblems)).map((x) => `${scheme}: ${x}`));
          await context.close();
        }
        assert(problems.length === 0, `${problems.length} contrast problems:\n${problems.slice(0, 30).join('\n')}`);
      });

      await test(`${p.name} page speaks its own family's words: no other family, file name, field name or JSON in its chrome`, async () => {
        const { page, context } = await open(p.query, VIEWPORTS[0]);
        const chrome = await page.evaluate(() => ['.topbar .heading', '.legend-card', '.network-panel', '.controls', '.scrubber']
          .map((s) => [s, [...document.querySelectorAll(s)].map((e) => e.innerText).join(' ')]));
        const problems = [];
        for (const [where, text] of chrome) {
          for (const re of FOREIGN[p.name]) if (re.test(text)) problems.push(`${where} says ${re}: "${text.slice(0, 160)}"`);
        }
        const first = await page.evaluate(() => ['.topbar', '.stage-col', '.side'].map((s) => document.querySelector(s)?.innerText ?? '').join('\n')
          + [...document.querySelectorAll('svg.stage text')].map((t) => t.textContent).join(' '));
        for (const re of INTERNAL) {
          const m = re.exec(first);
          if (m) problems.push(`the first screen shows "${m[0]}"`);
        }
        assert(problems.length === 0, problems.join('\n'));
        await context.close();
      });

      await test(`${p.name} page embedded in an 800×500 iframe keeps its whole stage with any panels, and a click on a server offers its actions`, async () => {
        const combos = ['', 'guide', 'guide,timeline', 'invariants,inspector', 'logs,spacetime,events', 'guide,invariants,inspector,logs,events,spacetime,network,timeline'];
        const { page, context, errors } = await open(p.query, { width: 1000, height: 700 });
        const problems = [];
        for (const panels of combos) {
          const src = new URL(`${p.query}${p.query ? '&' : '?'}embed=1&autoplay=0${panels ? `&panels=${panels}` : ''}`, baseUrl).href;
          await page.setContent(`<link rel="icon" href="data:,"><iframe title="lab" width="800" height="500" style="border:0" src="${src}"></iframe>`);
          const frame = page.frameLocator('iframe');
          await frame.locator('svg.stage g.node').first().waitFor({ timeout: appTimeoutMs });
          const inner = page.frames().find((f) => f.url().includes('embed=1'));
          const f = await foldFacts(inner);
          if (f.serversOut.length || f.controlsOut.length || f.scrollWidth > 0 || f.stageShare < 0.999) {
            problems.push(`panels=${panels}: servers out [${f.serversOut.join(', ')}], controls out [${f.controlsOut.join(', ')}], ${Math.round(f.stageShare * 100)} % of the stage in view, sideways ${f.scrollWidth}px`);
          }
          await frame.locator('svg.stage g.node').nth(1).click();
          await frame.getByRole('menuitem', { name: 'Crash S2' }).waitFor({ timeout: 5_000 }).catch(() => problems.push(`panels=${panels}: a click on S2 offers no actions`));
          const f2 = await foldFacts(inner);
          if (f2.serversOut.length) problems.push(`panels=${panels}: with S2's actions open, servers out: ${f2.serversOut.join(', ')}`);
          await page.screenshot({ path: path.join(out, `embed-${p.name.toLowerCase().replace(/\s+/g, '-')}-${panels.replace(/,/g, '+') || 'none'}.png`) });
        }
        assert(problems.length === 0, problems.join('\n'));
        assert(errors.length === 0, errors.join('\n'));
        await context.close();
      });
    }
  } finally {
    await browser.close();
  }
}

/// Runs in the page: every word on the stage and the first screen against what is under it
/// (4.5:1), every shape of the stage against the stage (3:1 by its fill or its outline).
function contrastProblems() {
  const parse = (c) => {
    let m = /^rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)$/.exec(c);
    if (m) return [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])];
    m = /^color\(srgb ([\d.e-]+) ([\d.e-]+) ([\d.e-]+)(?: \/ ([\d.]+))?\)$/.exec(c);
    if (m) return [Number(m[1]) * 255, Number(m[2]) * 255, Number(m[3]) * 255, m[4] === undefined ? 1 : Number(m[4])];
    return null;
  };
  const over = (top, bottom) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat(1);
  };
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)]; return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let bg = [255, 255, 255, 1];
    if (!layers.length || layers[layers.length - 1][3] < 1) bg = parse(getComputedStyle(document.body).backgroundColor) ?? bg;
    for (const c of layers.reverse()) bg = over(c, bg);
    return bg;
  };
  const problems = [];
  for (const stage of document.querySelectorAll('svg.stage')) {
    const stageBg = background(stage);
    for (const t of stage.querySelectorAll('text')) {
      if (!t.textContent.trim() || t.closest('.lost')) continue;
      const fill = parse(getComputedStyle(t).fill);
      const node = t.closest('.node');
      const inside = node && !t.classList.contains('out') && !t.classList.contains('mark');
      const under = inside ? parse(getComputedStyle(node.querySelector('.body')).fill) : stageBg;
      const op = Number(getComputedStyle(node?.querySelector('.body') ?? t).opacity);
      if (!fill || !under) { problems.push(`"${t.textContent}": colours not read`); continue; }
      const r = ratio(fill, over([...under.slice(0, 3), op], stageBg));
      if (r < 4.5) problems.push(`stage text "${t.textContent}" ${r.toFixed(2)}:1`);
    }
    const shapes = [...stage.querySelectorAll('.node .body, .msg circle, .msg rect, .rings .timer, .load .slot, .load .queue')];
    for (const s of shapes) {
      const cs = getComputedStyle(s);
      const fill = cs.fill === 'none' ? null : parse(cs.fill);
      const stroke = cs.stroke === 'none' || Number.parseFloat(cs.strokeWidth) < 1 ? null : parse(cs.stroke);
      const best = Math.max(fill ? ratio(over(fill, stageBg), stageBg) : 0, stroke ? ratio(over(stroke, stageBg), stageBg) : 0);
      if (best < 3) problems.push(`stage shape ${s.closest('[class]').getAttribute('class')} ${s.tagName} ${best.toFixed(2)}:1`);
    }
  }
  // The page's words in the first screen: top bar, controls, guide and state beside the stage.
  const words = [...document.querySelectorAll('.topbar *, .controls *, .scrubber *, .side *')]
    .filter((e) => [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim()) && e.getClientRects().length
      && !e.closest('button:disabled') && getComputedStyle(e).visibility !== 'hidden');
  for (const e of words) {
    const c = parse(getComputedStyle(e).color);
    if (!c) continue;
    const bg = background(e);
    const r = ratio(over(c, bg), bg);
    if (r < 4.5) problems.push(`"${e.textContent.trim().slice(0, 40)}" (${e.tagName.toLowerCase()}.${e.className}) ${r.toFixed(2)}:1`);
  }
  return problems;
}
