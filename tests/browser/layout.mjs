// What a person sees of a page right after it loads, without scrolling: how much of the stage
// is inside the viewport, whether every server and the play/step/speed controls are, and
// whether any two text labels on the stage overlap. Shared by the browser tests (layout_tests.mjs)
// and the measuring script:
//
//   node tests/browser/layout.mjs URL   # the "stage above the fold" table, every page × viewport

import { chromium } from 'playwright-core';
import { chromiumArgs, executablePath } from './chromium.mjs';

/// The viewports people use: a laptop, a small laptop, a projector, a phone.
export const VIEWPORTS = [
  { name: '1366×768', width: 1366, height: 768 },
  { name: '1024×640', width: 1024, height: 640 },
  { name: '1920×1080', width: 1920, height: 1080 },
  { name: 'phone 390×844', width: 390, height: 844, mobile: true },
];

/// Every page of the lab, by its address's query.
export const PAGES = [
  { name: 'Raft', query: '' },
  { name: 'Atomic commit', query: '?lab=commit' },
  { name: 'Paxos', query: '?lab=paxos' },
  { name: 'Load balancing', query: '?lab=balancer' },
];

/// Measures the page as it is now: fractions and booleans, plus the names of what is outside.
export async function foldFacts(page) {
  return page.evaluate(() => {
    const vw = window.innerWidth;
    const vh = window.innerHeight;
    const inside = (r) => r.width > 0 && r.height > 0 && r.left >= -0.5 && r.top >= -0.5 && r.right <= vw + 0.5 && r.bottom <= vh + 0.5;
    const stage = document.querySelector('svg.stage');
    const s = stage?.getBoundingClientRect();
    const visibleArea = s ? Math.max(0, Math.min(s.right, vw) - Math.max(s.left, 0)) * Math.max(0, Math.min(s.bottom, vh) - Math.max(s.top, 0)) : 0;
    const stageShare = s && s.width * s.height > 0 ? visibleArea / (s.width * s.height) : 0;
    const servers = [...(stage?.querySelectorAll('.node .body') ?? [])];
    const serversOut = servers.filter((b) => !inside(b.getBoundingClientRect())).map((b) => b.closest('.node')?.getAttribute('aria-label') ?? '?');
    const control = (name) => [...document.querySelectorAll('button, input[type=range]')].find((e) => (e.getAttribute('aria-label') ?? e.textContent.trim()) === name);
    // By their names in the page's language (English, or Chinese: 播放 / 暂停, 单步, 后退一步, 速度).
    const zh = document.documentElement.lang.startsWith('zh');
    const wanted = zh ? ['播放|暂停', '单步', '后退一步', '速度'] : ['Play|Pause', 'Step', 'Step back', 'Speed'];
    const controls = wanted.map((names) => {
      const e = names.split('|').map(control).find(Boolean);
      return { name: names, found: !!e, inside: !!e && inside(e.getBoundingClientRect()) };
    });
    return {
      stageShare,
      servers: servers.length,
      serversOut,
      controlsOut: controls.filter((c) => !c.inside).map((c) => c.found ? c.name : `${c.name} (missing)`),
      scrollWidth: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    };
  });
}

/// The smallest font of the servers' words on the stage, in screen pixels as drawn (the SVG's
/// font size times its scale); NaN when it has none.
export async function smallestServerWords(page) {
  return page.evaluate(() => {
    const svg = document.querySelector('svg.stage');
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    const sizes = [...svg.querySelectorAll('g.node text')].filter((t) => t.textContent.trim() !== '').map((t) => parseFloat(getComputedStyle(t).fontSize) * scale);
    // None at all is a failure too (NaN compares false with any floor).
    return sizes.length ? Math.min(...sizes) : NaN;
  });
}

/// Pairs of text labels on the stage whose boxes overlap (more than `slack` px each way):
/// message labels, node captions, names and badges, in screen pixels as drawn.
export async function labelOverlaps(page, slack = 0.5) {
  return page.evaluate((slack) => {
    const out = [];
    for (const stage of document.querySelectorAll('svg.stage')) {
      const texts = [...stage.querySelectorAll('text')].filter((t) => t.textContent.trim() && getComputedStyle(t).display !== 'none' && getComputedStyle(t).visibility !== 'hidden' && Number(getComputedStyle(t).opacity) > 0.05
        && !t.closest('[opacity="0"]'));
      const boxes = texts.map((t) => ({ t, r: t.getBoundingClientRect(), node: t.closest('.node') }));
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const a = boxes[i].r, b = boxes[j].r;
          const ox = Math.min(a.right, b.right) - Math.max(a.left, b.left);
          const oy = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
          if (ox > slack && oy > slack) {
            out.push(`"${boxes[i].t.textContent}" and "${boxes[j].t.textContent}" overlap by ${ox.toFixed(1)}×${oy.toFixed(1)} px`);
          }
        }
      }
    }
    return out;
  }, slack);
}

async function table(baseUrl) {
  const browser = await chromium.launch({ executablePath, headless: true, args: chromiumArgs });
  const rows = [];
  try {
    for (const p of PAGES) {
      const row = [p.name];
      for (const v of VIEWPORTS) {
        const context = await browser.newContext({ viewport: { width: v.width, height: v.height }, isMobile: !!v.mobile, hasTouch: !!v.mobile, deviceScaleFactor: 1 });
        const page = await context.newPage();
        await page.goto(new URL(p.query, baseUrl).href, { waitUntil: 'load' });
        await page.locator('svg.stage .node').first().waitFor({ timeout: 20_000 });
        await page.waitForTimeout(300);
        const f = await foldFacts(page);
        const notes = [];
        if (f.serversOut.length) notes.push(`${f.serversOut.length}/${f.servers} servers out`);
        if (f.controlsOut.length) notes.push(`out: ${f.controlsOut.join(', ')}`);
        row.push(`${Math.round(f.stageShare * 100)} %${notes.length ? ` (${notes.join('; ')})` : ''}`);
        await context.close();
      }
      rows.push(row);
    }
  } finally {
    await browser.close();
  }
  console.log(`| page | ${VIEWPORTS.map((v) => v.name).join(' | ')} |`);
  console.log(`|---|${VIEWPORTS.map(() => '---').join('|')}|`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = process.argv[2];
  if (!url) {
    console.error('usage: node tests/browser/layout.mjs URL');
    process.exit(2);
  }
  await table(url);
}
