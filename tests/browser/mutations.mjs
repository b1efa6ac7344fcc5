// Which elements the page changes while playing, per second: a MutationObserver counts
// attribute, text and child-list changes by element (tag.class) over a window. A tool for
// finding what invalidates style, layout and paint every frame (docs/speed.md).
//
//   node tests/browser/mutations.mjs URL [--seconds 5] [--viewport 1920x1080]
import { chromium } from 'playwright-core';
import { chromiumArgs, executablePath } from './chromium.mjs';

const args = process.argv.slice(2);
const url = args[0];
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const seconds = Number(option('--seconds') || 0) || 5;
const [width, height] = (option('--viewport') || '1024x640').split('x').map(Number);
if (!url || !width || !height) { console.error('usage: node tests/browser/mutations.mjs URL [--seconds S] [--viewport WxH]'); process.exit(2); }
const browser = await chromium.launch({ executablePath, args: chromiumArgs });
const page = await browser.newPage({ viewport: { width, height } });
await page.goto(url);
await page.waitForSelector('svg.stage g.node');
// The page opens playing; one opened paused (reduced motion, `autoplay=0`) is started.
const play = page.getByRole('button', { name: 'Play', exact: true });
if (await play.count()) await play.first().click();
await page.mouse.move(0, 0);
await page.waitForTimeout(2000);
const counts = await page.evaluate(async (s) => {
  const counts = {};
  const name = (n) => {
    const e = n.nodeType === 1 ? n : n.parentElement;
    if (!e) return '?';
    const cls = (e.getAttribute('class') || '').split(/\s+/).filter(Boolean).slice(0, 2).join('.');
    const parent = e.parentElement;
    const pcls = parent ? (parent.getAttribute('class') || '').split(/\s+/)[0] : '';
    return `${parent ? parent.tagName.toLowerCase() + (pcls ? '.' + pcls : '') + ' > ' : ''}${e.tagName.toLowerCase()}${cls ? '.' + cls : ''}`;
  };
  const obs = new MutationObserver((list) => {
    for (const m of list) {
      const key = `${m.type}${m.attributeName ? '[' + m.attributeName + ']' : ''} ${name(m.target)}`;
      counts[key] = (counts[key] || 0) + 1;
    }
  });
  obs.observe(document.body, { subtree: true, attributes: true, characterData: true, childList: true });
  await new Promise((r) => setTimeout(r, s * 1000));
  obs.disconnect();
  return counts;
}, seconds);
const rows = Object.entries(counts).sort((a, b) => b[1] - a[1]);
for (const [k, v] of rows.slice(0, 60)) console.log(`${(v / seconds).toFixed(1).padStart(8)}/s  ${k}`);
await browser.close();
