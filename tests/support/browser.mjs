// Headless Debian Chromium driven by playwright-core, and a page wrapper that records every
// console error or warning, page error, failed request, request to another origin and panic
// banner, so that a test can fail on any of them.
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { serve } from './server.mjs';

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 360, height: 740 };

/** The built site from `cargo xtask test` (SITE_DIR, SITE_BASE). */
export async function serveSite() {
  const dir = process.env.SITE_DIR;
  assert.ok(dir, 'SITE_DIR is not set: run the end-to-end tests through `cargo xtask test`');
  return serve(dir, process.env.SITE_BASE ?? '/');
}

/**
 * Serves the built site and launches Chromium once for a test file (node:test's before and
 * after hooks), handing both to `set` before the file's tests run.
 */
export function useBrowser(set) {
  let browser;
  let site;
  before(async () => {
    site = await serveSite();
    browser = await launch();
    set(browser, site);
  });
  after(async () => {
    await browser?.close();
    await site?.close();
  });
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * Opens a fresh context and page that record problems. `options.colorScheme` picks the system
 * theme; `options.bypassCSP` is only for injecting the accessibility checker.
 */
export async function openPage(browser, site, viewport = DESKTOP, options = {}) {
  const context = await browser.newContext({
    viewport,
    colorScheme: options.colorScheme ?? 'light',
    bypassCSP: options.bypassCSP ?? false,
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`console ${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} (${req.failure()?.errorText})`));
  page.on('request', (req) => {
    const url = req.url();
    if (!url.startsWith(site.origin) && !url.startsWith('data:')) problems.push(`request to another origin: ${url}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()} for ${res.url()}`);
  });
  return { context, page, problems };
}

/** Navigates to a hash route of the site and waits for the app to render it. */
export async function visit(page, site, hashRoute = '#/') {
  await page.goto(site.url(hashRoute));
  await page.waitForSelector('.site-header');
  await page.waitForSelector('main h1');
}

/** Fails when the page recorded any problem or shows the panic banner. */
export async function assertClean(page, problems) {
  const banner = await page.locator('.panic-banner').count();
  if (banner > 0) problems.push(`panic banner: ${await page.locator('.panic-banner').first().textContent()}`);
  const where = new URL(page.url()).hash || '#/';
  assert.deepEqual(problems, [], `the page ${where} reported problems`);
}

/** Every page's hash route, read from the header's navigation (home first). */
export async function routes(page) {
  const hrefs = await page.$$eval('a.nav-link', (links) => links.map((a) => a.getAttribute('href')));
  return ['#/', ...hrefs.map((h) => h.slice(h.indexOf('#')))];
}

/** A file-name-safe name for a route: `#/` -> `home`, `#/estimate` -> `estimate`. */
export function routeName(route) {
  const name = route.replace(/^#\/?/, '').replace(/[^a-z0-9]+/gi, '-');
  return name || 'home';
}
