// Benchmark: what a person waits for in the web app, in headless Chromium
// against a running gateway ($SKINLENS_URL) — from the click on "Analyse" to
// the result drawn with its whole-face heatmap loaded — next to the gateway's
// own total for the same call (DiagnoseResponse.timings.total), and the bytes
// the result took on the wire. Run by hand (scripts/bench-browser starts the
// services); the figures go to docs/BENCHMARKS.md.
//
//   SKINLENS_URL=http://127.0.0.1:8080 node bench_click_to_result.mjs [--runs=8] [--json=out.json]
//
// Photos: tests/data/astronaut.jpg (512 x 512) and the same drawn at
// 4000 x 3000 (12 MP) in the page. One warm-up analysis per photo is not
// counted.

import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ASTRONAUT, launchChromium, newPage, waitForLoadedImages } from './lib.mjs';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '8' },
    json: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (args.help) {
  console.log('usage: SKINLENS_URL=http://host:port node bench_click_to_result.mjs [--runs=N] [--json=FILE]');
  process.exit(0);
}
const BASE = process.env.SKINLENS_URL;
if (!BASE) {
  console.error('bench_click_to_result: set SKINLENS_URL to the gateway, e.g. http://127.0.0.1:8080');
  process.exit(2);
}
const RUNS = Number(args.runs);
if (!Number.isInteger(RUNS) || RUNS < 1) {
  console.error(`bench_click_to_result: --runs must be a positive integer, not '${args.runs}'`);
  process.exit(2);
}

/** "1.234s" (a protobuf Duration in JSON) in milliseconds. */
const durationMs = (d) => (typeof d === 'string' && d.endsWith('s') ? Number(d.slice(0, -1)) * 1000 : NaN);

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { min: sorted[0], p50: at(0.5), max: sorted[sorted.length - 1] };
}

/** The astronaut scaled to 4000 x 3000 and encoded as JPEG (quality 0.92) in the page. */
async function twelveMegapixelJpeg(page) {
  const b64 = await page.evaluate(async (input) => {
    // From bytes, not a data: URL, which the page's Content-Security-Policy does not let it fetch.
    const source = Uint8Array.from(atob(input), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([source], { type: 'image/jpeg' }));
    const canvas = new OffscreenCanvas(4000, 3000);
    const ctx = canvas.getContext('2d');
    // Bicubic-like smoothing of an 8x enlargement reads as a blurred photo to the quality
    // gate; nearest-neighbour keeps edges as sharp as a real 12 MP camera's.
    ctx.imageSmoothingEnabled = false;
    ctx.drawImage(bitmap, 0, 0, 4000, 3000);
    const bytes = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.92 })).arrayBuffer());
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  }, readFileSync(ASTRONAUT).toString('base64'));
  return { name: 'astronaut-12mp.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(b64, 'base64') };
}

async function signUp(page) {
  await page.goto(BASE);
  await page.getByTestId('login-form').waitFor();
  await page.getByTestId('auth-toggle').click();
  await page.fill('#username', `bench${Date.now().toString(36)}`);
  await page.fill('#password', 'violet-harbour-lantern-42');
  await page.getByTestId('auth-submit').click();
  await page.getByTestId('capture').waitFor();
}

/** One analysis: click-to-result in the page's clock, the gateway's total, and wire bytes. */
async function analyseOnce(page, file) {
  await page.getByTestId('nav-analyse').click();
  await page.getByTestId('capture').waitFor();
  await page.getByTestId('file-input').setInputFiles(file);
  await waitForLoadedImages(page, '[data-testid="preview"]', 1);
  // The clock starts in the page as the click arrives, before the app's own handler.
  await page.evaluate(() => {
    const button = document.querySelector('[data-testid="analyse"]');
    button.addEventListener('click', () => (window.__clickedAt = performance.now()), { capture: true, once: true });
  });
  const responded = page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/diagnoses' && r.request().method() === 'POST');
  await page.getByTestId('analyse').click();
  const response = await responded;
  if (!response.ok()) {
    throw new Error(`the analysis failed with HTTP ${response.status()}: ${(await response.text()).slice(0, 400)}`);
  }
  // Result shown: the five grade cards and the whole-face heatmap image decoded.
  const elapsed = await page.waitForFunction(
    () => {
      const img = document.querySelector('[data-testid="heatmap-main"]');
      const ready = document.querySelectorAll('[data-testid="grade-card"]').length === 5 && img && img.complete && img.naturalWidth > 0;
      return ready ? performance.now() - window.__clickedAt : false;
    },
    undefined,
    { polling: 'raf' },
  );
  const body = await response.json();
  const sizes = await response.request().sizes();
  return {
    clickToResultMs: await elapsed.jsonValue(),
    gatewayTotalMs: durationMs(body?.timings?.total),
    wireBytes: sizes.responseBodySize,
    decodedBytes: (await response.body()).length,
    encoding: response.headers()['content-encoding'] ?? 'identity',
  };
}

const browser = await launchChromium();
const results = [];
try {
  const page = await newPage(browser, 'en-US');
  await signUp(page);
  const photos = [
    { label: '512 x 512', file: ASTRONAUT },
    { label: '12 MP (4000 x 3000)', file: await twelveMegapixelJpeg(page) },
  ];
  for (const photo of photos) {
    await analyseOnce(page, photo.file); // warm-up
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      runs.push(await analyseOnce(page, photo.file));
      process.stderr.write(`\r${photo.label}: ${i + 1}/${RUNS}`);
    }
    process.stderr.write('\n');
    const click = stats(runs.map((r) => r.clickToResultMs));
    const gateway = stats(runs.map((r) => r.gatewayTotalMs));
    const over = stats(runs.map((r) => r.clickToResultMs - r.gatewayTotalMs));
    results.push({ photo: photo.label, runs, click, gateway, over, wireBytes: runs[0].wireBytes, decodedBytes: runs[0].decodedBytes, encoding: runs[0].encoding });
  }
} finally {
  await browser.close();
}

const ms = (v) => `${Math.round(v)}`;
console.log(`Click-to-result in Chromium against ${BASE}, ${RUNS} runs per photo (ms: p50 [min-max])\n`);
console.log('| photo | click-to-result | gateway total | browser - gateway | result on the wire |');
console.log('|---|---|---|---|---|');
for (const r of results) {
  console.log(
    `| ${r.photo} | ${ms(r.click.p50)} [${ms(r.click.min)}-${ms(r.click.max)}] | ${ms(r.gateway.p50)} [${ms(r.gateway.min)}-${ms(r.gateway.max)}] | ` +
      `${ms(r.over.p50)} [${ms(r.over.min)}-${ms(r.over.max)}] | ${(r.wireBytes / 1024).toFixed(0)} KiB ${r.encoding} (${(r.decodedBytes / 1024).toFixed(0)} KiB decoded) |`,
  );
}
if (args.json) writeFileSync(args.json, JSON.stringify(results, null, 2));
