// The rate-limiting page, end to end: reach it and play the timeline, read the counts and the
// responses of a burst at a window edge from a deep link, step with the keyboard, bad input, the
// distributed gateways and two experiments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, visit, assertClean } from '../support/browser.mjs';

let browser;
let site;
useBrowser((b, s) => ([browser, site] = [b, s]));

/** A cell of the live counts: the row of `algorithm`, the column headed `column`. */
async function count(page, algorithm, column) {
  const headers = (await page.locator('table.rl-counts thead th').allTextContents()).map((h) => h.trim());
  const index = headers.indexOf(column);
  assert.ok(index >= 0, `no column ${column} in ${headers}`);
  const row = page.locator('table.rl-counts tbody tr', { has: page.locator(`th:text-is("${algorithm}")`) });
  return (await row.locator('th, td').nth(index).textContent()).trim();
}

/** The response text an algorithm gave in the inspector. */
async function response(page, short) {
  const item = page.locator('.rl-response', { has: page.locator(`strong:text-is("${short}")`) });
  return (await item.locator('pre.rl-http').textContent()).trim();
}

test('rate-limit page: reached by clicking, plays, and its clock lives in the URL', async () => {
  const { context, page, problems } = await openPage(browser, site);
  await visit(page, site, '');
  await page.click('.cards a:text("Rate limiting")');
  await page.waitForSelector('table.rl-counts');
  assert.match(page.url(), /#\/rate-limit/);
  assert.equal(await page.locator('.rl-lane').count(), 6);
  await page.click('button.play');
  await page.waitForFunction(() => /[?&]t=\d{3,}/.test(location.hash));
  await page.click('button.play');
  const t = Number(new URL(page.url().replace('#', '')).searchParams.get('t'));
  assert.ok(t >= 100, `the clock moved: ${t}`);
  const sent = Number((await count(page, 'Sliding log', 'Allowed')).replace(/,/g, ''))
    + Number((await count(page, 'Sliding log', 'Denied')).replace(/,/g, ''));
  assert.ok(sent > 0, 'requests were decided');
  await assertClean(page, problems);
  await context.close();
});

test('rate-limit page: a burst at the window edge, from a deep link, counted and inspected', async () => {
  const { context, page, problems } = await openPage(browser, site);
  // Five requests just before the edge at 1 s, five just after; request #5 is the first after it.
  await visit(page, site, '#/rate-limit?traffic=edge&t=1500&req=5');
  await page.waitForSelector('table.rl-counts');
  assert.equal(await count(page, 'Fixed window', 'Allowed'), '10');
  assert.equal(await count(page, 'Fixed window', 'Most in 1 s'), '10');
  assert.equal(await count(page, 'Sliding log', 'Allowed'), '5');
  assert.equal(await count(page, 'Sliding log', 'Denied'), '5');
  assert.equal(await count(page, 'Sliding log', 'Most in 1 s'), '5');
  assert.match(await page.locator('.rl-inspector h3').textContent(), /request #5/);
  assert.equal(
    await response(page, 'Fixed window'),
    'HTTP/1.1 200 OK\nX-Ratelimit-Limit: 5\nX-Ratelimit-Remaining: 4',
  );
  assert.equal(
    await response(page, 'Sliding log'),
    'HTTP/1.1 429 Too Many Requests\nRetry-After: 1\nX-Ratelimit-Limit: 5\nX-Ratelimit-Remaining: 0\nX-Ratelimit-Retry-After: 1',
  );
  // The previous request is the last one before the edge: admitted everywhere.
  await page.click('button:text("Earlier request")');
  assert.match(await page.locator('.rl-inspector h3').textContent(), /request #4/);
  assert.match(page.url(), /req=4/);
  assert.match(await response(page, 'Sliding log'), /^HTTP\/1.1 200 OK/);
  // The state view shows the log's five timestamps.
  const log = page.locator('.rl-state-item', { has: page.locator('h4:text-is("Sliding window log")') });
  assert.match(await log.locator('.rl-figure').textContent(), /^5 timestamps in the log$/);
  await assertClean(page, problems);
  await context.close();
});

test('rate-limit page: the arrow key steps to the next request', async () => {
  const { context, page, problems } = await openPage(browser, site);
  await visit(page, site, '#/rate-limit?traffic=edge&t=1500');
  await page.waitForSelector('table.rl-counts');
  await page.locator('h1').click();
  await page.keyboard.press('ArrowRight');
  // The next burst starts at 2,919 ms (the last tenth of the window before the edge at 3 s).
  await page.waitForFunction(() => /[?&]t=2919/.test(location.hash));
  assert.equal(await count(page, 'Fixed window', 'Allowed'), '11');
  await page.keyboard.press('ArrowLeft');
  await page.waitForFunction(() => /[?&]t=1080/.test(location.hash));
  await assertClean(page, problems);
  await context.close();
});

test('rate-limit page: bad input gets a message and the run keeps going', async () => {
  const { context, page, problems } = await openPage(browser, site);
  await visit(page, site, '#/rate-limit');
  await page.waitForSelector('#rl-limit');
  await page.fill('#rl-limit', 'lots');
  assert.equal(
    (await page.locator('#rl-limit-error').textContent()).replace('✕', '').trim(),
    'Enter a whole number from 1 to 1,000.',
  );
  assert.equal(await page.locator('.rl-lane').count(), 6, 'the default run stays on screen');
  await page.fill('#rl-sub', '300 ms');
  assert.match(await page.locator('#rl-sub-error').textContent(), /divides the window \(1000 ms\) evenly/);
  await page.fill('#rl-gw', '1');
  assert.match(await page.locator('#rl-gw-error').textContent(), /from 2 to 16/);
  await page.fill('#rl-gw', '4');
  await page.waitForSelector('.rl-setup');
  await assertClean(page, problems);
  await context.close();
});

test('rate-limit page: gateways racing, and two experiments run live', async () => {
  const { context, page, problems } = await openPage(browser, site);
  await visit(page, site, '#/rate-limit');
  await page.waitForSelector('.rl-setup');
  const over = (await page.locator('.rl-setup .rl-over').allTextContents()).map((t) => t.replace(/[●✕]/u, '').trim());
  assert.deepEqual(over, ['+1,700', '+1,112', '+0']);

  const edge = page.locator('.experiment', { hasText: 'A fixed window lets through twice the limit' });
  await edge.locator('button').click();
  assert.equal((await edge.locator('.measured').textContent()).trim(), '20 requests in one 1 s span');
  assert.match(await edge.locator('.verdict').textContent(), /Reproduced/);

  const starve = page.locator('.experiment', { hasText: 'also stores rejected requests' });
  await starve.locator('button').click();
  assert.equal((await starve.locator('.measured').textContent()).trim(), '0 requests admitted after the first second');
  assert.match(await starve.locator('.verdict').textContent(), /Reproduced/);
  await assertClean(page, problems);
  await context.close();
});
