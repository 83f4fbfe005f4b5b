// The URL shortener page, end to end: shorten a link, reload and find it again with the same code,
// follow it (302, then 301 and the browser's cache), a javascript: URL refused with core's
// message, the three endpoints by hand (400, 404, 429), corrupt local storage reported and set
// aside, and an experiment with its figure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, openPage, visit, assertClean, PHONE } from '../support/browser.mjs';

const KEY = 'playground-shortener-links';

let browser;
let site;
useBrowser((b, s) => ([browser, site] = [b, s]));

/** The newest exchange in the inspector: its summary line, request and response text. */
async function newest(page) {
  const item = page.locator('.sh-log .sh-exchange').first();
  const summary = (await item.locator('summary').textContent()).trim();
  const pre = item.locator('pre');
  const texts = (await pre.count()) === 2 ? await pre.allTextContents() : [null, null];
  return { summary, request: texts[0], response: texts[1] };
}

async function shorten(page, url) {
  const before = await page.locator('.sh-link').count();
  await page.fill('#sh-url', url);
  await page.click('.sh-form button[type="submit"]');
  await page.waitForFunction((n) => document.querySelectorAll('.sh-link').length > n, before);
}

test('shortener: a link survives a reload with its code and resolves with 302, then 301 and the browser cache', async () => {
  const { context, page, problems } = await openPage(browser, site);
  await visit(page, site, '#/');
  await page.click('.cards a:text("URL shortener")');
  await page.waitForSelector('.sh-form');
  assert.match(page.url(), /#\/shortener/);
  await shorten(page, '  https://Example.com/some/page?q=1 ');
  const short = (await page.locator('.sh-link .sh-short').first().textContent()).trim();
  assert.match(short, /^https:\/\/s\.example\/[0-9a-zA-Z]{11}$/, 'a base62 snowflake code');
  assert.match(await page.locator('.sh-link .sh-long').first().textContent(), /https:\/\/example\.com\/some\/page\?q=1/);
  let last = await newest(page);
  assert.match(last.summary, /POST \/api\/v1\/shorten → 201 Created/);
  assert.match(last.request, /^POST \/api\/v1\/shorten HTTP\/1.1\nHost: s.example\nContent-Type: application\/json\n\n\{"longUrl":"  https:\/\/Example.com\/some\/page\?q=1 "\}$/);
  assert.match(last.response, /^HTTP\/1.1 201 Created\nContent-Type: application\/json\nLocation: https:\/\/s.example\/\w+\nX-Ratelimit-Limit: 5\nX-Ratelimit-Remaining: 4\n\n\{"code":/);

  await page.reload();
  await page.waitForSelector('.sh-link');
  assert.equal((await page.locator('.sh-link .sh-short').first().textContent()).trim(), short, 'same code after reload');
  await page.locator('.sh-link .sh-short').first().click();
  await page.waitForSelector('.sh-redirect');
  assert.match(await page.locator('.sh-redirect .sh-dest').textContent(), /the browser went to https:\/\/example\.com\/some\/page\?q=1/);
  last = await newest(page);
  const code = short.slice('https://s.example/'.length);
  assert.equal(last.request, `GET /${code} HTTP/1.1\nHost: s.example`);
  assert.equal(last.response, 'HTTP/1.1 302 Found\nLocation: https://example.com/some/page?q=1');
  assert.match(await page.locator('.sh-link-meta').first().textContent(), /1 click counted/);

  // 301: the first click reaches the service, the second is answered by the browser's cache.
  await page.selectOption('#sh-redirect', '301');
  await page.waitForFunction(() => /redirect=301/.test(location.hash));
  await page.locator('.sh-link .sh-short').first().click();
  await page.waitForFunction(() => /301 Moved Permanently/.test(document.querySelector('.sh-log .sh-exchange pre.sh-response')?.textContent ?? ''));
  assert.equal((await newest(page)).response, 'HTTP/1.1 301 Moved Permanently\nLocation: https://example.com/some/page?q=1');
  await page.locator('.sh-link .sh-short').first().click();
  await page.waitForFunction(() => /301 cache, no request/.test(document.querySelector('.sh-log .sh-exchange summary')?.textContent ?? ''));
  assert.match(await page.locator('.sh-redirect .note').textContent(), /from the browser's 301 cache: no request reached the service/);
  assert.match(await page.locator('.sh-link-meta').first().textContent(), /301 cached in the browser/);
  // Since the switch to 301, analytics counted the first click only.
  assert.match(await page.locator('.sh-diagram svg').first().getAttribute('aria-label'), /clicks counted 1$/);
  await assertClean(page, problems);
  await context.close();
});

test('shortener: a javascript: URL typed into the form is refused with a message', async () => {
  const { context, page, problems } = await openPage(browser, site);
  await visit(page, site, '#/shortener');
  // The estimate: the notes' load against the code space, from core.
  assert.match(
    await page.locator('#estimate').textContent(),
    /62\^7 = 3,521,614,606,208 .*means 1,160\/s in writes, 11,600\/s in reads and 365,000,000,000 objects after 10 years \(36.5 TB at 100 bytes each\): 6 symbols are too few for that, 7 are enough/,
  );
  await page.fill('#sh-url', 'javascript:alert(1)');
  await page.click('.sh-form button[type="submit"]');
  await page.waitForSelector('#sh-url-error');
  assert.equal(
    (await page.locator('#sh-url-error').textContent()).replace('✕', '').trim(),
    'javascript: links run code in the page that opens them; only http and https links can be shortened.',
  );
  assert.equal(await page.locator('.sh-link').count(), 0);
  // The service refuses it too when it is sent by hand.
  await page.fill('#sh-body', '{"longUrl": "javascript:alert(1)"}');
  await page.click('.sh-builder button[type="submit"]');
  await page.waitForSelector('.sh-log .sh-exchange');
  const response = await page.locator('.sh-log pre.sh-response').first().textContent();
  assert.match(response, /^HTTP\/1.1 400 Bad Request\n/);
  assert.match(response, /\{"error":"javascript: links run code in the page that opens them; only http and https links can be shortened."\}$/);
  await assertClean(page, problems);
  await context.close();
});

test('shortener: the three endpoints by hand, with 400, 404 and 429', async () => {
  const { context, page, problems } = await openPage(browser, site, PHONE);
  await visit(page, site, '#/shortener?codes=sha1-7');
  await page.click('.sh-builder .preset:text("Bad body")');
  await page.click('.sh-builder button[type="submit"]');
  await page.waitForSelector('.sh-log .sh-exchange');
  assert.match((await newest(page)).summary, /POST \/api\/v1\/shorten → 400 Bad Request/);
  await page.click('.sh-builder .preset:text("Unknown code")');
  await page.click('.sh-builder button[type="submit"]');
  await page.waitForFunction(() => /404 Not Found/.test(document.querySelector('.sh-log .sh-exchange summary')?.textContent ?? ''));
  assert.equal((await newest(page)).response, 'HTTP/1.1 404 Not Found\nContent-Type: application/json\n\n{"error":"No short link has the code \\"zzzzzzz\\"."}');
  await page.click('.sh-builder .preset:text("Shorten")');
  await page.click('.sh-builder button[type="submit"]');
  await page.waitForSelector('.sh-link');
  // SHA-1 prefix of https://example.com/, 7 symbols.
  assert.equal((await page.locator('.sh-link .sh-short').first().textContent()).trim(), 'https://s.example/rtXtXg3');
  await page.click('.sh-builder .preset:text("Look up")');
  await page.click('.sh-builder button[type="submit"]');
  await page.waitForFunction(() => /longUrl\?code=rtXtXg3 → 200 OK/.test(document.querySelector('.sh-log .sh-exchange summary')?.textContent ?? ''));
  // The burst of 6 is exchanges #5 to #10, each a shorten answered 201 or 429.
  await page.click('.sh-builder .preset:text("Burst of 6 (429)")');
  await page.waitForFunction(() => /#10 POST/.test(document.querySelector('.sh-log .sh-exchange summary')?.textContent ?? ''));
  const burst = (await page.locator('.sh-log .sh-exchange summary').allTextContents()).slice(0, 6).map((line) => line.trim());
  const admitted = burst.filter((line) => / POST \/api\/v1\/shorten → 201 Created$/.test(line)).length;
  const limited = burst.filter((line) => / POST \/api\/v1\/shorten → 429 Too Many Requests$/.test(line)).length;
  assert.equal(admitted + limited, 6, burst.join('\n'));
  // The bucket holds 5 and 2 were taken (bad body, shorten), so 3 are left; it refills one every
  // 6 s of real time, up to 5, so a slow run admits 4 or 5. Either way 1 to 3 of the 6 meet 429,
  // and the diagram counts exactly those, and stores the admitted ones after the first link.
  assert.ok(limited >= 1 && limited <= 3, burst.join('\n'));
  const diagram = await page.locator('.sh-diagram svg').first().getAttribute('aria-label');
  assert.match(diagram, new RegExp(`rate-limited ${limited}, .* rows stored ${1 + admitted},`));
  const refused = page.locator('.sh-log .sh-exchange', { hasText: '→ 429 Too Many Requests' }).first();
  assert.match(await refused.locator('pre.sh-response').textContent(), /^HTTP\/1.1 429 Too Many Requests\nContent-Type: application\/json\nRetry-After: \d+\n/);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width, `no horizontal scroll at 360 px (${width})`);
  await assertClean(page, problems);
  await context.close();
});

test('shortener: corrupt local storage is reported and set aside, not a crash', async () => {
  const { context, page, problems } = await openPage(browser, site);
  await visit(page, site, '#/');
  await page.evaluate((key) => localStorage.setItem(key, '{"version":1,"links":[{"longUrl":"https://ok.example/","atMs":1700000000000},{"longUrl":"javascript:alert(1)","atMs":1700000000001}'), KEY);
  await visit(page, site, '#/shortener');
  await page.waitForSelector('.sh-storage-problem');
  assert.match(await page.locator('.sh-storage-problem').textContent(), /not valid JSON .* so none could be loaded\. The stored text was set aside, unchanged, under the key "playground-shortener-links-set-aside"/);
  assert.equal(await page.evaluate(() => localStorage.getItem('playground-shortener-links-set-aside')).then((t) => t.startsWith('{"version":1')), true);
  // Entries that are readable but refused are loaded around.
  await page.evaluate((key) => localStorage.setItem(key, '{"version":1,"links":[{"longUrl":"https://ok.example/","atMs":1700000000000},{"longUrl":"javascript:alert(1)","atMs":1700000000001}]}'), KEY);
  await page.reload();
  await page.waitForSelector('.sh-link');
  assert.equal(await page.locator('.sh-link').count(), 1);
  assert.match(await page.locator('.sh-storage-problem li').textContent(), /javascript:alert\(1\): javascript: links run code/);
  // The page still works.
  await shorten(page, 'https://example.org/');
  assert.equal(await page.locator('.sh-link').count(), 2);
  assert.equal(JSON.parse(await page.evaluate((key) => localStorage.getItem(key), KEY)).links.length, 2);
  await assertClean(page, problems);
  await context.close();
});

test('shortener: the experiments run and show their figures', async () => {
  const { context, page, problems } = await openPage(browser, site);
  await visit(page, site, '#/shortener');
  const card = (claim) => page.locator('.experiment', { has: page.locator(`.claim:text-matches("${claim}")`) });
  const analytics = card('A 301 is cached by the browser');
  await analytics.locator('button').click();
  await analytics.locator('.measured').waitFor();
  assert.equal((await analytics.locator('.measured').textContent()).trim(), '301: 20 of 100 clicks counted; 302: 100 of 100');
  assert.match(await analytics.locator('.verdict').textContent(), /Reproduced/);
  assert.equal(await analytics.locator('svg rect').count() >= 2, true, 'two columns drawn');
  const cache = card('A small LRU cache');
  await cache.locator('button').click();
  await cache.locator('.measured').waitFor();
  assert.match(await cache.locator('.verdict').textContent(), /Reproduced/);
  assert.ok((await cache.locator('figure svg circle').count()) >= 7, 'measured points drawn');
  await assertClean(page, problems);
  await context.close();
});
