// The app shell and the capacity-estimation page, end to end: reach the page by clicking, change
// inputs and read the result, reload a deep link under the sub-path, bad input, theme, 404.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, visit, assertClean, DESKTOP } from '../support/browser.mjs';

let browser;
let site;
useBrowser((b, s) => ([browser, site] = [b, s]));

/** The value cell of a row of the worked estimate. */
async function stepValue(page, label) {
  const row = page.locator('table.steps tr', { has: page.locator(`th:text-is("${label}")`) });
  return (await row.locator('td.value').textContent()).trim();
}

async function setField(page, key, text) {
  await page.fill(`#field-${key}`, text);
}

test('home page lists the systems and explains the framework', async () => {
  const { context, page, problems } = await openPage(browser, site);
  await visit(page, site, '');
  assert.match(await page.locator('h1').textContent(), /Run system designs/);
  const steps = await page.locator('ol.framework li').allTextContents();
  assert.equal(steps.length, 5);
  assert.match(steps[0], /^Understand the problem/);
  assert.match(steps[4], /^Summarize/);
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval' 'sha256-/);
  assert.doesNotMatch(csp, /'unsafe-eval'|'unsafe-inline'/);
  await assertClean(page, problems);
  await context.close();
});

test('estimate page: reached by clicking, computes, keeps its inputs in the URL', async () => {
  const { context, page, problems } = await openPage(browser, site);
  await visit(page, site, '');
  await page.click('.cards a:text("Capacity estimation")');
  await page.waitForSelector('#field-dau');
  assert.match(page.url(), /#\/estimate/);

  await setField(page, 'dau', '1,000,000');
  await setField(page, 'rpu', '1');
  await setField(page, 'rw', '0:1');
  assert.equal(await stepValue(page, 'Average QPS'), '11.57 requests/s');
  assert.equal(await stepValue(page, 'Write QPS'), '11.57/s');
  assert.equal(await stepValue(page, 'Requests per day'), '1,000,000 requests/day');
  assert.match(page.url(), /dau=1%2C000%2C000/);

  // The link reopens the same estimate, under the sub-path, after a reload.
  await page.reload();
  await page.waitForSelector('#field-dau');
  assert.equal(await page.inputValue('#field-dau'), '1,000,000');
  assert.equal(await stepValue(page, 'Average QPS'), '11.57 requests/s');
  await assertClean(page, problems);
  await context.close();
});

test('estimate page: a deep link opened directly shows the URL shortener figures', async () => {
  const { context, page, problems } = await openPage(browser, site);
  await visit(page, site, '#/estimate?dau=100000000&rpu=11&rw=10:1&peak=2&size=100%20B&years=10&rf=1');
  assert.equal(await stepValue(page, 'Write QPS'), '1,160/s');
  assert.equal(await stepValue(page, 'Read QPS'), '11,600/s');
  assert.equal(await stepValue(page, 'Objects stored'), '365,000,000,000 objects');
  assert.equal(await stepValue(page, 'Storage, all copies'), '36.5 TB');
  assert.equal(await page.getAttribute('button.preset:text("URL shortener")', 'aria-pressed'), 'true');
  await assertClean(page, problems);
  await context.close();
});

test('estimate page: bad input gets an inline message and nothing breaks', async () => {
  const { context, page, problems } = await openPage(browser, site);
  await visit(page, site, '#/estimate');
  await setField(page, 'dau', '-5');
  assert.equal(
    (await page.locator('#field-dau-error').textContent()).replace('✕ ', ''),
    'Enter a whole number of users from 0 to 10^12.',
  );
  assert.equal(await page.getAttribute('#field-dau', 'aria-invalid'), 'true');
  assert.match(await page.locator('.results.blocked').textContent(), /Fix the field marked above/);
  await setField(page, 'size', '9 ZB');
  assert.match(await page.locator('.results.blocked').textContent(), /Fix the 2 fields marked above/);
  await setField(page, 'dau', '1e300');
  await setField(page, 'dau', '100000000');
  await setField(page, 'size', '100 B');
  assert.equal(await page.locator('.field-error').count(), 0);
  assert.equal(await stepValue(page, 'Storage, all copies'), '36.5 TB');
  await assertClean(page, problems);
  await context.close();
});

test('estimate page: experiments run and reproduce the notes', async () => {
  const { context, page, problems } = await openPage(browser, site);
  await visit(page, site, '#/estimate');
  const cards = page.locator('li.experiment');
  assert.equal(await cards.count(), 3);
  for (let i = 0; i < 3; i++) await cards.nth(i).locator('button').click();
  assert.deepEqual(await page.locator('.outcome .measured').allTextContents(), ['11.574 requests/s', '36.5 TB', '54.8 PB']);
  assert.equal(await page.locator('.verdict.ok').count(), 3);
  // The humanized scale is part of the link too.
  await page.check('.switch input');
  assert.match(page.url(), /scale=human/);
  assert.ok((await page.locator('.bar-value').allTextContents()).includes('16.5 weeks'));
  await assertClean(page, problems);
  await context.close();
});

test('theme toggle switches and is remembered; unknown routes say so', async () => {
  const { context, page, problems } = await openPage(browser, site, DESKTOP, { colorScheme: 'dark' });
  await visit(page, site, '#/');
  assert.equal(await page.getAttribute('html', 'data-theme'), 'dark');
  await page.click('.theme-toggle');
  assert.equal(await page.getAttribute('html', 'data-theme'), 'light');
  await page.reload();
  await page.waitForSelector('main h1');
  assert.equal(await page.getAttribute('html', 'data-theme'), 'light');
  await visit(page, site, '#/no-such-page');
  assert.equal(await page.locator('main h1').textContent(), 'No such page');
  await assertClean(page, problems);
  await context.close();
});
