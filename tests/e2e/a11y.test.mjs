// Accessibility audit with axe-core on every page, in both themes: no serious or critical
// violations. axe is injected through a context that bypasses the CSP (test-only).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import { launch, serveSite, openPage, visit, routes } from '../support/browser.mjs';

const require = createRequire(import.meta.url);
let browser;
let site;
let axeSource;
before(async () => {
  site = await serveSite();
  browser = await launch();
  axeSource = await fs.readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
});
after(async () => {
  await browser?.close();
  await site?.close();
});

test('no serious or critical accessibility violations on any page', async () => {
  const { context, page } = await openPage(browser, site);
  await visit(page, site, '#/');
  const all = await routes(page);
  await context.close();
  const found = [];
  for (const route of all) {
    for (const colorScheme of ['light', 'dark']) {
      const { context, page } = await openPage(browser, site, undefined, { colorScheme, bypassCSP: true });
      await visit(page, site, route);
      // Open every experiment so its results are audited too.
      for (const button of await page.locator('li.experiment > button').all()) await button.click();
      await page.addScriptTag({ content: axeSource });
      const result = await page.evaluate(async () => await window.axe.run(document, { resultTypes: ['violations'] }));
      for (const v of result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')) {
        found.push(`${route} (${colorScheme}): ${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')}`);
      }
      await context.close();
    }
  }
  assert.deepEqual(found, []);
});
