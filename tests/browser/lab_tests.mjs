// Browser tests of the lab's controls beyond play/step: inspector, time travel, keyboard,
// network and cluster panels, links, files, embedding, small screens and accessibility.
// Called by run.mjs with its harness; each test clicks what a person clicks.

import { readFile } from 'node:fs/promises';
import path from 'node:path';

export async function labTests({ context, launch, baseUrl, test, assert, artifacts, openPage, visibleText, appTimeoutMs }) {
  const shot = (page, name) => page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true });
  const eventCount = async (page) => {
    const text = await visibleText(page.getByTestId('event-count'));
    return Number(/event (\d+)/.exec(text)?.[1] ?? NaN);
  };
  const labels = (page) => page.evaluate(() => [...document.querySelectorAll('svg.stage g.node')].map((g) => g.getAttribute('aria-label')));
  // Opens a page paused at its start (`autoplay=0`), as these tests step it from there.
  const open = async (suffix = '') => {
    const p = await openPage(context);
    const url = new URL(suffix, baseUrl);
    if (!url.searchParams.has('autoplay')) url.searchParams.set('autoplay', '0');
    // networkidle: a scenario other than the page's default is fetched after load.
    await p.page.goto(url.href, { waitUntil: 'networkidle' });
    await p.page.locator('svg.stage g.node').first().waitFor({ timeout: appTimeoutMs });
    return p;
  };
  // The address once it links to the event on screen. The browser compresses the link in the
  // background, so the address catches up a moment after the run stands still: it is read back
  // as a page opening it reads it (raw deflate) until it names that event.
  const linkToMoment = (page) => page.evaluate(async (timeoutMs) => {
    const linked = async (href) => {
      const body = new URL(href).hash.match(/^#run=(.+)$/)?.[1].replace(/-/g, '+').replace(/_/g, '/');
      if (!body) return null;
      const bytes = Uint8Array.from(atob(body + '='.repeat((4 - (body.length % 4)) % 4)), (c) => c.charCodeAt(0));
      const text = await new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw'))).text();
      return JSON.parse(text).at_event;
    };
    const shown = () => Number(/event (\d+)/.exec(document.querySelector('[data-testid=event-count]')?.textContent ?? '')?.[1]);
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const href = location.href;
      if ((await linked(href)) === shown()) return href;
      if (performance.now() > deadline) throw new Error(`the address ${href.slice(0, 80)}… does not link to event ${shown()}`);
      await new Promise((done) => requestAnimationFrame(done));
    }
  }, 5_000);
  const playUntilLeader = async (page) => {
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    await page.getByRole('button', { name: /^S\d+ leader/ }).first().waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
  };

  await test('a server opens the inspector with its full state and its actions', async () => {
    const { page, errors } = await open();
    await playUntilLeader(page);
    await page.getByRole('button', { name: /^S\d+ leader/ }).first().click();
    const inspector = page.getByTestId('inspector');
    const text = await visibleText(inspector);
    for (const field of ['currentTerm', 'votedFor', 'commitIndex', 'lastApplied', 'nextIndex', 'matchIndex']) {
      assert(text.includes(field), `the leader's inspector lacks ${field}: ${text.slice(0, 300)}`);
    }
    assert(await page.getByRole('menuitem', { name: /^Crash S\d+$/ }).isVisible(), 'no Crash action on the stage');
    await shot(page, 'inspector-node');
    await page.getByRole('button', { name: 'Close inspector' }).click();
    assert((await inspector.count()) === 0, 'the inspector did not close');
    assert(errors.length === 0, errors.join('\n'));
    await page.close();
  });

  await test('a message in flight opens in the inspector and can be dropped', async () => {
    const { page, errors } = await open();
    await playUntilLeader(page);
    // Step until something is in flight, then click it.
    for (let i = 0; i < 50 && (await page.locator('svg.stage g.msg:not(.lost)').count()) === 0; i++) {
      await page.getByRole('button', { name: 'Step', exact: true }).click();
    }
    // Paused, the list beside the stage counts what the stage draws (while playing it follows
    // a few times a second).
    const listed = async () => Number(/\((\d+)\)/.exec(await page.getByTestId('in-flight').locator('summary').textContent())?.[1]);
    const drawn = await page.locator('svg.stage g.messages g.msg').count();
    assert((await listed()) === drawn, `${await listed()} messages listed in flight, ${drawn} drawn`);
    const msg = page.locator('svg.stage g.msg:not(.lost)').first();
    const title = await msg.locator('title').textContent();
    const id = /^m(\d+)/.exec(title)[1];
    await msg.dispatchEvent('click');
    const text = await visibleText(page.getByTestId('inspector'));
    assert(text.includes(`m${id}`) && /term/.test(text), `the inspector reads "${text.slice(0, 200)}"`);
    await shot(page, 'inspector-message');
    const before = await eventCount(page);
    await page.getByRole('menuitem', { name: `Drop m${id}` }).click();
    await page.waitForFunction((id) => ![...document.querySelectorAll('svg.stage g.msg:not(.lost) title')].some((t) => t.textContent.startsWith(`m${id} `)), id, { timeout: 5_000 });
    assert((await eventCount(page)) === before + 1, 'dropping was not one event');
    assert((await listed()) === drawn - 1, `${await listed()} messages listed in flight after dropping one of ${drawn}`);
    // It stays a moment where it was lost, fading, with a ✕.
    const lost = await page.locator('svg.stage g.dropped g.msg.lost').count();
    assert(lost === 1, `${lost} lost messages drawn fading after one drop`);
    assert((await page.getByTestId('event-log').innerText()).includes(`drop m${id}`), 'the event log does not show the drop');
    assert(errors.length === 0, errors.join('\n'));
    await page.close();
  });

  await test('the list of messages in flight, opened, names what the stage draws and opens each in the inspector', async () => {
    const { page, errors } = await open();
    await playUntilLeader(page);
    for (let i = 0; i < 50 && (await page.locator('svg.stage g.msg:not(.lost)').count()) === 0; i++) {
      await page.getByRole('button', { name: 'Step', exact: true }).click();
    }
    const list = page.getByTestId('in-flight');
    // Folded, it builds no rows (they would change dozens of times a second for no one).
    assert((await list.locator('li').count()) === 0, 'the folded list has rows');
    await list.locator('summary').click();
    const drawn = (await page.locator('svg.stage g.messages g[data-msg]').evaluateAll((gs) => gs.map((g) => g.dataset.msg))).sort();
    const rows = (await list.getByRole('button').allTextContents()).map((t) => /^m(\d+) /.exec(t)?.[1]).sort();
    assert(drawn.length > 0 && drawn.length <= 60, `${drawn.length} messages drawn: this test wants a few`);
    assert(JSON.stringify(rows) === JSON.stringify(drawn), `listed ${rows}, drawn ${drawn}`);
    const id = rows[0];
    await list.getByRole('button', { name: new RegExp(`^m${id} `) }).click();
    const text = await visibleText(page.getByTestId('inspector'));
    assert(text.includes(`m${id}`), `the inspector reads "${text.slice(0, 200)}" after m${id} was chosen from the list`);
    assert(errors.length === 0, errors.join('\n'));
    await page.close();
  });

  await test('messages fly between their two servers and rings drain with time, forward and back', async () => {
    // Positions and dashes are set on the elements by the stage's clock, outside Yew's render:
    // this checks they follow the moment shown, stepping either way while paused.
    const { page, errors } = await open();
    await playUntilLeader(page);
    const drawn = () => page.evaluate(() => {
      const centre = {};
      for (const g of document.querySelectorAll('svg.stage g.node')) {
        const c = g.querySelector('circle.body');
        centre[/^S\d+/.exec(g.getAttribute('aria-label'))[0]] = [Number(c.getAttribute('cx')), Number(c.getAttribute('cy'))];
      }
      const flights = [...document.querySelectorAll('svg.stage g.messages > g[data-msg]')].map((g) => {
        const [, x, y] = /^translate\(([-\d.]+) ([-\d.]+)\)$/.exec(g.getAttribute('transform') ?? '') ?? [];
        const [, from, to] = /^m\d+ (\S+)->(\S+) /.exec(g.querySelector('title')?.textContent ?? '') ?? [];
        return { id: g.dataset.msg, x: Number(x), y: Number(y), from: centre[from], to: centre[to] };
      });
      const rings = [...document.querySelectorAll('svg.stage g.rings circle.timer')].map((c) => c.getAttribute('stroke-dasharray'));
      return { flights, rings, clock: document.querySelector('[data-testid=clock]').textContent };
    });
    // Where a message is along its way: 0 at its sender, 1 at its receiver, and how far off the
    // line between them.
    const along = (f) => {
      const [dx, dy] = [f.to[0] - f.from[0], f.to[1] - f.from[1]];
      const len2 = dx * dx + dy * dy;
      const t = ((f.x - f.from[0]) * dx + (f.y - f.from[1]) * dy) / len2;
      const off = Math.abs((f.x - f.from[0]) * dy - (f.y - f.from[1]) * dx) / Math.sqrt(len2);
      return { t, off };
    };
    const step = (name) => page.getByRole('button', { name, exact: true }).click();
    let checked = 0;
    for (let tries = 0; tries < 60 && checked < 3; tries++) {
      await step('Step');
      const before = await drawn();
      if (before.flights.length === 0) continue;
      for (const f of before.flights) {
        assert(f.from && f.to && Number.isFinite(f.x), `message m${f.id} is drawn without a place: ${JSON.stringify(f)}`);
        const { t, off } = along(f);
        assert(t >= -0.01 && t <= 1.01 && off < 0.5, `m${f.id} at (${f.x}, ${f.y}) is not between its servers (t ${t}, ${off} off the line)`);
      }
      // Forward until the time moves, then back to this moment.
      let steps = 0;
      let after = before;
      while (after.clock === before.clock && steps < 10) {
        await step('Step');
        steps += 1;
        after = await drawn();
      }
      for (const f of after.flights) {
        const was = before.flights.find((b) => b.id === f.id);
        if (was) assert(along(f).t > along(was).t, `m${f.id} did not move on from ${JSON.stringify(was)} to ${JSON.stringify(f)} (${before.clock} to ${after.clock})`);
      }
      for (let i = 0; i < steps; i++) await step('Step back');
      const back = await drawn();
      assert(back.clock === before.clock, `stepping back ${steps} times reached ${back.clock}, not ${before.clock}`);
      assert(JSON.stringify(back.flights) === JSON.stringify(before.flights), `back at ${before.clock}, the messages are drawn at ${JSON.stringify(back.flights)}, not ${JSON.stringify(before.flights)}`);
      assert(JSON.stringify(back.rings) === JSON.stringify(before.rings), `back at ${before.clock}, the rings are ${back.rings}, not ${before.rings}`);
      checked += 1;
    }
    assert(checked === 3, `only ${checked} moments with a message in flight in 60 steps`);
    // Playing, a message moves from one frame to the next.
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    const moved = await page.evaluate(async () => {
      const frame = () => new Promise((r) => requestAnimationFrame(r));
      for (let i = 0; i < 300; i++) {
        const g = document.querySelector('svg.stage g.messages > g[data-msg]');
        const was = g?.getAttribute('transform');
        await frame();
        await frame();
        if (g?.isConnected && g.getAttribute('transform') !== was) return true;
      }
      return false;
    });
    assert(moved, 'no message moved between two frames while playing');
    assert(errors.length === 0, errors.join('\n'));
    await page.close();
  });

  await test('the guide\'s Next and Previous move the run to each step\'s moment, paused and playing', async () => {
    const file = JSON.parse(await readFile(new URL('../../scenarios/raft-leader-crash.json', import.meta.url), 'utf8'));
    const starts = [0, ...file.guide.steps.slice(0, -1).map((s) => s.until_ms)];
    const { page, errors } = await open('?scenario=raft-leader-crash');
    const clockMs = async () => Number.parseFloat(await page.getByTestId('clock').textContent());
    const stepText = () => page.getByTestId('guide-step').locator('.guide-text').textContent();
    const count = () => page.getByTestId('guide-step').locator('.guide-count').textContent();
    for (let i = 1; i <= 3; i++) {
      await page.getByRole('button', { name: 'Next step' }).click();
      await page.waitForFunction((t) => Math.abs(Number.parseFloat(document.querySelector('[data-testid=clock]').textContent) - t) < 0.0005, starts[i], { timeout: 10_000 });
      assert((await stepText()) === file.guide.steps[i].text, `after Next ${i}× the step reads "${await stepText()}"`);
      assert((await count()) === `Step ${i + 1} of ${file.guide.steps.length}`, await count());
    }
    await page.getByRole('button', { name: 'Previous step' }).click();
    await page.waitForFunction((t) => Math.abs(Number.parseFloat(document.querySelector('[data-testid=clock]').textContent) - t) < 0.0005, starts[2], { timeout: 10_000 });
    assert((await stepText()) === file.guide.steps[2].text, 'Previous did not go back one step');
    // A step's dot goes straight to it; playing, the step then follows the clock onwards
    // (never back to the step the clock was in before the click).
    await page.getByRole('button', { name: `Step 6 of ${file.guide.steps.length}` }).click();
    await page.waitForFunction((t) => Math.abs(Number.parseFloat(document.querySelector('[data-testid=clock]').textContent) - t) < 0.0005, starts[5], { timeout: 10_000 });
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    await page.getByRole('button', { name: 'Next step' }).click();
    await page.waitForTimeout(600);
    const shown = Number(/Step (\d+)/.exec(await count())[1]);
    assert(shown >= 7, `playing, Next showed step ${shown}, not 7 or later`);
    assert((await clockMs()) >= starts[6], `playing, Next left the clock at ${await clockMs()} ms, before step 7's ${starts[6]} ms`);
    assert(await page.getByRole('button', { name: 'Pause', exact: true }).isVisible(), 'Next stopped the run');
    assert(errors.length === 0, errors.join('\n'));
    await page.close();
  });

  await test('the scrubber travels back and forth, with marks for elections', async () => {
    const { page, errors } = await open();
    await playUntilLeader(page);
    const events = await eventCount(page);
    const marks = page.getByTestId('scrubber').locator('.scrub-ticks button');
    assert((await marks.count()) >= 1, 'no mark on the time line after an election');
    const labelsNow = await labels(page);
    await page.getByRole('slider', { name: 'Virtual time' }).fill('0');
    await page.waitForFunction(() => /event 0\b/.test(document.querySelector('[data-testid=event-count]').textContent), null, { timeout: 5_000 });
    assert((await labels(page)).every((l) => / follower /.test(l) || /follower/.test(l)), 'at time 0 not everyone is a follower');
    await page.getByRole('button', { name: 'Next mark' }).click();
    await page.waitForTimeout(100);
    assert((await eventCount(page)) > 0, 'Next mark did not move forward');
    const max = await page.getByRole('slider', { name: 'Virtual time' }).getAttribute('max');
    await page.getByRole('slider', { name: 'Virtual time' }).fill(max);
    await page.waitForTimeout(100);
    assert((await eventCount(page)) === events, `back at the end the run is at event ${await eventCount(page)}, not ${events}`);
    assert(JSON.stringify(await labels(page)) === JSON.stringify(labelsNow), 'the servers differ after travelling back and forth');
    await shot(page, 'scrubber');
    assert(errors.length === 0, errors.join('\n'));
    await page.close();
  });

  await test('keyboard: ? lists shortcuts, digits select, c sends a request, + and - change speed', async () => {
    const { page, errors } = await open();
    await page.locator('body').click({ position: { x: 2, y: 2 } });
    await page.keyboard.press('?');
    await page.getByTestId('shortcuts').waitFor({ timeout: 5_000 });
    await shot(page, 'shortcuts');
    await page.keyboard.press('Escape');
    await page.getByTestId('shortcuts').waitFor({ state: 'detached', timeout: 5_000 });
    await page.locator('body').click({ position: { x: 2, y: 2 } });
    await page.keyboard.press('3');
    assert((await visibleText(page.getByTestId('inspector'))).includes('S3'), 'the digit 3 did not select S3');
    const speed = await visibleText(page.getByTestId('speed'));
    await page.locator('body').click({ position: { x: 2, y: 2 } });
    await page.keyboard.press('+');
    const faster = await visibleText(page.getByTestId('speed'));
    assert(faster !== speed, `+ left the speed at ${faster}`);
    await page.keyboard.press('-');
    assert((await visibleText(page.getByTestId('speed'))) === speed, '- did not undo +');
    const before = await eventCount(page);
    await page.keyboard.press('c');
    assert((await eventCount(page)) === before + 1, 'c was not one event');
    assert((await page.getByTestId('event-log').innerText()).includes('client'), 'c sent no client request');
    assert(errors.length === 0, errors.join('\n'));
    await page.close();
  });

  await test('network presets isolate the leader and split the cluster, and heal mends it', async () => {
    const { page, errors } = await open();
    await playUntilLeader(page);
    await page.getByRole('button', { name: 'Isolate the leader' }).click();
    assert((await labels(page)).some((l) => /leader.*isolated/.test(l)), `no isolated leader: ${await labels(page)}`);
    await page.getByRole('button', { name: 'Heal' }).click();
    assert((await labels(page)).every((l) => !/isolated/.test(l)), 'heal left a server isolated');
    await page.getByRole('button', { name: 'Split: the leader with a minority | the rest' }).click();
    const split = await labels(page);
    assert(split.filter((l) => /side A/.test(l)).length === 2 && split.filter((l) => /side B/.test(l)).length === 3, `the split reads ${split}`);
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    // The majority side elects a leader of a higher term: two leaders on screen, one stale.
    await page.waitForFunction(() => [...document.querySelectorAll('svg.stage g.node')].filter((g) => / leader /.test(g.getAttribute('aria-label'))).length === 2, null, { timeout: 20_000 });
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await shot(page, 'network-split');
    assert(errors.length === 0, errors.join('\n'));
    await page.close();
  });

  await test('a new cluster of 7 and a rerun under another seed', async () => {
    const { page, errors } = await open();
    await page.getByRole('combobox', { name: 'Cluster size' }).selectOption('7');
    await page.getByRole('button', { name: 'New cluster' }).click();
    await page.waitForFunction(() => document.querySelectorAll('svg.stage g.node').length === 7, null, { timeout: 5_000 });
    await playUntilLeader(page);
    await page.getByRole('textbox', { name: 'Seed' }).or(page.getByRole('spinbutton', { name: 'Seed' })).fill('42');
    await page.getByRole('button', { name: 'Rerun this scenario with seed' }).click();
    assert((await eventCount(page)) === 0, 'the rerun did not start over');
    assert((await page.locator('svg.stage g.node').count()) === 7, 'the rerun changed the cluster size');
    await shot(page, 'cluster-7');
    assert(errors.length === 0, errors.join('\n'));
    await page.close();
  });

  await test('the address links to the exact moment, with what the person did', async () => {
    const { page, errors } = await open();
    await playUntilLeader(page);
    await page.getByRole('button', { name: /^S\d+ leader/ }).first().click();
    await page.getByRole('menuitem', { name: /^Crash S\d+$/ }).click();
    for (let i = 0; i < 5; i++) await page.getByRole('button', { name: 'Step', exact: true }).click();
    const link = await linkToMoment(page);
    const events = await eventCount(page);
    const state = await labels(page);
    const again = await open(link);
    assert((await eventCount(again.page)) === events, `the link opened at event ${await eventCount(again.page)}, not ${events}`);
    assert(JSON.stringify(await labels(again.page)) === JSON.stringify(state), 'the servers differ when the link is opened');
    assert((await visibleText(again.page.getByTestId('notice'))).includes('link'), 'no notice that a link was opened');
    assert(errors.length === 0 && again.errors.length === 0, [...errors, ...again.errors].join('\n'));
    await page.close();
    await again.page.close();
  });

  await test('a damaged link or an unknown scenario says what is wrong, and the lab still runs', async () => {
    for (const [suffix, expected] of [['#run=not*base64', 'cannot be there'], ['#run=AAAA', 'does not unpack'], ['?scenario=no-such', 'no-such']]) {
      const { page, errors } = await open(suffix);
      const error = await visibleText(page.getByTestId('error'));
      assert(error.includes(expected), `${suffix}: the error reads "${error}"`);
      await playUntilLeader(page);
      assert(errors.length === 0, errors.join('\n'));
      if (suffix === '#run=AAAA') await shot(page, 'bad-link');
      await page.close();
    }
  });

  await test('a link pasted into the address of an open lab opens its run at its moment, and a damaged one keeps the run', async () => {
    const first = await open();
    await playUntilLeader(first.page);
    // A link names an event: the run opens at it (the clock at that event's time, not where
    // the pause caught the clock between two events).
    const events = await eventCount(first.page);
    const fragment = new URL(await linkToMoment(first.page)).hash;
    await first.page.close();
    // Another run, playing: the browser does not reload for a new fragment, so only the lab
    // itself can open what is pasted.
    const { page, errors } = await open('?scenario=raft-split-vote');
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    await page.evaluate(() => { window.notReloaded = true; });
    await page.evaluate((f) => { location.hash = f; }, fragment);
    await page.waitForFunction((n) => document.querySelector('[data-testid=event-count]')?.textContent.includes(`event ${n}`), events, { timeout: appTimeoutMs });
    assert(await page.evaluate(() => window.notReloaded === true), 'the page reloaded');
    await page.getByRole('button', { name: 'Play', exact: true }).waitFor({ timeout: appTimeoutMs });
    assert((await visibleText(page.getByTestId('notice'))).includes('link'), 'no notice that a link was opened');
    assert((await page.getByRole('button', { name: /^S\d+ leader/ }).count()) === 1, 'the linked run, with its leader, is not on the stage');
    const moment = await page.getByTestId('clock').innerText();
    // A damaged one says what a fresh load says about it, and the run stays where it was.
    await page.evaluate(() => { location.hash = '#run=AAAA'; });
    await page.getByTestId('error').waitFor({ timeout: appTimeoutMs });
    const error = await visibleText(page.getByTestId('error'));
    assert(error.includes('does not unpack') && error.includes('unchanged'), `the error reads "${error}"`);
    assert(await page.getByTestId('clock').innerText() === moment && await eventCount(page) === events, 'the run moved');
    await shot(page, 'pasted-damaged-link');
    assert(errors.length === 0, errors.join('\n'));
    await page.close();
  });

  await test('a bad file is reported by name and the current run is kept', async () => {
    const { page, errors } = await open();
    await playUntilLeader(page);
    const events = await eventCount(page);
    await page.getByTestId('import-file').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"protocol": "raft", "nodes": 5, "schedule": [{"at_ms": 1, "crsh": 1}]}') });
    const error = await visibleText(page.getByTestId('error'));
    assert(error.includes('broken.json') && error.includes('schedule[0]') && error.includes('crsh'), `the error reads "${error}"`);
    assert((await eventCount(page)) === events, 'the current run changed');
    await shot(page, 'bad-file');
    assert(errors.length === 0, errors.join('\n'));
    await page.close();
  });

  await test('an exported scenario and trace open again, the trace checked line by line', async () => {
    const { page, errors } = await open();
    await playUntilLeader(page);
    await page.getByRole('button', { name: 'Isolate the leader' }).click();
    for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Step', exact: true }).click();
    const events = await eventCount(page);
    const [scenarioDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export scenario' }).click()]);
    const scenario = JSON.parse(await readFile(await scenarioDownload.path(), 'utf8'));
    assert(scenario.schedule.some((e) => e.after_event !== undefined && e.isolate !== undefined), 'the exported scenario lacks the isolation');
    const [traceDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export trace' }).click()]);
    const tracePath = await traceDownload.path();
    const trace = JSON.parse(await readFile(tracePath, 'utf8'));
    assert(trace.at_event === events && trace.lines.length > events, `the trace stops at ${trace.at_event} with ${trace.lines.length} lines`);
    await page.getByTestId('import-file').setInputFiles({ name: 'trace.json', mimeType: 'application/json', buffer: await readFile(tracePath) });
    const notice = await visibleText(page.getByTestId('notice'));
    assert(notice.includes('replay identically'), `the notice reads "${notice}"`);
    assert((await eventCount(page)) === events, 'the trace did not open at its moment');
    await page.getByTestId('import-file').setInputFiles({ name: 'session.json', mimeType: 'application/json', buffer: await readFile(await scenarioDownload.path()) });
    await page.waitForFunction(() => /event 0\b/.test(document.querySelector('[data-testid=event-count]').textContent), null, { timeout: 5_000 });
    assert(errors.length === 0, errors.join('\n'));
    await page.close();
  });

  await test('embed=1 fits an 800×500 iframe with the panels it names', async () => {
    const p = await openPage(context);
    const src = new URL('?embed=1&autoplay=0&panels=invariants&scenario=raft-leader-crash', baseUrl).href;
    await p.page.setContent(`<!doctype html><body style="margin:0"><iframe title="distlab" src="${src}" width="800" height="500" style="border:0"></iframe></body>`);
    const frame = p.page.frameLocator('iframe');
    await frame.locator('svg.stage g.node').first().waitFor({ timeout: appTimeoutMs });
    assert((await frame.getByRole('button', { name: 'Play', exact: true }).count()) === 1, 'no Play in the embed');
    assert((await frame.getByText('Invariants').count()) >= 1, 'the invariants panel is missing');
    assert((await frame.getByTestId('network-panel').count()) === 0, 'the network panel shows in the embed');
    assert((await frame.getByTestId('event-log').count()) === 0, 'the event log shows in the embed');
    const inner = p.page.frames().find((f) => f.url().includes('embed=1'));
    const overflow = await inner.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert(overflow <= 0, `the embed scrolls sideways by ${overflow}px`);
    const stage = await inner.evaluate(() => document.querySelector('svg.stage').getBoundingClientRect().bottom);
    assert(stage <= 500, `the stage ends at ${stage}px, below the 500px iframe`);
    await frame.getByRole('button', { name: 'Play', exact: true }).click();
    await frame.getByRole('button', { name: /^S\d+ leader/ }).first().waitFor({ timeout: 20_000 });
    await p.page.screenshot({ path: path.join(artifacts, 'embed-800x500.png') });
    // "Open in distlab" opens the full lab in a new tab at the moment on screen (a link holds a
    // moment as an event: step onto one), paused or playing.
    await frame.getByRole('button', { name: 'Pause', exact: true }).click();
    await frame.getByRole('button', { name: 'Step', exact: true }).click();
    const moment = await frame.getByTestId('clock').innerText();
    const open = frame.getByRole('link', { name: /Open in distlab/ });
    const follow = async () => {
      const [tab] = await Promise.all([context.waitForEvent('page'), open.click()]);
      const tabErrors = [];
      tab.on('pageerror', (error) => tabErrors.push(`page error: ${error.message}`));
      await tab.waitForURL(/#run=/, { timeout: appTimeoutMs });
      await tab.locator('svg.stage g.node').first().waitFor({ timeout: appTimeoutMs });
      return { tab, tabErrors };
    };
    const paused = await follow();
    await paused.tab.waitForFunction((m) => document.querySelector('[data-testid=clock]')?.innerText === m, moment, { timeout: appTimeoutMs });
    assert(paused.tabErrors.length === 0, paused.tabErrors.join('\n'));
    await paused.tab.close();
    await frame.getByRole('button', { name: 'Play', exact: true }).click();
    const playing = await follow();
    assert(playing.tabErrors.length === 0, playing.tabErrors.join('\n'));
    await playing.tab.close();
    assert(p.errors.length === 0, p.errors.join('\n'));
    await p.page.close();
  });

  await test('at 375 px wide a tap on a server opens its actions, and nothing scrolls sideways', async () => {
    const browser = await launch();
    const phone = await browser.newContext({ viewport: { width: 375, height: 740 }, hasTouch: true, isMobile: true });
    try {
      const page = await phone.newPage();
      await page.goto(baseUrl, { waitUntil: 'load' });
      await page.locator('svg.stage g.node').first().waitFor({ timeout: appTimeoutMs });
      await page.locator('svg.stage g.node').nth(1).tap();
      await page.getByRole('menuitem', { name: 'Crash S2' }).waitFor({ timeout: 5_000 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      await page.screenshot({ path: path.join(artifacts, 'phone-375.png'), fullPage: true });
      assert(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
    } finally {
      await phone.close();
      await browser.close();
    }
  });

  await test('every control has a name, and reduced motion turns transitions off', async () => {
    const { page, errors } = await open();
    await page.getByRole('button', { name: /^S1 / }).click();
    const unnamed = await page.evaluate(() => {
      const name = (e) => (e.getAttribute('aria-label') || e.getAttribute('aria-labelledby') || e.textContent || e.getAttribute('title') || '').trim()
        || (e.id && document.querySelector(`label[for="${e.id}"]`)?.textContent.trim()) || e.closest('label')?.textContent.trim();
      return [...document.querySelectorAll('button, input, select, [role=button], [tabindex="0"]')]
        .filter((e) => e.offsetParent !== null || e.closest('svg'))
        .filter((e) => e.type !== 'file' && !name(e)).map((e) => e.outerHTML.slice(0, 80));
    });
    assert(unnamed.length === 0, `controls without a name: ${unnamed.join(' | ')}`);
    await page.emulateMedia({ reducedMotion: 'reduce' });
    const transition = await page.evaluate(() => getComputedStyle(document.querySelector('button')).transitionDuration);
    assert(transition === '0s', `with reduced motion a button's transition lasts ${transition}`);
    assert(errors.length === 0, errors.join('\n'));
    await page.close();
  });

  await test('the space-time diagram draws the messages of the run', async () => {
    const { page, errors } = await open();
    await playUntilLeader(page);
    const arrows = await page.getByTestId('spacetime').locator('line, path').count();
    assert(arrows >= 10, `the diagram has ${arrows} lines`);
    assert(errors.length === 0, errors.join('\n'));
    await page.close();
  });

  await test('a panel out of sight is not redrawn while the run plays; it catches up when scrolled to, and on pause', async () => {
    const { page, errors } = await open();
    const log = page.getByTestId('event-log');
    const newest = async () => (await log.locator('ol li').first().innerText()).trim();
    const clockEvents = () => page.evaluate(() => Number(document.querySelector('[data-testid=event-count]')?.textContent.match(/\d+/)?.[0] ?? NaN));
    await page.evaluate(() => window.scrollTo(0, 0));
    const before = await newest();
    const eventsBefore = await clockEvents();
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=event-count]')?.textContent.match(/\d+/)?.[0]) >= n + 10, eventsBefore, { timeout: 20_000 });
    // The event log is below the fold of a 1024×640 window: ten events on, it has not moved.
    assert(await newest() === before, `the event log out of sight was redrawn: "${await newest()}" (it read "${before}")`);
    await log.scrollIntoViewIfNeeded();
    await page.waitForFunction((b) => document.querySelector('[data-testid=event-log] ol li')?.textContent.trim() !== b, before, { timeout: 5_000 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForTimeout(500);
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    // Paused, every panel shows the moment on screen, in sight or not.
    const last = Number((await newest()).match(/^\d+/)?.[0]);
    const events = await clockEvents();
    assert(last === events, `paused at event ${events}, the event log's newest line is event ${last}`);
    assert(errors.length === 0, errors.join('\n'));
    await page.close();
  });

  await test('while playing, messages the network loses fade on the stage, the diagram out of sight or not', async () => {
    const { page, errors } = await open('?scenario=raft-tour');
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    await page.locator('svg.stage g.dropped g.msg.lost').first().waitFor({ state: 'attached', timeout: 30_000 });
    assert(await page.getByRole('button', { name: 'Pause', exact: true }).isVisible(), 'the run stopped');
    assert(errors.length === 0, errors.join('\n'));
    await page.close();
  });

  await test('playing does not keep every frame\'s state: the wasm memory stays flat', async () => {
    // The frame loop once held a reducer handle, which keeps every state it reads: about 60 KB
    // a second of wasm memory while playing. The run's own trace grows a few KB a second.
    const p = await openPage(context);
    await p.page.addInitScript(() => {
      for (const name of ['instantiateStreaming', 'instantiate']) {
        const original = WebAssembly[name];
        WebAssembly[name] = async (...args) => {
          const result = await original.apply(WebAssembly, args);
          const exports = (result.instance ?? result).exports;
          if (exports?.memory) window.__labMemory = exports.memory;
          return result;
        };
      }
    });
    const { page, errors } = p;
    await page.goto(new URL('?autoplay=0', baseUrl).href, { waitUntil: 'load' });
    await page.locator('svg.stage g.node').first().waitFor({ timeout: appTimeoutMs });
    const bytes = () => page.evaluate(() => window.__labMemory?.buffer.byteLength ?? NaN);
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    await page.waitForTimeout(2_000);
    const before = await bytes();
    await page.waitForTimeout(15_000);
    const grown = (await bytes()) - before;
    assert(Number.isFinite(grown), 'the wasm memory was not found');
    assert(grown <= 512 * 1024, `15 s of playing grew the wasm memory by ${Math.round(grown / 1024)} KB`);
    assert(errors.length === 0, errors.join('\n'));
    await page.close();
  });

  await test('two-phase commit blocks while the coordinator is down; three-phase commit breaks under a partition', async () => {
    const { page, errors } = await open('?scenario=2pc-coordinator-crash-after-commit');
    await page.getByRole('slider', { name: 'Speed' }).fill('200');
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    // Watch the table (a panel out of sight is not refreshed while the run plays).
    await page.getByTestId('tx-view').scrollIntoViewIfNeeded();
    // S1 crashes at its first Commit: the participants sit prepared, holding their locks.
    await page.getByRole('button', { name: /^S1 down/ }).waitFor({ timeout: 20_000 });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=tx-row] td.prepared').length === 3, null, { timeout: 20_000 });
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    const row = await visibleText(page.getByTestId('tx-row').first());
    assert(/committed/.test(row) && /uncertain \d+ ms/.test(row) && /locks/.test(row), `the transaction row reads "${row}"`);
    assert((await labels(page)).slice(1).every((l) => /participant, T1 prepared, uncertain for/.test(l)), `participants: ${await labels(page)}`);
    await shot(page, 'twopc-blocked');
    await page.getByRole('combobox', { name: 'Scenario' }).selectOption('3pc-partition-flaw.json');
    // Fetched (the page carries only its default scenario): wait until it is the run shown.
    await page.waitForFunction(() => document.querySelector('[data-testid=guide] .guide-title')?.textContent.includes('partition'), null, { timeout: appTimeoutMs });
    await page.getByRole('slider', { name: 'Speed' }).fill('300');
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    await page.getByText('BROKEN').first().waitFor({ timeout: 60_000 });
    const broken = await visibleText(page.locator('section.invariants li.broken').first());
    assert(/Atomicity/.test(broken), `the broken invariant reads "${broken}"`);
    await page.locator('[data-testid=tx-row] td.violating').first().waitFor({ timeout: 5_000 });
    await shot(page, 'threepc-partition-flaw');
    assert(errors.length === 0, errors.join('\n'));
    await page.close();
  });

  await test('each family of protocols is its own page: a Raft page fetches only Raft, and a 2PC choice or link moves to the commit page', async () => {
    const p = await openPage(context);
    const { page, errors } = p;
    const wasm = [];
    page.on('request', (r) => { if (r.url().endsWith('.wasm')) wasm.push(new URL(r.url()).pathname); });
    await page.goto(new URL('?embed=0', baseUrl).href, { waitUntil: 'load' });
    await page.locator('svg.stage g.node').first().waitFor({ timeout: appTimeoutMs });
    assert(wasm.length === 1 && /^\/distlab-web-[0-9a-f]+_bg\.wasm$/.test(wasm[0]), `the Raft page fetched ${wasm.join(', ')}`);
    // Choosing a 2PC scenario moves to the commit page, keeping the other keys of the address.
    await page.getByRole('combobox', { name: 'Scenario' }).selectOption('2pc-one-votes-no.json');
    await page.waitForURL(/\?lab=commit&embed=0&scenario=2pc-one-votes-no\.json$/, { timeout: appTimeoutMs });
    await page.getByRole('button', { name: /^S1 coordinator/ }).waitFor({ timeout: appTimeoutMs });
    assert(wasm.at(-1) === '/distlab-web-commit_bg.wasm', `the commit page fetched ${wasm.join(', ')}`);
    // The commit page carries only its default scenario; this one it fetches.
    await page.waitForFunction(() => document.querySelector('select[aria-label=Scenario]')?.value === '2pc-one-votes-no.json', null, { timeout: appTimeoutMs });
    // Back on the Raft page, whether the browser restores it as it was left (its back-forward
    // cache) or loads it again, the page stays there and no longer says it is leaving.
    // No wait for "load": a page restored from the cache does not fire it.
    await page.goBack({ waitUntil: 'commit' });
    await page.waitForURL(/\/\?embed=0(#|$)/, { timeout: appTimeoutMs });
    await page.locator('svg.stage g.node').first().waitFor({ timeout: appTimeoutMs });
    await page.waitForTimeout(500);
    const leavingNotice = await page.getByTestId('notice').count() ? await page.getByTestId('notice').innerText() : '';
    assert(!/Opening the/.test(leavingNotice), `back on the Raft page it still says "${leavingNotice}"`);
    assert(/\/\?embed=0(#|$)/.test(page.url()), `back on the Raft page, it moved on to ${page.url()}`);
    await page.goForward({ waitUntil: 'commit' });
    await page.waitForURL(/\?lab=commit&embed=0&scenario=2pc-one-votes-no\.json(#|$)/, { timeout: appTimeoutMs });
    await page.getByRole('button', { name: /^S1 coordinator/ }).waitFor({ timeout: appTimeoutMs });
    // Its link, opened on the Raft page's address, comes back to the commit page at the same moment.
    for (let i = 0; i < 5; i++) await page.getByRole('button', { name: 'Step', exact: true }).click();
    const moment = await page.getByTestId('clock').innerText();
    const fragment = new URL(await linkToMoment(page)).hash;
    assert(fragment.startsWith('#run='), `the address holds no link: ${page.url()}`);
    await page.goto(new URL(`?${fragment}`.replace('?#', '#'), baseUrl).href, { waitUntil: 'load' });
    await page.waitForURL(/\?lab=commit#run=/, { timeout: appTimeoutMs });
    await page.getByRole('button', { name: /^S1 coordinator/ }).waitFor({ timeout: appTimeoutMs });
    await page.waitForFunction((m) => document.querySelector('[data-testid=clock]')?.innerText === m, moment, { timeout: appTimeoutMs });
    assert(new URL(page.url()).hash === fragment, 'the reopened run is not at the shared moment');
    // Back goes to the Raft page the choice was made on, not to the redirect.
    await page.goBack({ waitUntil: 'load' });
    await page.waitForURL(/scenario=2pc-one-votes-no/, { timeout: appTimeoutMs });
    assert(errors.length === 0, errors.join('\n'));
    await page.close();
  });

  await test('a file of another family opened on the Raft page moves to that page carrying the run in a link', async () => {
    const { page, errors } = await open();
    const text = await readFile(new URL('../../scenarios/3pc-all-yes.json', import.meta.url), 'utf8');
    await page.getByTestId('import-file').setInputFiles({ name: 'mine.json', mimeType: 'application/json', buffer: Buffer.from(text) });
    await page.waitForURL(/\?lab=commit&autoplay=0#run=/, { timeout: appTimeoutMs });
    await page.getByRole('button', { name: /^S1 coordinator/ }).waitFor({ timeout: appTimeoutMs });
    assert((await visibleText(page.getByTestId('notice'))).includes('link'), 'no notice that the run came as a link');
    assert(errors.length === 0, errors.join('\n'));
    await page.close();
  });

  await test('a browser without CompressionStream still makes links that open: the address and the share dialog\'s', async () => {
    const { page, errors } = await openPage(context);
    await page.addInitScript(() => { delete globalThis.CompressionStream; });
    await page.goto(new URL('?autoplay=0', baseUrl).href, { waitUntil: 'load' });
    await page.locator('svg.stage g.node').first().waitFor({ timeout: appTimeoutMs });
    for (let i = 0; i < 12; i++) await page.getByRole('button', { name: 'Step', exact: true }).click();
    const link = await linkToMoment(page);
    const events = await eventCount(page);
    await page.getByRole('button', { name: 'Link to this moment' }).click();
    const shared = await page.getByTestId('share-link').inputValue();
    assert(new URL(shared).hash === new URL(link).hash, `the dialog's link ${shared.slice(0, 80)}… is not the address's`);
    const again = await open(link);
    assert((await eventCount(again.page)) === events, `the link opened at event ${await eventCount(again.page)}, not ${events}`);
    assert(errors.length === 0 && again.errors.length === 0, [...errors, ...again.errors].join('\n'));
    await page.close();
    await again.page.close();
  });

  await test('Paxos: a value is marked chosen before any learner knows it, and the acceptors table shows promises, votes and learn times', async () => {
    const { page, errors } = await open('?scenario=paxos-chosen-unannounced');
    await page.waitForURL(/\?lab=paxos&autoplay=0&scenario=paxos-chosen-unannounced/, { timeout: appTimeoutMs });
    await page.getByTestId('acceptor-view').waitFor({ timeout: appTimeoutMs });
    await page.getByRole('slider', { name: 'Speed' }).fill('150');
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    await page.getByTestId('acceptor-view').scrollIntoViewIfNeeded();
    // Chosen (a majority accepted one ballot) while no learner has heard: the table says so.
    await page.locator('[data-testid=slot-row] .unknown').waitFor({ timeout: 30_000 });
    await page.locator('.scrubber .tick.mark-chosen').waitFor({ timeout: 5_000 });
    await shot(page, 'paxos-chosen-unknown');
    // Later every learner learns it, each with its moment.
    await page.waitForFunction(() => (document.querySelector('[data-testid=slot-row]')?.innerText.match(/S\d at /g) ?? []).length >= 4, null, { timeout: 60_000 });
    const row = await visibleText(page.getByTestId('slot-row').first());
    assert(/A in ballot \d+\.\d+/.test(row) && /by S\d/.test(row), `the chosen row reads "${row}"`);
    const promised = await page.locator('[data-testid=acceptor-row] td.ballot').allInnerTexts();
    assert(promised.length === 5 && promised.every((b) => /^\d+\.\d+$/.test(b)), `promises: ${promised}`);
    assert((await page.locator('.scrubber .tick.mark-learned').count()) >= 1, 'no learned mark on the time line');
    assert(errors.length === 0, errors.join('\n'));
    await page.close();
  });

  await test('compare mode: Multi-Paxos and Raft side by side on one clock, a crash applied to both, figures for each', async () => {
    const { page, errors } = await open('?lab=paxos&scenario=multipaxos-leader-change');
    await page.getByRole('combobox', { name: 'Compare with' }).selectOption({ label: 'Raft on the same run' });
    const twin = page.getByTestId('twin');
    await twin.waitFor({ timeout: appTimeoutMs });
    await page.getByRole('slider', { name: 'Speed' }).fill('150');
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    await twin.getByRole('img', { name: /^S\d+ leader/ }).waitFor({ timeout: 30_000 });
    // The second run follows the first's commands: its servers are not buttons of their own.
    assert((await twin.getByRole('button').count()) === 0, 'the second stage has buttons');
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    // Crashing S2 from the first run's menu crashes it in the second too.
    await page.locator('.stages figure').first().getByRole('button', { name: /^S2 / }).click();
    await page.getByRole('menuitem', { name: 'Crash S2' }).click();
    await twin.getByRole('img', { name: /^S2 down/ }).waitFor({ timeout: 5_000 });
    await page.locator('.stages figure').first().getByRole('button', { name: /^S2 down/ }).waitFor({ timeout: 5_000 });
    const metrics = await visibleText(page.getByTestId('compare-metrics'));
    const sent = metrics.split('\n').find((l) => l.startsWith('messages sent'))?.split('\t').slice(1).map(Number) ?? [];
    assert(sent.length === 2 && sent.every((n) => n > 0) && sent[0] !== sent[1], `messages sent: ${metrics}`);
    assert(/Raft on the same run/.test(metrics) && /commit latency p50/.test(metrics), metrics);
    await shot(page, 'compare-multipaxos-raft');
    await page.getByRole('combobox', { name: 'Compare with' }).selectOption({ label: 'nothing' });
    await twin.waitFor({ state: 'detached', timeout: 5_000 });
    assert(errors.length === 0, errors.join('\n'));
    await page.close();
  });

  await test('load balancing: backends with slots and queues, shares and latency charted, a removal moves keys on the ring, and two strategies compared on one workload', async () => {
    const { page, errors } = await open('?scenario=balancer-ring-hash-add-backend');
    await page.waitForURL(/\?lab=balancer&autoplay=0&scenario=balancer-ring-hash-add-backend/, { timeout: appTimeoutMs });
    await page.getByRole('button', { name: /^S1 balancer/ }).waitFor({ timeout: appTimeoutMs });
    await page.getByRole('slider', { name: 'Speed' }).fill('200');
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    await page.getByTestId('balancer-view').scrollIntoViewIfNeeded();
    // S12 joins at 2 s: about 1/11 of the keys move, all to S12.
    const move = page.getByTestId('last-move');
    await move.waitFor({ timeout: 60_000 });
    const moved = await visibleText(move);
    const fraction = Number(moved.match(/\(([\d.]+) %\)/)?.[1]);
    assert(/^add S12/.test(moved) && fraction > 7 && fraction < 11.1 && /, to S12 \d+$/.test(moved), `the move reads "${moved}"`);
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    assert((await page.locator('svg.stage g.load rect.slot').count()) >= 11 * 4, 'every backend shows its slots');
    assert((await page.getByTestId('backend-bar').count()) === 11, 'a bar per backend');
    assert((await page.locator('.latency-chart polyline').count()) === 3, 'p50, p95 and p99 over time');
    assert((await page.locator('svg.stage .key-space.ring path.arc.moved').count()) === 1, 'S12\'s arcs are the moved ones, on the stage\'s ring');
    // Each backend's row: its requests in flight and its queue over the latest seconds.
    const sparks = () => page.getByTestId('backend-bar').evaluateAll((rows) => rows.map((r) => ({
      label: r.querySelector('svg.spark')?.getAttribute('aria-label') ?? '',
      line: r.querySelector('svg.spark path.in-flight')?.getAttribute('d') ?? '',
    })));
    assert((await page.getByRole('img', { name: /^S\d+: in flight up to \d+, latest \d+; queue up to \d+, latest \d+$/ }).count()) === 11, 'a sparkline per backend, named by what it shows');
    const before = await sparks();
    assert(before.length === 11 && before.every((s) => /^M\d+ \d+L\d+ \d+/.test(s.line)), `every sparkline has a line: ${JSON.stringify(before.slice(0, 3))}`);
    assert(before.some((s) => !/in flight up to 0,/.test(s.label)), `requests were in flight somewhere: ${before.map((s) => s.label).join(' | ')}`);
    assert(/on one scale for all: 0 to \d+ at the dashed line/.test(await visibleText(page.getByText(/one scale for all/))), 'the shared scale is said');
    await shot(page, 'balancer-ring');
    // An operator removes S5: only its keys move.
    await page.getByRole('button', { name: 'Remove S5' }).click();
    await page.getByRole('button', { name: 'Step', exact: true }).click();
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    await page.waitForFunction(() => /^remove S5/.test(document.querySelector('[data-testid=last-move]')?.innerText ?? ''), null, { timeout: 30_000 });
    await page.waitForTimeout(500);
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    // Where S5's keys were: its former arcs, dashed inside the ring.
    assert((await page.locator('svg.stage .key-space.ring g.left path.arc').count()) === 1, 'S5\'s former arcs are drawn');
    assert((await page.getByRole('img', { name: /where the arcs of S5 were before it left/ }).count()) === 1, 'the ring says whose arcs are dashed');
    const after = await sparks();
    assert(after.length === 11 && after.every((s) => s.line.length > 0), 'every backend keeps its sparkline');
    assert(after.filter((s, i) => s.line !== before[i].line).length >= 10, 'the sparklines moved on while playing');
    await shot(page, 'balancer-ring-removed');
    // The same workload under least connections, side by side.
    await page.getByRole('combobox', { name: 'Compare with' }).selectOption({ label: 'least connections on the same workload' });
    await page.getByTestId('twin').waitFor({ timeout: appTimeoutMs });
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    await page.waitForTimeout(1500);
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    const metrics = await visibleText(page.getByTestId('compare-metrics'));
    const received = metrics.split('\n').find((l) => l.startsWith('received'))?.split('\t').slice(1) ?? [];
    assert(received.length === 2 && Number(received[0]) > 0 && received[0] === received[1], `the same requests arrive under both: ${metrics}`);
    await shot(page, 'balancer-compare');
    // The settings form: another strategy, rate and skew start the run over with them.
    await page.getByRole('combobox', { name: 'Strategy' }).selectOption('maglev');
    await page.getByRole('spinbutton', { name: 'Requests per second' }).fill('800');
    await page.getByRole('spinbutton', { name: 'Zipf skew (0 uniform)' }).fill('1.1');
    await page.getByRole('spinbutton', { name: 'Zipf skew (0 uniform)' }).press('Tab');
    await page.getByRole('spinbutton', { name: 'Requests per second' }).press('Tab');
    await page.getByRole('button', { name: 'Apply (starts over)' }).click();
    await page.getByText('Started over with the new settings').waitFor({ timeout: appTimeoutMs });
    const heading = await visibleText(page.getByTestId('balancer-view').getByRole('heading', { level: 2 }));
    assert(/Maglev/.test(heading), `the panel reads "${heading}"`);
    assert((await page.getByTestId('clock').innerText()).startsWith('0'), 'the run starts over');
    assert(await page.locator('svg.stage .key-space.strip rect.cell').count() > 0, "Maglev's table is shown on the stage");
    assert(errors.length === 0, errors.join('\n'));
    await page.close();
  });

  await test('a breakpoint pauses the run when S1 sends Commit', async () => {
    const { page, errors } = await open('?scenario=2pc-all-yes');
    await page.getByRole('combobox', { name: 'Breakpoint server' }).selectOption('1');
    await page.getByRole('combobox', { name: 'Breakpoint message type' }).selectOption('Commit');
    await page.getByRole('button', { name: 'Set breakpoint' }).click();
    assert((await visibleText(page.getByTestId('breakpoint-current'))).includes('S1 sends Commit'), 'the breakpoint is not shown');
    await page.getByRole('button', { name: 'Play', exact: true }).click();
    const notice = await visibleText(page.getByTestId('notice'));
    assert(/Breakpoint: S1 sent Commit/.test(notice), `the notice reads "${notice}"`);
    assert(await page.getByRole('button', { name: 'Play', exact: true }).isVisible(), 'the run did not pause');
    const log = await page.getByTestId('event-log').innerText();
    assert(/send m\d+ S1->S\d Commit T\d+/.test(log), 'the Commit send is not in the log');
    await shot(page, 'breakpoint');
    assert(errors.length === 0, errors.join('\n'));
    await page.close();
  });
}
