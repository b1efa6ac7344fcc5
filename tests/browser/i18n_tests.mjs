// Chinese and English: every page in Chinese shows no English word in its controls, legends
// and panels (names of servers, messages, protocols and fields stay as they are); the language
// follows the browser, is switched from the header without moving the run, is kept in the
// address and in links, and is remembered. Screenshots of each page in Chinese go to
// artifacts/i18n/. Called by run.mjs.

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PAGES } from './layout.mjs';

/// Where a person reads the page's own words (not the run's data: the event log's lines, checked
/// apart below, the messages' notation on the stage, the guide's prose, which keeps English
/// terms in parentheses on purpose).
const CHROME = ['.topbar', '.controls', '.scrubber', '.legend-card', '.invariants', '.inspector-hint', '.in-flight > summary',
  '.network-panel', '.breakpoint-panel', '.cluster-panel', '.session-panel', '.compare', '.guide-nav', '.guide .label',
  '.log-view', '.tx-view', '.acceptor-view', '.balancer-view', '.spacetime > h2', '.st-caption', '.event-log > h2', '.event-log .filters'];

/// Parts written in a notation of the field, the same in both languages: the write-ahead logs'
/// records (start, prepared, commit, end), as database textbooks write them in Chinese too.
const NOTATION = '.wal ol';

/// Words that stay English in Chinese: names (servers S1, clients C1, transactions T1, messages
/// m42), message types, protocols, the papers' field names (camelCase), commands, units and
/// percentiles, and the strategies' short names.
const NAMES = [
  /^[SCTm]\d+$/, /^[tb]\d/, /^\d/, /^(Raft|Paxos|Multi-Paxos|distlab|2PC|3PC|RPC|RPCs|GC|LB|P2C|EWMA|Peak-EWMA|peak-EWMA|Maglev|Zipf|CPU|English)$/,
  // Message types: one capitalised word (Prepare, Vote) or several run together (RequestVoteReply).
  /^(Prepare|Promise|Nack|Accept|Accepted|Decide|Ask|Chosen|Commit|Abort|Vote|Begin|Outcome|Ack|Request|Response|Probe|Control)$/, /^[A-Z][a-z]+(?:[A-Z][a-z]+)+$/,
  /^[a-z]+[A-Z][A-Za-z]*$/, /^(set|get|del|ms|µs|p50|p95|p99|vnodes)$/, /^[a-z]$/i,
];

function englishWords(text) {
  // English in full-width parentheses is a term given for the papers' sake: 领导者（leader）.
  const stripped = text.replace(/（[^（）]*）/g, ' ');
  return (stripped.match(/[A-Za-z0-9][A-Za-z0-9-]*/g) ?? []).filter((w) => /[A-Za-z]/.test(w) && !NAMES.some((re) => re.test(w)));
}

