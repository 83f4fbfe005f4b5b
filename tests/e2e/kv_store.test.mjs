// The key-value store page, end to end: play the run, crash a server from the fault panel and see
// its mark on the space-time diagram, skew a clock and slow a link, restore exactly the same run from the permalink, flip the
// quorum rule, run an experiment, and survive a damaged link; run the PBS curve on chosen links, prune
// clocks, and read the vector-clock view when there is nothing to compare and under last write wins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, visit, assertClean, PHONE } from '../support/browser.mjs';

let browser;
let site;
useBrowser((b, s) => ([browser, site] = [b, s]));

const clock = async (page) => (await page.locator('.sim-time').textContent()).trim();
const figures = async (page) => (await page.locator('.kv-figures').textContent()).replace(/\s+/g, ' ').trim();

test('kv store: play, crash a server from the UI, and the permalink restores the same run', async () => {
  const { context, page, problems } = await openPage(browser, site);
  await visit(page, site, '');
  await page.click('.cards a:text("Key-value store")');
  await page.waitForSelector('.spacetime svg');
  assert.match(await clock(page), /^0 ns of 10 s · event 0$/);

  // Play for a moment, then pause: simulated time has passed and messages are drawn.
  await page.click('.sim-controls button.play');
  await page.waitForFunction(() => Number(document.querySelector('.sim-time').textContent.match(/event ([\d,]+)$/)[1].replace(/,/g, '')) > 30);
  await page.click('.sim-controls button.play');
  assert.ok((await page.locator('.spacetime g.msg').count()) > 0, 'messages on the diagram');
  // The latency histogram draws what has been answered so far.
  assert.match(await page.locator('.kv-charts figcaption').first().textContent(), /^Latency of the [\d,]+ reads and [\d,]+ writes answered so far/);

  // Crash S1 from the fault panel: the button turns into Recover, the lane shows the crash.
  await page.click('.kv-faults button[data-server="S1"]');
  await page.waitForSelector('.kv-faults button.recover[data-server="S1"]');
  assert.equal(await page.locator('.spacetime .mark.crash').count(), 1);
  assert.match(page.url(), /#\/kv-store\?s=v1\./);

  // Put S2's clock 50 ms behind and make the S1–S3 link cross-region, both ways.
  await page.selectOption('#kv-skew-server', '1');
  await page.selectOption('#kv-skew', '-50000');
  await page.selectOption('#kv-link-to', '2');
  await page.selectOption('#kv-link-preset', 'cross-region');
  await page.click('#kv-link-set');
  const faults = async (p) => (await p.locator('.kv-faults').textContent()).replace(/\s+/g, ' ');
  assert.match(await faults(page), /S2 50 ms behind/);
  assert.match(await faults(page), /S1 → S3: 75 ms median, S3 → S1: 75 ms median/);

  // Step a few events past the crash, then read a message's contents.
  for (let i = 0; i < 5; i++) await page.click('.sim-controls button:text("Next event")');
  const here = await clock(page);
  const shown = await figures(page);
  // A message is a focusable button on the diagram: Enter opens its contents.
  await page.locator('.spacetime g.msg').last().focus();
  await page.keyboard.press('Enter');
  assert.match(await page.locator('.msg-detail').textContent(), /^Message \d+: \S+ → \S+, sent at /);

  // The link reproduces the run, the crash and the position.
  const link = page.url();
  const other = await openPage(browser, site);
  await other.page.goto(link);
  await other.page.waitForSelector('.spacetime svg');
  assert.equal(await clock(other.page), here);
  assert.equal(await figures(other.page), shown);
  assert.equal(await other.page.locator('.kv-faults button.recover[data-server="S1"]').count(), 1);
  assert.match(await faults(other.page), /S2 50 ms behind.*S1 → S3: 75 ms median/);
  await assertClean(other.page, other.problems);
  await other.context.close();

  // Step back by one event.
  const eventOf = (text) => Number(text.match(/event ([\d,]+)$/)[1].replace(/,/g, ''));
  await page.click('.sim-controls button:text("Previous event")');
  assert.equal(eventOf(await clock(page)), eventOf(here) - 1);

  await assertClean(page, problems);
  await context.close();
});

test('kv store: W + R against N, an experiment, and a damaged link', async () => {
  const { context, page, problems } = await openPage(browser, site, PHONE);
  await visit(page, site, '#/kv-store');
  await page.waitForSelector('.rule.ok');
  await page.selectOption('#kv-w', '1');
  await page.selectOption('#kv-r', '1');
  await page.waitForSelector('.rule.stale');
  assert.match(await page.locator('.rule').textContent(), /W \+ R = 1 \+ 1 = 2 ≤ N = 3/);
  // Run the whole 10 s: the time series spans it in 100 ms steps.
  await page.click('.sim-controls button:text("Run to end")');
  await page.waitForSelector('.kv-charts figure:nth-child(2)');
  assert.match(await page.locator('.kv-charts figcaption').nth(1).textContent(), /in steps of 100 ms/);
  assert.match(await page.locator('.kv-charts figure').nth(1).textContent(), /answered.*failed.*stale reads/);

  const card = page.locator('.experiment').first();
  await card.locator('button').click();
  await card.locator('.verdict').waitFor();
  assert.match(await card.locator('.measured').textContent(), /^0 stale reads of [\d,]+$/);
  assert.match(await card.locator('.verdict').textContent(), /Reproduced/);
  await assertClean(page, problems);

  await page.goto(site.url('#/kv-store?s=v1.not-a-scenario'));
  await page.waitForSelector('.page.kv [role="alert"]');
  assert.match(await page.locator('.page.kv [role="alert"]').textContent(), /The link's scenario/);
  await assertClean(page, problems);
  await context.close();

  // A step past the end of the run (whose timers never stop) is refused with a sentence, and the
  // page shows the end instead of running on forever.
  const far = await openPage(browser, site);
  await far.page.goto(site.url('#/kv-store?step=18446744073709551615'));
  await far.page.waitForSelector('.page.kv [role="alert"]');
  assert.match(
    await far.page.locator('.page.kv [role="alert"]').textContent(),
    /^The link's step 18,446,744,073,709,551,615 is past the end of the run \([\d,]+ events in 10 s\); showing the last of them\.$/,
  );
  assert.match(await clock(far.page), /^10 s of 10 s · event [\d,]+$/);
  await assertClean(far.page, far.problems);
  await far.context.close();
});

test('kv store: the PBS curve on chosen links, pruned clocks and the vector-clock view', async () => {
  const { context, page, problems } = await openPage(browser, site);
  await visit(page, site, '#/kv-store');
  await page.waitForSelector('.spacetime svg');
  // Before any event no replica holds k0: the clock view says there is nothing to compare.
  assert.equal(
    (await page.locator('.key-inspector .clock-same').textContent()).trim(),
    'No replica holds a version of this key yet: nothing to compare.',
  );

  // The PBS experiment on cross-region links: the choice goes into the link, and the time axis
  // is the links' own (32 one-way delays of 75 ms = 2.4 s).
  await page.selectOption('#kv-pbs-preset', 'region');
  await page.waitForFunction(() => location.href.includes('pbs=region-pareto'));
  const card = page.locator('.experiment', { has: page.locator('#kv-pbs-preset') });
  await card.locator('button').click();
  await card.locator('.verdict').waitFor();
  assert.match(await card.locator('.verdict').textContent(), /Reproduced/);
  assert.match(await card.locator('figcaption').textContent(), /links cross-region, Pareto tail\)$/);
  assert.match(await card.locator('svg[role="img"]').textContent(), /2\.4 s/);
  // Choosing another shape clears the verdict (it was for the other links).
  await page.selectOption('#kv-pbs-shape', 'constant');
  await page.waitForFunction(() => location.href.includes('pbs=region-constant'));
  await card.locator('.verdict').waitFor({ state: 'detached' });

  // Prune clocks to one entry: a restart that keeps the PBS choice, and entries get pruned.
  await page.selectOption('#kv-prune', '1');
  await page.waitForFunction(() => location.href.includes('s=v1.'));
  assert.match(page.url(), /pbs=region-constant/);
  await page.click('.sim-controls button:text("Run to end")');
  await page.waitForFunction(() => /^10 s of 10 s/.test(document.querySelector('.sim-time').textContent.trim()));
  assert.match(await page.locator('[data-figure="pruned"]').textContent(), /^✂ [1-9][\d,]* clock entries pruned$/);

  // Last write wins: no clocks to prune, and the clock view says what it compares instead.
  await page.selectOption('#kv-versioning', 'lww');
  await page.waitForSelector('#kv-prune:disabled');
  await page.locator('.key-inspector p.note', { hasText: 'Last write wins keeps no vector clock' }).waitFor();
  await page.click('.sim-controls button:text("Run to end")');
  await page.waitForFunction(() => /^10 s of 10 s/.test(document.querySelector('.sim-time').textContent.trim()));
  const compared = (await page.locator('.key-inspector .clock-same, .key-inspector .clock-pairs').textContent()).trim();
  assert.match(compared, / at [\d.]+ (ns|µs|ms|s)(: nothing to compare\.| vs )/);
  await assertClean(page, problems);
  await context.close();
});
