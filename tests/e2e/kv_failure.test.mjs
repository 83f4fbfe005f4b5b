// The key-value store page under failure, end to end: the default run has gossip, a sloppy quorum,
// anti-entropy and Bloom filters on; crash a server and the others mark it down, stand-ins keep
// hints that are handed off after recovery, the Merkle view shows the buckets a crashed replica
// missed, the quorum toggle keeps the seed and the faults, and a failure experiment draws its chart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, visit, assertClean, PHONE } from '../support/browser.mjs';

let browser;
let site;
useBrowser((b, s) => ([browser, site] = [b, s]));

const text = async (locator) => (await locator.textContent()).replace(/\s+/g, ' ').trim();
const count = (s) => Number(s.match(/^([\d,]+)/)[1].replace(/,/g, ''));
/** Moves the run to `ms` of simulated time with the time slider. */
const seek = async (page, ms) => {
  await page.locator('.scrub input').fill(String(ms));
  await page.waitForFunction((t) => document.querySelector('.scrub input').value === String(t), ms);
};
const status = (page, list, member) =>
  page.locator(`.membership tr[data-server="${list}"] td[data-member="${member}"]`).getAttribute('data-status');
const cell = (page, list, member) => text(page.locator(`.membership tr[data-server="${list}"] td[data-member="${member}"]`));
/** The hint figures, checked to add up: every write kept as a hint is handed off, replaced by a newer write or waiting. */
const hintFigures = async (page) => {
  const [stored, handedOff, replaced, waiting] = await Promise.all(
    ['stored', 'handed-off', 'replaced', 'waiting'].map(async (f) => count(await text(page.locator(`[data-figure="hints-${f}"]`)))),
  );
  assert.equal(stored, handedOff + replaced + waiting, `${stored} kept = ${handedOff} handed off + ${replaced} replaced + ${waiting} waiting`);
  return { stored, handedOff, replaced, waiting };
};

test('kv store under failure: detection, hints, Merkle trees and the quorum toggle', async () => {
  const { context, page, problems } = await openPage(browser, site);
  await visit(page, site, '#/kv-store');
  await page.waitForSelector('.membership');
  assert.equal(await page.locator('#kv-quorum').inputValue(), 'sloppy');
  assert.equal(await page.locator('#kv-gossip').inputValue(), 'on');
  assert.equal(await page.locator('#kv-ae').inputValue(), 'on');
  assert.equal(await page.locator('#kv-bloom').inputValue(), 'on');

  // Crash S3 at the start and run on 2.5 s: every other server's list holds S3 down.
  await page.click('.kv-faults button[data-server="S3"]');
  await page.waitForSelector('.kv-faults button.recover[data-server="S3"]');
  // About 1 s after the crash the servers mark S3 down: each change is a note on its lane.
  await seek(page, 1020);
  const notes = await page.locator('.spacetime .mark.note title').allTextContents();
  assert.ok(notes.some((t) => /marks S3 down/.test(t)), `notes on the diagram: ${notes.join(' | ')}`);
  await seek(page, 2500);
  for (const list of ['S1', 'S2', 'S4', 'S5']) assert.equal(await status(page, list, 'S3'), 'down', `${list}'s list`);
  assert.equal(await page.locator('.membership tr.down[data-server="S3"]').count(), 1);
  // A heartbeat is a round counter, not a decimal: S1's own is "#" and its rounds so far.
  assert.match(await cell(page, 'S1', 'S1'), /^● #\d+ alive$/);
  assert.match(await text(page.locator('.kv-changes')), /^✕ 1\.02 s S4: marks S3 down: a peer said so/);

  // The sloppy quorum's stand-ins keep hints for S3.
  assert.equal(await text(page.locator('[data-figure="hints-waiting"]')), '4 hinted versions waiting');
  assert.equal((await hintFigures(page)).waiting, 4);
  assert.match(await text(page.locator('.kv-table.hints tbody')), /S3/);

  // S3 missed the writes: its tree differs from a peer's.
  await page.selectOption('#kv-mt-a', '2');
  await page.selectOption('#kv-mt-b', '0');
  const merkle = await text(page.locator('[data-figure="merkle-buckets"]'));
  assert.match(merkle, /^2 keys shared; 2 of 16 buckets differ\. A session sends 220 B of hashes/);
  assert.equal(await page.locator('.merkle-buckets li').count(), 2);
  assert.equal(await page.locator('.merkle-tree .mt-diff').count(), 14, 'the differing path in both trees');

  // The quorum toggle keeps the seed, the crash and the moment.
  const seed = await page.locator('#seed').inputValue();
  await page.selectOption('#kv-quorum', 'strict');
  await page.waitForFunction(() => document.querySelector('#kv-quorum').value === 'strict');
  await page.waitForSelector('.kv-faults button.recover[data-server="S3"]');
  assert.equal(await page.locator('#seed').inputValue(), seed);
  assert.match(await text(page.locator('.sim-time')), /^2\.5\d* s of 10 s/);
  assert.equal(await status(page, 'S1', 'S3'), 'down');
  assert.equal(await page.locator('.kv-table.hints').count(), 0, 'no hints with the strict quorum');
  await page.selectOption('#kv-quorum', 'sloppy');
  await page.waitForFunction(() => document.querySelector('#kv-quorum').value === 'sloppy');
  await page.waitForSelector('.kv-table.hints');
  assert.equal(await page.locator('#seed').inputValue(), seed);

  // Recover S3 and run on: it is seen up again and the hints are handed off.
  await page.click('.kv-faults button[data-server="S3"]');
  await page.waitForSelector('.kv-faults button.crash[data-server="S3"]');
  await seek(page, 6000);
  assert.equal(await status(page, 'S1', 'S3'), 'alive');
  assert.equal(count(await text(page.locator('[data-figure="hints-waiting"]'))), 0);
  assert.equal(await text(page.locator('[data-figure="hints-handed-off"]')), '4 handed off');
  assert.equal((await hintFigures(page)).waiting, 0);
  // S3 restarted: its heartbeats count again in a new generation.
  assert.match(await cell(page, 'S1', 'S3'), /^● #\d+ · gen 1 alive$/);
  assert.equal(await page.locator('.kv-table.hints').count(), 0);

  await assertClean(page, problems);
  await context.close();
});

test('kv store under failure: the anti-entropy experiment runs and draws its chart on a phone', async () => {
  const { context, page, problems } = await openPage(browser, site, PHONE);
  await visit(page, site, '#/kv-store');
  const card = page.locator('.experiment', { hasText: 'A Merkle tree localizes what differs' });
  await card.locator('button').click();
  await card.locator('.verdict').waitFor({ timeout: 60_000 });
  assert.equal(await text(card.locator('.measured')), '118 KB with 1% of keys differing: 11.4% of the full exchange');
  assert.match(await text(card.locator('.verdict')), /Reproduced/);
  assert.equal(await card.locator('.xy-plot').count(), 1);
  assert.match(await text(card.locator('.legend')), /measured.*model.*without a tree/);
  // Nothing scrolls the page sideways at 360 px.
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));
  await assertClean(page, problems);
  await context.close();
});
