// The monkey: on every page, a few hundred seeded random interactions (clicks, hostile and random
// text typed into inputs, key presses, slider and select changes). Fails on any panic, page error
// or console error. A new page is covered automatically through the header's navigation.
import { test, before, after } from 'node:test';
import { launch, serveSite, openPage, visit, assertClean, routes } from '../support/browser.mjs';

const ACTIONS_PER_PAGE = 200;
const SEED = Number(process.env.MONKEY_SEED ?? 20261203);

const HOSTILE = [
  '', ' ', '-1', '0', '1e308', '1e-308', 'NaN', 'Infinity', '-Infinity', '18446744073709551616',
  '99999999999999999999999999', '4294967296', '0x10', '1,2,3', '1:0', '0:0', ':', '1:2:3', '½', '١٢٣',
  '<script>alert(1)</script>', 'javascript:alert(1)', '"quoted"', "' OR 1=1 --", '%00', '\u0000', '💥',
  'a'.repeat(500), '   42   ', '-0', '+7', '3.14159', '1_000', '5 XB', '10 GB', 'null', '[]', '{}',
];

/** mulberry32: a small seeded PRNG, so a failing run can be replayed with MONKEY_SEED. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('a seeded monkey on every page finds no panic and no console error', async () => {
  const browser = await launch();
  const site = await serveSite();
  try {
    const first = await openPage(browser, site);
    await visit(first.page, site, '#/');
    const all = await routes(first.page);
    await first.context.close();
    const random = rng(SEED);
    const pick = (list) => list[Math.floor(random() * list.length)];
    for (const route of all) {
      const { context, page, problems } = await openPage(browser, site);
      await visit(page, site, route);
      const path = route.split('?')[0];
      for (let i = 0; i < ACTIONS_PER_PAGE; i++) {
        // One round trip lists what a person could act on now: visible, enabled controls in main,
        // without links that leave this page. Each gets a number to find it by.
        const usable = await page.evaluate((path) => {
          const found = [];
          document.querySelectorAll('[data-monkey]').forEach((el) => el.removeAttribute('data-monkey'));
          for (const el of document.querySelectorAll('main button, main input, main select, main a[href]')) {
            const box = el.getBoundingClientRect();
            if (box.width === 0 || box.height === 0 || el.disabled || getComputedStyle(el).visibility === 'hidden') continue;
            const href = el.getAttribute('href');
            if (href !== null && !(href.includes('#') && href.slice(href.indexOf('#')).split('?')[0] === path)) continue;
            el.setAttribute('data-monkey', String(found.length));
            found.push(el.tagName.toLowerCase() + ':' + (el.getAttribute('type') ?? ''));
          }
          return found;
        }, path);
        const roll = random();
        try {
          if (roll < 0.15 || usable.length === 0) {
            await page.keyboard.press(pick(['Space', 'ArrowLeft', 'ArrowRight', 'r', 'Tab', 'Enter', 'Escape', '?']));
          } else {
            const index = Math.floor(random() * usable.length);
            const tag = usable[index];
            const target = page.locator(`[data-monkey="${index}"]`);
            if (tag === 'input:text' || tag === 'input:' || tag === 'input:search' || tag === 'input:number') {
              await target.fill(random() < 0.7 ? pick(HOSTILE) : String(Math.floor(random() * 1e6)), { timeout: 1000 });
            } else if (tag === 'input:range') {
              await target.evaluate((el, f) => {
                const min = Number(el.min || 0), max = Number(el.max || 100);
                el.value = String(min + f * (max - min));
                el.dispatchEvent(new Event('input', { bubbles: true }));
                el.dispatchEvent(new Event('change', { bubbles: true }));
              }, random());
            } else if (tag.startsWith('select')) {
              const options = await target.locator('option').count();
              if (options) await target.selectOption({ index: Math.floor(random() * options) }, { timeout: 1000 });
            } else {
              await target.click({ timeout: 1000 });
            }
          }
        } catch (e) {
          // An element that went away between listing and acting is not a failure of the app.
          if (!/detached|not attached|Timeout|not visible|outside of the viewport|not an? (input|select)/i.test(String(e))) throw e;
        }
        if ((await page.locator('.panic-banner').count()) > 0) break;
      }
      await assertClean(page, problems);
      await context.close();
    }
  } finally {
    await browser.close();
    await site.close();
  }
});
