// The consistent-hashing page, end to end: the ring renders from its URL, adding a server in the
// UI changes the moved-key counts (few on the ring, most under hash mod N), the state survives a
// reload, a typed key shows its real SHA-1, hovering a key inspects it, an experiment runs, and
// 100,000 keys with 1,000 virtual nodes draw at most 1,000 dots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, visit, assertClean, PHONE } from '../support/browser.mjs';

let browser;
let site;
useBrowser((b, s) => ([browser, site] = [b, s]));

/** The moved-key count and total of the comparison panel titled `title`. */
async function moved(page, title) {
  const panel = page.locator('.compare-panel', { has: page.locator(`h4:text-is("${title}")`) });
  const text = (await panel.locator('.big-figure').textContent()).replace(/,/g, '');
  const m = text.match(/^(\d+) of (\d+) keys moved/);
  assert.ok(m, `no moved-key count in "${text}"`);
  return { moved: Number(m[1]), total: Number(m[2]) };
}

test('hashing page: adding a server in the UI moves few keys on the ring and most under mod N', async () => {
  const { context, page, problems } = await openPage(browser, site);
  await visit(page, site, '');
  await page.click('.cards a:text("Consistent hashing")');
  await page.waitForSelector('.ring-view svg');
  assert.match(page.url(), /#\/hashing/);
  // Five servers with 10 virtual nodes by default: 50 positions, and no comparison yet.
  assert.match(await page.locator('.hash-figure text.ring-center').allTextContents().then((t) => t.join(' ')), /5 servers 50 positions/);
  assert.equal(await page.locator('.compare-panel').count(), 0);

  await page.click('button.add-server');
  await page.waitForSelector('.compare-panel');
  assert.match(page.url(), /servers=S1%2CS2%2CS3%2CS4%2CS5%2CS6/);
  const ring = await moved(page, 'Ring');
  const modN = await moved(page, 'hash mod N');
  assert.equal(ring.total, 10000);
  assert.equal(modN.total, 10000);
  // 1/6 of 10,000 is 1,667 and 5/6 is 8,333: the ring moves far fewer.
  assert.ok(ring.moved > 500 && ring.moved < 3500, `ring moved ${ring.moved}`);
  assert.ok(modN.moved > 8000 && modN.moved < 8700, `mod N moved ${modN.moved}`);
  // Every key that moved on the ring went to the new server S6.
  const flows = await page.locator('.compare-panel', { has: page.locator('h4:text-is("Ring")') }).locator('table.flows tbody tr td:nth-child(2)').allTextContents();
  assert.ok(flows.length > 0 && flows.every((to) => to === 'S6'), `ring flows went to ${flows}`);

  // A second join changes the counts (now 6 -> 7 servers).
  await page.click('button.add-server');
  await page.waitForFunction(() => document.URL.includes('S7'));
  const ring2 = await moved(page, 'Ring');
  const modN2 = await moved(page, 'hash mod N');
  assert.notEqual(ring2.moved, ring.moved);
  assert.notEqual(modN2.moved, modN.moved);

  // The link reopens the same comparison.
  await page.reload();
  await page.waitForSelector('.compare-panel');
  assert.deepEqual(await moved(page, 'Ring'), ring2);

  // Removing a server moves exactly its keys on the ring: all flows start at it.
  await page.click('button[aria-label="Remove server S3"]');
  await page.waitForFunction(() => document.URL.includes('servers=S1%2CS2%2CS4%2C'));
  const from = await page.locator('.compare-panel', { has: page.locator('h4:text-is("Ring")') }).locator('table.flows tbody tr td:nth-child(1)').allTextContents();
  assert.ok(from.length > 0 && from.every((f) => f === 'S3'), `ring flows came from ${from}`);
  await assertClean(page, problems);
  await context.close();
});

test('hashing page: a typed key shows its real SHA-1 and a hovered key is inspected', async () => {
  const { context, page, problems } = await openPage(browser, site);
  await visit(page, site, '#/hashing');
  await page.fill('#hash-lookup', 'abc');
  await page.waitForSelector('.inspect .hash-hex');
  assert.equal((await page.locator('.inspect .hash-hex').textContent()).trim(), 'a9993e364706816aba3e25717850c26c9cd0d89d');
  assert.equal(await page.locator('.hash-figure .ring-probe').count(), 1);
  // Clear the typed key and hover a drawn key instead.
  await page.fill('#hash-lookup', '');
  // Dots overlap, so send the event to one dot rather than to whatever is on top at its centre.
  await page.locator('.hash-figure circle.ring-key').nth(10).dispatchEvent('mouseenter');
  const hex = (await page.locator('.inspect .hash-hex').textContent()).trim();
  assert.match(hex, /^[0-9a-f]{40}$/);
  const key = (await page.locator('.inspect dd').first().textContent()).trim();
  assert.match(key, /^key-[0-9a-f]{16}$/);
  await assertClean(page, problems);
  await context.close();
});

test('hashing page: experiments run and report a verdict', async () => {
  const { context, page, problems } = await openPage(browser, site);
  await visit(page, site, '#/hashing');
  const cards = page.locator('#experiments li.experiment');
  assert.equal(await cards.count(), 4);
  for (let i = 0; i < 4; i++) {
    await cards.nth(i).locator('button').click();
    await cards.nth(i).locator('.verdict').waitFor();
  }
  assert.match(await cards.nth(0).locator('.measured').textContent(), /^ring [\d.]+% · mod N [\d.]+%$/);
  assert.match(await cards.nth(1).locator('.measured').textContent(), /^slope -0\.\d+$/);
  assert.equal(await cards.nth(1).locator('.xy-plot').count(), 1);
  await assertClean(page, problems);
  await context.close();
});

test('hashing page: 100,000 keys and 1,000 virtual nodes on a phone draw a sample', async () => {
  const { context, page, problems } = await openPage(browser, site, PHONE);
  await visit(page, site, '#/hashing?keys=100000&v=1000');
  await page.waitForSelector('.ring-view svg');
  const start = Date.now();
  await page.click('button.add-server');
  await page.waitForSelector('.compare-panel');
  const ms = Date.now() - start;
  const ring = await moved(page, 'Ring');
  assert.equal(ring.total, 100000);
  console.log(`adding a server with 100,000 keys and 1,000 virtual nodes took ${ms} ms (not asserted)`);
  assert.ok(await page.locator('.hash-figure circle.ring-key').count() <= 1000);
  await assertClean(page, problems);
  await context.close();
});
