// A screenshot of every page at desktop and phone widths, in both themes, into tests/screenshots/
// (look at them), and a check that no page scrolls sideways on a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { launch, serveSite, openPage, visit, assertClean, routes, routeName, DESKTOP, PHONE } from '../support/browser.mjs';

const OUT = path.resolve('tests/screenshots');
let browser;
let site;
before(async () => {
  site = await serveSite();
  browser = await launch();
  await fs.mkdir(OUT, { recursive: true });
});
after(async () => {
  await browser?.close();
  await site?.close();
});

test('every page at desktop and phone width, light and dark', async () => {
  const { context, page } = await openPage(browser, site);
  await visit(page, site, '#/');
  const all = await routes(page);
  await context.close();
  assert.ok(all.includes('#/estimate'));
  for (const route of all) {
    for (const [label, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      for (const colorScheme of ['light', 'dark']) {
        const { context, page, problems } = await openPage(browser, site, viewport, { colorScheme });
        await visit(page, site, route);
        const file = path.join(OUT, `${routeName(route)}-${label}-${colorScheme}.png`);
        await page.screenshot({ path: file, fullPage: true });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `${route} scrolls sideways by ${overflow}px at ${viewport.width}px`);
        await assertClean(page, problems);
        await context.close();
      }
    }
  }
});
