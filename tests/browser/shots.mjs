// Screenshots of every page at every viewport people use, light and dark, for looking at
// (tests/browser/artifacts/shots/PAGE-VIEWPORT-SCHEME.png), with the fold table of layout.mjs.
//
//   node tests/browser/shots.mjs URL [--scheme light|dark|both] [--page NAME] [--wait MS] [--query '&autoplay=0']

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { chromiumArgs, executablePath } from './chromium.mjs';
import { PAGES, VIEWPORTS, foldFacts, labelOverlaps } from './layout.mjs';

const args = process.argv.slice(2);
const url = args.find((a) => !a.startsWith('--') && /^https?:/.test(a));
const opt = (name, fallback) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : fallback; };
if (!url) {
  console.error('usage: node tests/browser/shots.mjs URL [--scheme light|dark|both] [--page NAME] [--wait MS] [--query Q]');
  process.exit(2);
}
const schemes = opt('--scheme', 'light') === 'both' ? ['light', 'dark'] : [opt('--scheme', 'light')];
const only = opt('--page', null);
const wait = Number(opt('--wait', '2500'));
const extra = opt('--query', '');
const out = path.join(path.dirname(fileURLToPath(import.meta.url)), 'artifacts', 'shots');
await mkdir(out, { recursive: true });

const browser = await chromium.launch({ executablePath, headless: true, args: chromiumArgs });
try {
  for (const p of PAGES.filter((p) => !only || p.name.toLowerCase().includes(only.toLowerCase()))) {
    for (const v of VIEWPORTS) {
      for (const scheme of schemes) {
        const context = await browser.newContext({ viewport: { width: v.width, height: v.height }, isMobile: !!v.mobile, hasTouch: !!v.mobile, deviceScaleFactor: 1, colorScheme: scheme });
        const page = await context.newPage();
        const errors = [];
        page.on('pageerror', (e) => errors.push(e.message));
        const q = p.query ? `${p.query}${extra}` : (extra ? `?${extra.replace(/^&/, '')}` : '');
        await page.goto(new URL(q, url).href, { waitUntil: 'load' });
        await page.locator('svg.stage .node').first().waitFor({ timeout: 20_000 });
        await page.waitForTimeout(wait);
        const f = await foldFacts(page);
        const overlaps = await labelOverlaps(page);
        const name = `${p.name.toLowerCase().replace(/\s+/g, '-')}-${v.width}x${v.height}-${scheme}.png`;
        await page.screenshot({ path: path.join(out, name) });
        console.log(`${name}: stage ${Math.round(f.stageShare * 100)} %, servers out ${f.serversOut.length}/${f.servers}, controls out [${f.controlsOut.join(', ')}], sideways ${f.scrollWidth}px, overlaps ${overlaps.length}${overlaps.length ? ': ' + overlaps.slice(0, 3).join('; ') : ''}${errors.length ? ' ERRORS ' + errors.join('; ') : ''}`);
        await context.close();
      }
    }
  }
} finally {
  await browser.close();
}
