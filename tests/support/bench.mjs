// The browser half of `cargo xtask bench`: serves the wasm-bindgen output of bench-wasm (BENCH_DIR)
// on 127.0.0.1, runs its kernels in headless Chromium and prints their ns/op as one JSON line.
import fs from 'node:fs/promises';
import path from 'node:path';
import { serve } from './server.mjs';
import { launch } from './browser.mjs';

const dir = process.env.BENCH_DIR;
await fs.writeFile(path.join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>bench</title>');
const site = await serve(dir, '/');
const browser = await launch();
try {
  const page = await browser.newPage();
  await page.goto(site.url(''));
  const json = await page.evaluate(async () => {
    const bench = await import('./playground_bench_wasm.js');
    await bench.default();
    return bench.run_kernels();
  });
  console.log(json);
} finally {
  await browser.close();
  await site.close();
}
