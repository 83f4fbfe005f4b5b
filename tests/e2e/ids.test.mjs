// The unique-ID page, end to end: decode the notes' and Discord's example IDs in the inspector, run
// the generators with a burst fault and read the measured table, keep it all in the link, bad
// input, and the experiments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, visit, assertClean } from '../support/browser.mjs';

let browser;
let site;
useBrowser((b, s) => ([browser, site] = [b, s]));

/** The decoded value of a named bit field in the inspector. */
async function field(page, name) {
  return (await page.locator(`.bit-field[data-field="${name}"] .field-value`).textContent()).trim();
}

/** A cell of the measured comparison table: the row of `scheme`, the column headed `column`. */
async function measured(page, scheme, column) {
  const headers = (await page.locator('table.compare:not(.design) thead th').allTextContents()).map((h) => h.trim());
  const index = headers.indexOf(column);
  assert.ok(index >= 0, `no column ${column} in ${headers}`);
  const row = page.locator('table.compare:not(.design) tbody tr', { has: page.locator(`th:text-is("${scheme}")`) });
  return (await row.locator('th, td').nth(index).textContent()).replace(/[●✕]\s*/u, '').trim();
}

test("ids page: pasting the notes' example ID decodes it with Twitter's layout", async () => {
  const { context, page, problems } = await openPage(browser, site);
  await visit(page, site, '');
  await page.click('.cards a:text("Distributed unique IDs")');
  await page.waitForSelector('#inspect-id');
  assert.match(page.url(), /#\/ids/);

  await page.fill('#inspect-id', '');
  assert.match(await page.locator('.inspector .field-error').textContent(), /The ID is empty/);
  await page.fill('#inspect-id', '1541815603606036480');
  await page.selectOption('#inspect-as', 'twitter');
  assert.equal((await page.locator('.bit-fields .id-time').textContent()).trim(), '2022-06-28 16:07:40.105 UTC');
  assert.equal(await field(page, 'data centre'), '11');
  assert.equal(await field(page, 'machine'), '26');
  assert.equal(await field(page, 'sequence'), '0');
  assert.equal(await field(page, 'time'), '367,597,485,448');
  assert.equal(await page.locator('.bit-field[data-field="machine"] .field-binary').textContent(), '11010');
  assert.ok((await page.locator('.id-facts dd').allTextContents()).includes('0x1565a11f6217a000'));
  // Every field is coloured through its class, and the bar has one rectangle per field.
  assert.equal(await page.locator('svg.bit-bar rect').count(), 5);
  assert.equal(await page.getAttribute('.bit-field[data-field="time"]', 'class'), 'bit-field field-time');

  // Discord's documented example, read with Discord's layout.
  await page.selectOption('#inspect-as', 'discord');
  await page.fill('#inspect-id', '175928847299117063');
  assert.equal((await page.locator('.bit-fields .id-time').textContent()).trim(), '2016-04-30 11:18:25.796 UTC');
  assert.equal(await field(page, 'worker'), '1');
  assert.equal(await field(page, 'process'), '0');
  assert.equal(await field(page, 'increment'), '7');

  // The inspected ID is in the link.
  await page.reload();
  await page.waitForSelector('.bit-fields');
  assert.equal(await page.inputValue('#inspect-id'), '175928847299117063');
  assert.equal(await field(page, 'increment'), '7');

  // A UUID, and text that is no ID at all.
  await page.selectOption('#inspect-as', 'uuid');
  await page.fill('#inspect-id', '550e8400-e29b-41d4-a716-446655440000');
  assert.match(await page.locator('.inspector .id-facts').textContent(), /4 \(random\).*RFC 9562/);
  await page.fill('#inspect-id', 'not an id');
  assert.match(await page.locator('.inspector .field-error').textContent(), /Enter a UUID/);
  await assertClean(page, problems);
  await context.close();
});

test('ids page: a burst caps snowflake at 4,096 a millisecond and makes Instagram repeat, all in the link', async () => {
  const { context, page, problems } = await openPage(browser, site);
  await visit(page, site, '#/ids');
  await page.click('button:text("Step 1 ms")');
  await page.click('button:text("Step 1 ms")');
  assert.match(await page.locator('.sim-time').textContent(), /^2 ms of 1,000 ms/);
  await page.click('button:text("Burst 5,000")');
  await page.click('button:text("Step 1 ms")');
  assert.match(page.url(), /faults=burst-1-5000%402/);
  assert.equal(await measured(page, 'Snowflake', 'Peak per ms'), '4,096');
  assert.equal(await measured(page, 'Snowflake', 'Duplicates'), '0');
  assert.equal(await measured(page, 'Instagram', 'Peak per ms'), '5,002');
  assert.equal(await measured(page, 'Instagram', 'Duplicates'), '3,978');
  assert.equal(await measured(page, 'UUID v4', 'Duplicates'), '0');
  assert.match(await page.locator('.event-log').textContent(), /A burst of 5,000 requests arrived in one millisecond at server 1/);

  // The waiting snowflake requests are served in the next millisecond.
  await page.click('button:text("Step 1 ms")');
  assert.equal(await measured(page, 'Snowflake', 'Waited'), '906 (up to 1 ms)');

  // The link replays the same run.
  await page.reload();
  await page.waitForSelector('table.compare');
  assert.match(await page.locator('.sim-time').textContent(), /^4 ms/);
  assert.equal(await measured(page, 'Instagram', 'Duplicates'), '3,978');

  // Clicking an ID in the stream opens it in the inspector.
  await page.selectOption('.stream select', 'snowflake');
  const first = page.locator('.id-stream .id-link').first();
  const id = (await first.textContent()).trim();
  await first.click();
  assert.equal(await page.inputValue('#inspect-id'), id);
  assert.equal(await page.inputValue('#inspect-as'), 'twitter');
  assert.equal((await page.locator('.bit-fields .id-time').textContent()).trim(), '2024-01-01 00:00:00.003 UTC');
  await assertClean(page, problems);
  await context.close();
});

test('ids page: a clock moved back is refused, never duplicated; the ticket server pair survives a crash', async () => {
  const { context, page, problems } = await openPage(browser, site);
  await visit(page, site, '#/ids?ms=300&faults=back-2-10@50,crash-1-100@100');
  await page.click('button:text("Run to end")');
  assert.match(await page.locator('.sim-time').textContent(), /^300 ms/);
  assert.equal(await measured(page, 'Snowflake', 'Duplicates'), '0');
  assert.equal(await measured(page, 'Snowflake', 'Failed'), '18 clock moved back');
  assert.equal(await measured(page, 'Ticket server', 'Failed'), 'none');
  // Switch to waiting it out: nothing fails, the same requests wait instead.
  await page.selectOption('#ids-clock', 'wait');
  assert.equal(await measured(page, 'Snowflake', 'Failed'), 'none');
  assert.equal(await measured(page, 'Snowflake', 'Duplicates'), '0');
  await assertClean(page, problems);
  await context.close();
});

test('ids page: bad input in the link or the fields gets a message and the page keeps working', async () => {
  const { context, page, problems } = await openPage(browser, site);
  await visit(page, site, '#/ids?rate=500&faults=oops&t=5');
  assert.equal((await page.locator('#ids-rate-error').textContent()).replace('✕ ', ''), 'Choose from 0 to 50 requests per millisecond.');
  assert.match(await page.locator('#ids-faults-error').textContent(), /"oops" is not a fault/);
  assert.match(await page.locator('.sim-time').textContent(), /^5 ms/);
  await page.fill('#ids-rate', '10');
  assert.equal(await page.locator('#ids-rate-error').count(), 0);
  await page.fill('#birthday-percent', '100');
  assert.match(await page.locator('.birthday .field-error').textContent(), /Enter a probability above 0 % and below 100 %/);
  await page.fill('#birthday-percent', '50');
  assert.equal((await page.locator('.birthday-answer .figure').textContent()).trim(), '86 years');
  await assertClean(page, problems);
  await context.close();
});

test('ids page: every experiment reproduces its claim', async () => {
  const { context, page, problems } = await openPage(browser, site);
  await visit(page, site, '#/ids');
  const cards = page.locator('li.experiment');
  const n = await cards.count();
  assert.equal(n, 9);
  for (let i = 0; i < n; i++) await cards.nth(i).locator('button').click();
  assert.equal(await page.locator('.verdict.ok').count(), 9);
  const figures = await page.locator('.outcome .measured').allTextContents();
  assert.equal(figures[0], '2022-06-28 16:07:40.105 UTC, data centre 11, machine 26, sequence 0');
  assert.equal(figures[1], '4,096 IDs in the frozen millisecond, 0 duplicates');
  assert.equal(figures[6], '86.0 years');
  await assertClean(page, problems);
  await context.close();
});
