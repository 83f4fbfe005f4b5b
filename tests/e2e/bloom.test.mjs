// The Bloom filter page, end to end: the default filter (m = 48, k = 3, apple, banana, cherry)
// answers "probably yes" for an added item and "no" for an absent one (bit positions worked out
// natively with the core), an item added in the UI is found and survives a reload with the query,
// an empty or repeated item and bad m, k, n or p get core's messages inline without losing the
// items, "size it" fills m and k, the 2^30-bit filter draws 1,024 cells, a link with many items
// shows a false positive, and the experiments run with their figures, on desktop and phone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, visit, assertClean, PHONE } from '../support/browser.mjs';

let browser;
let site;
useBrowser((b, s) => ([browser, site] = [b, s]));

const answer = async (page) => (await page.locator('.bf-answer').textContent()).replace(/\s+/g, ' ').trim();

test('bloom page: added items are probably in, absent ones are not, and the state survives a reload', async () => {
  const { context, page, problems } = await openPage(browser, site);
  await visit(page, site, '#/');
  await page.click('.cards a:text("Bloom filter")');
  await page.waitForSelector('.bf-grid svg');
  assert.match(page.url(), /#\/bloom/);
  // 48 bits in rows of 16; apple, banana and cherry set 9 distinct bits.
  assert.equal(await page.locator('.bf-grid rect.bf-cell').count(), 48);
  assert.equal(await page.locator('.bf-grid rect.bf-cell.bf-on').count(), 9);
  assert.match(await page.locator('.bf-stats').textContent(), /m = 48 bits, k = 3, n = 3 items added · 9 bits set/);
  // The default query, grape, reads bits 0, 37 and 26: bit 0 is clear.
  assert.match(await answer(page), /^✕ No for "grape": definitely never added: bit 0 is 0\. It reads bits 0, 37, 26\.$/);
  assert.equal(await page.locator('.bf-grid .bf-miss').count(), 2);

  await page.fill('#bf-q', 'apple');
  await page.waitForFunction(() => document.querySelector('.bf-answer')?.textContent.includes('apple'));
  assert.match(await answer(page), /^● Probably yes for "apple": all its bits are set, and it was added\. It reads bits 27, 32, 37\.$/);
  assert.equal(await page.locator('.bf-grid .bf-hit').count(), 3);

  // date (bits 40, 11, 30) is absent until added in the UI.
  await page.fill('#bf-q', 'date');
  await page.waitForFunction(() => document.querySelector('.bf-answer')?.textContent.includes('date'));
  assert.match(await answer(page), /^✕ No for "date"/);
  await page.fill('#bf-add', 'date');
  assert.match(await page.locator('.bf-adds').textContent(), /"date" would set bits 40, 11, 30\./);
  await page.click('.bf-add button[type="submit"]');
  await page.waitForFunction(() => document.querySelectorAll('.bf-items li').length === 4);
  assert.match(await answer(page), /^● Probably yes for "date"/);
  assert.equal(await page.inputValue('#bf-add'), '');
  assert.match(page.url(), /items=apple%0Abanana%0Acherry%0Adate/);

  await page.reload();
  await page.waitForSelector('.bf-grid svg');
  assert.deepEqual(await page.locator('.bf-items li').allTextContents(), ['apple', 'banana', 'cherry', 'date']);
  assert.equal(await page.inputValue('#bf-q'), 'date');
  assert.match(await answer(page), /^● Probably yes for "date"/);
  assert.equal(await page.locator('.bf-grid rect.bf-cell.bf-on').count(), 12);

  // An empty item and one already added are refused with a message; nothing is added.
  await page.click('.bf-add button[type="submit"]');
  assert.match(await page.locator('#bf-add-error').textContent(), /Type an item to add/);
  await page.fill('#bf-add', 'apple');
  await page.click('.bf-add button[type="submit"]');
  assert.match(await page.locator('#bf-add-error').textContent(), /"apple" is already added/);
  assert.equal(await page.locator('.bf-items li').count(), 4);
  await assertClean(page, problems);
  await context.close();
});

test('bloom page: bad m and k get an inline message and the items stay; sizing fills m and k', async () => {
  const { context, page, problems } = await openPage(browser, site, PHONE);
  await visit(page, site, '#/bloom');
  await page.fill('#bf-m', 'lots');
  await page.waitForSelector('#bf-m-error');
  assert.match(await page.locator('#bf-m-error').textContent(), /Enter the size m as a whole number of bits from 1 to 1,073,741,824/);
  assert.match(await page.locator('.bf-blocked').first().textContent(), /No filter to draw/);
  await page.fill('#bf-m', '2000000000');
  assert.match(await page.locator('#bf-m-error').textContent(), /more than this page allocates/);
  await page.fill('#bf-m', '48');
  await page.fill('#bf-k', '0');
  assert.match(await page.locator('#bf-k-error').textContent(), /Use at least 1 hash function/);
  await page.fill('#bf-k', '3');
  await page.waitForSelector('.bf-grid svg');
  assert.equal(await page.locator('.bf-items li').count(), 3, 'the items were kept');

  await page.fill('#bf-p', '2');
  assert.match(await page.locator('#bf-p-error').textContent(), /between 0 and 1/);
  await page.fill('#bf-n', '1000');
  await page.fill('#bf-p', '1%');
  assert.match(await page.locator('.bf-sizer .formula').textContent(), /= 9,586 bits \(1\.2 KB\), k = round\(\(m\/n\) ln 2\) = 7/);
  await page.click('.bf-sizer button');
  await page.waitForFunction(() => document.URL.includes('m=9586'));
  assert.equal(await page.inputValue('#bf-k'), '7');
  // 9,586 bits are drawn as 959 cells of 10 bits.
  assert.equal(await page.locator('.bf-grid rect.bf-cell').count(), 959);
  assert.match(await page.locator('.bf-grid figcaption').textContent(), /drawn as 959 cells of 10 bits each/);
  // A billion items size beyond 2^30 bits: shown, not allocated.
  await page.fill('#bf-n', '1e9');
  assert.match(await page.locator('.bf-sizer .formula').textContent(), /= 9,585,058,378 bits \(1\.2 GB\)/);
  // The largest filter the page allocates (2^30 bits, 128 MiB) is drawn as 1,024 cells; the plots
  // leave it to the formula, with one message.
  await page.fill('#bf-m', '1073741824');
  await page.waitForFunction(() => document.querySelector('.bf-grid figcaption')?.textContent.includes('1,073,741,824'));
  assert.equal(await page.locator('.bf-grid rect.bf-cell').count(), 1024);
  assert.match(await page.locator('.bf-grid figcaption').textContent(), /drawn as 1,024 cells of 1,048,576 bits each/);
  assert.deepEqual(await page.locator('#deep-dive .bf-blocked').allTextContents(),
    ['✕ The plots measure filters of up to 16,777,216 bits (2^24); for larger ones, trust the formula.']);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
  await assertClean(page, problems);
  await context.close();
});

test('bloom page: a crowded filter gives a false positive, and the experiments run', async () => {
  const { context, page, problems } = await openPage(browser, site);
  // 40 users in 64 bits with 3 hashes: most bits are set, and guest0, never added, has all its
  // bits set (core's test the_demo_knows_a_false_positive pins it).
  const items = Array.from({ length: 40 }, (_, i) => `user${i}`).join('%0A');
  await visit(page, site, `#/bloom?m=64&k=3&items=${items}&q=guest0`);
  await page.waitForSelector('.bf-answer');
  assert.match(await answer(page), /^◆ Probably yes for "guest0": all its bits are set, but it was never added: a false positive/);

  const cards = page.locator('#experiments li.experiment');
  assert.equal(await cards.count(), 4);
  for (let i = 0; i < 4; i++) {
    await cards.nth(i).locator('button').click();
    await cards.nth(i).locator('.verdict').waitFor();
    assert.match(await cards.nth(i).locator('.verdict').textContent(), /Reproduced/);
  }
  assert.equal((await cards.nth(0).locator('.measured').textContent()).trim(), '0.931%');
  assert.equal(await cards.nth(0).locator('.xy-plot').count(), 1);
  assert.equal((await cards.nth(1).locator('.measured').textContent()).trim(), 'k = 7 (0.931%)');
  assert.equal((await cards.nth(2).locator('.measured').textContent()).trim(), '5.36 other items lost');
  assert.equal(await cards.nth(3).locator('table.bf-sizes tbody tr').count(), 6);
  await assertClean(page, problems);
  await context.close();
});