export async function i18nTests({ launch, test, assert, artifacts, openLab, appTimeoutMs }) {
  const out = path.join(artifacts, 'i18n');
  await mkdir(out, { recursive: true });
  const browser = await launch();
  const open = async (query, { locale = 'en-US', viewport = { width: 1366, height: 768 }, context } = {}) => {
    const ctx = context ?? await browser.newContext({ viewport, locale });
    return { ...(await openLab(ctx, query)), context: ctx };
  };
  const clock = (page) => page.evaluate(() => document.querySelector('[data-testid=clock]').textContent);
  const events = (page) => page.evaluate(() => document.querySelector('[data-testid=event-count]').textContent);

  try {
    await test('every page in Chinese: no English word in its controls, legends and panels, and the html says zh-CN', async () => {
      const problems = [];
      for (const p of PAGES) {
        for (const viewport of [{ width: 1366, height: 768 }, { width: 390, height: 844 }]) {
          const { page, context, errors } = await open(`${p.query}${p.query ? '&' : '?'}lang=zh&autoplay=0`, { viewport });
          // A moment with something in every panel: messages in flight, an entry or a vote.
          for (let i = 0; i < 60; i++) await page.getByRole('button', { name: '单步', exact: true }).click();
          await page.waitForTimeout(300);
          const where = `${p.name} ${viewport.width}px`;
          if ((await page.evaluate(() => document.documentElement.lang)) !== 'zh-CN') problems.push(`${where}: <html lang> is not zh-CN`);
          const texts = await page.evaluate(([sel, notation]) => sel.flatMap((s) => [...document.querySelectorAll(s)].map((e) => {
            // A copy without the parts written in notation.
            const copy = e.cloneNode(true);
            copy.querySelectorAll(notation).forEach((n) => n.remove());
            document.body.append(copy);
            const text = copy.innerText;
            copy.remove();
            return [s, text];
          })), [CHROME, NOTATION]);
          // What a screen reader says: the names and tooltips of controls.
          const names = await page.evaluate(() => [...document.querySelectorAll('button, input, select, [role=button], [role=region], [role=toolbar], section[aria-label]')]
            .flatMap((e) => [e.getAttribute('aria-label'), e.getAttribute('title')]).filter(Boolean).map((t) => ['accessible names', t]));
          for (const [s, text] of [...texts, ...names]) {
            const words = englishWords(text);
            if (words.length) problems.push(`${where} ${s}: ${[...new Set(words)].slice(0, 8).join(', ')} in "${text.replace(/\s+/g, ' ').slice(0, 100)}"`);
          }
          // The event log's lines: the engine's verbs and the protocols' words in Chinese, the
          // messages' notation (RequestVote term=1 last=0@0) as the papers write it.
          const lines = await page.evaluate(() => [...document.querySelectorAll('.event-log ol li')].map((li) => li.textContent));
          if (lines.length === 0) problems.push(`${where}: the event log shows no lines`);
          const notChinese = lines.filter((l) => !/^\d+ [\d.]+ [\u4e00-\u9fff]/.test(l));
          if (notChinese.length) problems.push(`${where} event log: ${notChinese.length} lines not in Chinese, e.g. "${notChinese[0]}"`);
          if (viewport.width === 1366 || viewport.width === 390) {
            await page.screenshot({ path: path.join(out, `${p.name.toLowerCase().replace(/\s+/g, '-')}-${viewport.width}x${viewport.height}-zh.png`) });
          }
          if (errors.length) problems.push(`${where}: ${errors.join('; ')}`);
          await context.close();
        }
      }
      assert(problems.length === 0, `${problems.length} places in English:\n${problems.slice(0, 40).join('\n')}`);
    });

    await test('the header switches the language without moving the run; the address, links and the next visit keep it', async () => {
      const { page, context, errors } = await open('?autoplay=0');
      assert((await page.evaluate(() => document.documentElement.lang)) === 'en', 'an English browser opens in English');
      for (let i = 0; i < 25; i++) await page.getByRole('button', { name: 'Step', exact: true }).click();
      const [t, n] = [await clock(page), await events(page)];
      await page.getByTestId('lang-switch').click();
      await page.waitForFunction(() => document.documentElement.lang === 'zh-CN', null, { timeout: appTimeoutMs });
      await page.getByRole('button', { name: '播放', exact: true }).waitFor({ timeout: appTimeoutMs });
      assert((await clock(page)).includes(t.replace(' ms', '')), `the clock moved: ${t} → ${await clock(page)}`);
      assert((await events(page)).includes(n.replace('event ', '')), `the event count moved: ${n} → ${await events(page)}`);
      assert(new URL(page.url()).searchParams.get('lang') === 'zh', `the address says ${page.url()}`);
      assert((await page.getByRole('heading', { level: 1 }).innerText()).trim() === 'Raft', 'the heading');
      assert(/导览|关于此场景/.test(await page.locator('.guide').innerText()), 'the guide is in Chinese');
      await page.getByRole('button', { name: '链接到此刻', exact: true }).click();
      const link = await page.getByTestId('share-link').inputValue();
      assert(new URL(link).searchParams.get('lang') === 'zh', `the shared link ${link} does not keep the language`);
      // Back to English, and the choice is remembered by the next page opened without lang=.
      await page.getByTestId('lang-switch').click();
      await page.waitForFunction(() => document.documentElement.lang === 'en', null, { timeout: appTimeoutMs });
      await page.getByTestId('lang-switch').click();
      await page.waitForFunction(() => document.documentElement.lang === 'zh-CN', null, { timeout: appTimeoutMs });
      const { page: again } = await open('?autoplay=0', { context });
      assert((await again.evaluate(() => document.documentElement.lang)) === 'zh-CN', 'the choice is not remembered');
      assert(await again.getByRole('button', { name: '播放', exact: true }).isVisible(), 'the next visit is not in Chinese');
      assert(errors.length === 0, errors.join('\n'));
      await context.close();
    });

    await test('a browser that reads Chinese gets Chinese, and lang=en in a link wins over it', async () => {
      const zh = await open('?autoplay=0', { locale: 'zh-CN' });
      assert((await zh.page.evaluate(() => document.documentElement.lang)) === 'zh-CN', 'a zh-CN browser opens in English');
      assert(await zh.page.getByRole('button', { name: '播放', exact: true }).isVisible(), 'no Chinese play button');
      await zh.context.close();
      const en = await open('?lab=paxos&lang=en&autoplay=0', { locale: 'zh-CN' });
      assert((await en.page.evaluate(() => document.documentElement.lang)) === 'en', 'lang=en did not win');
      assert(await en.page.getByRole('button', { name: 'Play', exact: true }).isVisible(), 'no English play button');
      assert(en.errors.length === 0, en.errors.join('\n'));
      await en.context.close();
    });
  } finally {
    await browser.close();
  }
}
