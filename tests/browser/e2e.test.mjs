// The web app end to end in headless Chromium against a running gateway (and
// the five services behind it): $SKINLENS_URL, e.g. http://127.0.0.1:8080.
// Skipped when SKINLENS_URL is unset; run_browser_test.sh starts everything
// and sets it. Screenshots go to $SKINLENS_BROWSER_ARTIFACTS/e2e (default
// tests/browser/artifacts/e2e).
//
//   SKINLENS_URL=http://127.0.0.1:8080 node --test e2e.test.mjs

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  ASTRONAUT,
  artifactsDir,
  deleteAccountJourney,
  launchChromium,
  newPage,
  runJourney,
  screenshot,
  waitForLoadedImages,
} from './lib.mjs';

const BASE = process.env.SKINLENS_URL;
let browser;

before(async () => {
  if (BASE) browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

test('the whole journey through the real gateway', { skip: !BASE && 'SKINLENS_URL is not set' }, async (t) => {
  const artifacts = artifactsDir('e2e');
  // The notice must follow what the gateway says about its model.
  const model = await (await fetch(new URL('/v1/model', BASE))).json();
  const expectDemo = model?.modelInfo?.demoModel === true;
  t.diagnostic(`model ${model?.modelInfo?.version ?? '?'} (demo: ${expectDemo})`);

  const page = await newPage(browser, 'en-US');
  const response = await page.goto(BASE);
  const csp = response.headers()['content-security-policy'] ?? '';
  assert.match(csp, /default-src 'self'/, 'the gateway sends its Content-Security-Policy');

  const account = await runJourney(t, page, { baseUrl: BASE, artifacts, expectDemo, checkWire: true });
  if (account.completed) await deleteAccountJourney(t, page, { ...account, artifacts });
  await page.context().close();
});

test('live guidance through the real gate: a camera filming a still face is ready and the photo is taken by itself', { skip: !BASE && 'SKINLENS_URL is not set' }, async (t) => {
  // Chromium's fake camera plays an MJPEG file (JPEG frames one after another): the test face, held still.
  const dir = mkdtempSync(join(tmpdir(), 'skinlens-camera-'));
  const video = join(dir, 'still-face.mjpeg');
  writeFileSync(video, Buffer.concat(Array.from({ length: 10 }, () => readFileSync(ASTRONAUT))));
  const camera = await launchChromium([
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    `--use-file-for-fake-video-capture=${video}`,
  ]);
  try {
    const page = await newPage(camera, 'en-US');
    const frames = [];
    page.on('response', async (r) => {
      if (/\/v1\/captureSessions\/[^/]+\/frames/.test(r.url())) frames.push({ status: r.status(), body: await r.json().catch(() => null) });
    });
    await page.goto(`${BASE}/#/signup`);
    await page.fill('#username', `cam${Date.now().toString(36)}`);
    await page.fill('#password', 'violet-harbour-lantern-42');
    await page.getByTestId('auth-submit').click();
    await page.getByTestId('capture').waitFor();
    await page.getByTestId('use-camera').click();
    // The preprocess gate's answers reach the overlay, and after the streak the photo is taken.
    await waitForLoadedImages(page, '[data-testid="preview"]', 1);
    assert.match(await page.getByTestId('camera-message').innerText(), /taken by itself/);
    const judged = frames.filter((f) => f.body && !f.body.skipped);
    t.diagnostic(`frames answered: ${frames.length}, first: ${JSON.stringify(judged[0]?.body).slice(0, 300)}`);
    assert.ok(frames.every((f) => f.status === 200), JSON.stringify(frames.map((f) => f.status)));
    assert.ok(judged.length >= 3, `${judged.length} frames judged`);
    const last = judged.at(-1).body;
    assert.equal(last.captureNow, true);
    assert.equal(last.ready, true);
    assert.ok(last.readyStreak >= 3);
    assert.ok(last.face?.box?.width > 0, 'the gate found the face');
    assert.equal(last.frameWidth, 512, 'the frame as the camera gives it (at most 640 px)');
    await screenshot(page, artifactsDir('e2e'), 'guidance-captured');
    // The photo taken is analysed like any other.
    await page.getByTestId('analyse').click();
    await page.getByTestId('result').waitFor();
    await page.context().close();
  } finally {
    await camera.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
