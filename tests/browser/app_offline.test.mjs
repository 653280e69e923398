// The web app in headless Chromium against a fake gateway (fake_gateway.mjs):
// needs only the built app (services/gateway/web/dist) and /usr/bin/chromium,
// no C++ service. Walks the same journey as the end-to-end test, then checks
// what a real gateway cannot easily show: the webcam path with Chromium's fake
// camera, a phone-sized screen, Korean chosen from the browser language,
// sign-up reasons, a wrong password on account deletion, and a session that
// ends on the server.
//
//   npm ci && node --test app_offline.test.mjs    (in tests/browser)

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { DIST, FakeGateway } from './fake_gateway.mjs';
import {
  ASTRONAUT,
  artifactsDir,
  assertNoCspViolations,
  deleteAccountJourney,
  launchChromium,
  newPage,
  paintedPixels,
  runJourney,
  screenshot,
  waitForLoadedImages,
} from './lib.mjs';

const BASE = 'http://skinlens.test';
let browser;

before(async () => {
  assert.ok(existsSync(`${DIST}/index.html`), `build the app first: (cd services/gateway/web && npm ci && npm run build)`);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

async function fakePage(options = {}, locale = 'en-US', viewport) {
  const page = await newPage(browser, locale, viewport);
  const fake = new FakeGateway(options);
  await fake.install(page.context(), BASE);
  return { page, fake };
}

async function signUp(page, username, password = 'violet-harbour-lantern-42') {
  await page.goto(`${BASE}/#/signup`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.getByTestId('auth-submit').click();
  await page.getByTestId('capture').waitFor();
}

test('the whole journey against a fake gateway', async (t) => {
  const artifacts = artifactsDir('offline');
  const { page, fake } = await fakePage({ demo: true });
  const account = await runJourney(t, page, { baseUrl: BASE, artifacts, expectDemo: true, distinctHeatmaps: true });
  if (account.completed) await deleteAccountJourney(t, page, { ...account, artifacts });

  await t.test('every authenticated call sent the bearer token in the header, and the API saw the contract routes', () => {
    assert.ok(fake.authHeaders.length > 5);
    // Calls made after logout (the test's own check) and the wrong-credential login carry an old or no token.
    assert.ok(fake.authHeaders.filter((h) => /^Bearer tok_/.test(h)).length >= fake.authHeaders.length - 1);
    assert.ok(fake.calls.includes('POST /v1/diagnoses?includeHeatmaps=true'));
    assert.ok(fake.calls.includes('GET /v1/trends/oil'));
    assert.ok(fake.calls.includes('GET /v1/trends/hydration'));
    assert.ok(fake.calls.some((c) => c.startsWith('GET /v1/diagnoses?pageSize=')));
    assert.ok(fake.calls.includes('DELETE /v1/sessions/current'));
    assert.ok(fake.calls.includes('DELETE /v1/account'));
  });
  await page.context().close();
});

test('without the demo model there is no demo notice', async () => {
  const { page } = await fakePage({ demo: false });
  await page.goto(BASE);
  await page.getByTestId('login-form').waitFor();
  await page.waitForLoadState('networkidle');
  assert.equal(await page.getByTestId('demo-notice').count(), 0);
  await page.context().close();
});

test('Korean is chosen from the browser language, and the choice is remembered', async () => {
  const { page } = await fakePage({}, 'ko-KR');
  await page.goto(BASE);
  await page.getByTestId('login-form').waitFor();
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'ko');
  assert.equal(await page.getByTestId('auth-submit').innerText(), '로그인');
  await page.getByTestId('demo-notice').waitFor();
  assert.match(await page.getByTestId('demo-notice').innerText(), /실제 얼굴에 대한 등급은 의미가 없습니다/);
  await screenshot(page, artifactsDir('offline'), 'ko-login');
  await page.getByTestId('lang-switch').click();
  await page.reload();
  await page.getByTestId('login-form').waitFor();
  assert.equal(await page.getByTestId('auth-submit').innerText(), 'Log in');
  await page.context().close();
});

test('sign-up refusals are explained: short password, taken user ID', async () => {
  const { page } = await fakePage();
  await page.goto(`${BASE}/#/signup`);
  await page.fill('#username', 'mina');
  await page.fill('#password', 'short');
  await page.getByTestId('auth-submit').click();
  await page.getByTestId('error').waitFor();
  assert.match(await page.getByTestId('error').innerText(), /too short/);
  await page.fill('#password', 'violet-harbour-lantern-42');
  await page.getByTestId('auth-submit').click();
  await page.getByTestId('capture').waitFor();
  await page.getByTestId('logout').click();
  await page.getByTestId('auth-toggle').click();
  await page.fill('#username', 'MINA');
  await page.fill('#password', 'violet-harbour-lantern-42');
  await page.getByTestId('auth-submit').click();
  await page.getByTestId('error').waitFor();
  assert.match(await page.getByTestId('error').innerText(), /taken/);
  await page.context().close();
});

test('account deletion with a wrong password is refused and keeps the account', async () => {
  const { page } = await fakePage();
  await signUp(page, 'jun');
  await page.getByTestId('nav-account').click();
  await page.getByTestId('delete-password').fill('not-my-password');
  await page.getByTestId('delete-confirm').check();
  await page.getByTestId('delete-account').click();
  await page.getByTestId('error').waitFor();
  assert.match(await page.getByTestId('error').innerText(), /password is wrong/);
  assert.equal(await page.getByTestId('account').count(), 1);
  await page.context().close();
});

test('a session ended on the server sends the user to the login page', async () => {
  const { page, fake } = await fakePage();
  await signUp(page, 'hana');
  fake.sessions.clear();
  await page.getByTestId('nav-history').click();
  await page.getByTestId('login-form').waitFor();
  assert.match(await page.getByTestId('flash').innerText(), /session has ended/);
  await page.context().close();
});

test('on a phone-sized screen the result fits the width', async () => {
  const { page } = await fakePage({}, 'en-US', { width: 390, height: 844 });
  await signUp(page, 'phoneuser');
  await page.getByTestId('file-input').setInputFiles(ASTRONAUT);
  await page.getByTestId('analyse').click();
  await page.getByTestId('progress').waitFor();
  await page.getByTestId('result').waitFor();
  await waitForLoadedImages(page, 'img[data-heatmap-attribute]', 5);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
  await screenshot(page, artifactsDir('offline'), 'phone-result');
  await page.getByTestId('nav-trends').click();
  await page.getByTestId('trend-chart').waitFor();
  await page.waitForTimeout(400);
  await screenshot(page, artifactsDir('offline'), 'phone-trends');
  await assertNoCspViolations(page);
  await page.context().close();
});

test('an attribute the model cannot estimate shows no grade, in English and Korean', async () => {
  const { page } = await fakePage({ abstain: ['WRINKLE'] });
  await signUp(page, 'unsure');
  await page.getByTestId('file-input').setInputFiles(ASTRONAUT);
  await waitForLoadedImages(page, '[data-testid="preview"]', 1);
  await page.getByTestId('analyse').click();
  await page.getByTestId('result').waitFor();
  const wrinkle = page.locator('[data-testid="grade-card"][data-attribute="wrinkle"]');
  assert.equal(await wrinkle.getAttribute('data-abstained'), 'true');
  assert.equal(await wrinkle.getByTestId('grade-abstained').innerText(), 'Cannot estimate from this photo');
  assert.equal(await wrinkle.locator('.bar-fill').count(), 0, 'no probabilities shown as if graded');
  assert.doesNotMatch(await wrinkle.innerText(), /Grade [0-4]/);
  // The other four are graded as usual.
  assert.equal(await page.locator('[data-testid="grade-card"]:not([data-abstained])').count(), 4);
  await screenshot(page, artifactsDir('offline'), 'abstained');
  await page.getByTestId('lang-switch').click();
  await wrinkle.getByTestId('grade-abstained').waitFor();
  assert.equal(await wrinkle.getByTestId('grade-abstained').innerText(), '이 사진으로는 판단할 수 없습니다');
  await page.context().close();
});

test('the trend shows the repeat-scan noise band and marks changes beyond it', async () => {
  const { page } = await fakePage({ retestSd: 0.1 });
  await signUp(page, 'bands');
  for (let i = 0; i < 3; i++) {
    await page.getByTestId('nav-analyse').click();
    await page.getByTestId('file-input').setInputFiles(ASTRONAUT);
    await waitForLoadedImages(page, '[data-testid="preview"]', 1);
    await page.getByTestId('analyse').click();
    await page.getByTestId('result').waitFor();
  }
  await page.getByTestId('nav-trends').click();
  await page.getByTestId('trend-chart').waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="trend-chart"]')?.dataset.bandPoints === '3');
  // The fake's scores move by more than 1.96 * sqrt(2) * 0.1 from one analysis to the next.
  const significant = await page.getByTestId('trend-chart').evaluate((c) => Number(c.dataset.significantChanges));
  assert.ok(significant >= 1, `${significant} significant changes marked`);
  assert.match(await page.getByTestId('trend-band-note').innerText(), /shaded band shows how much the score moves/);
  assert.match(await page.getByTestId('trend-significant').innerText(), /Changes larger than repeat-scan noise/);
  assert.ok((await paintedPixels(page, '[data-testid="trend-chart"]')) > 500);
  await screenshot(page, artifactsDir('offline'), 'trend-bands');
  await page.context().close();
});

test('heatmaps are drawn from their values over the analysed photo', async () => {
  const { page } = await fakePage();
  await signUp(page, 'painter');
  await page.getByTestId('file-input').setInputFiles(ASTRONAUT);
  await waitForLoadedImages(page, '[data-testid="preview"]', 1);
  await page.getByTestId('analyse').click();
  await page.getByTestId('result').waitFor();
  await waitForLoadedImages(page, '[data-testid="heatmap-main"]', 1);
  const main = await page.getByTestId('heatmap-main').evaluate((img) => ({ src: img.src.slice(0, 22), w: img.naturalWidth, h: img.naturalHeight }));
  // The fake's whole-photo maps are 128 x 128; over a photo they are encoded as JPEG.
  assert.deepEqual(main, { src: 'data:image/jpeg;base64', w: 128, h: 128 });
  // The photo shows through: the image is not one flat colour as the bare map would be.
  const distinct = await page.getByTestId('heatmap-main').evaluate((img) => {
    const c = document.createElement('canvas');
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const ctx = c.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    const colours = new Set();
    for (let i = 0; i < d.length; i += 4 * 7) colours.add((d[i] >> 4) * 256 + (d[i + 1] >> 4) * 16 + (d[i + 2] >> 4));
    return colours.size;
  });
  assert.ok(distinct > 20, `${distinct} distinct colours: the photo is under the map`);
  await page.getByTestId('view-region').click();
  await waitForLoadedImages(page, '[data-testid="region-heatmap"]', 5);
  await assertNoCspViolations(page);
  await page.context().close();
});

test('the webcam path: take a photo with the (fake) camera and analyse it', async () => {
  const camBrowser = await launchChromium([
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    `--unsafely-treat-insecure-origin-as-secure=${BASE}`,
  ]);
  try {
    const page = await newPage(camBrowser);
    const fake = new FakeGateway();
    await fake.install(page.context(), BASE);
    await signUp(page, 'camuser');
    await page.getByTestId('use-camera').click();
    await page.getByTestId('camera').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="camera"]').videoWidth > 0);
    await screenshot(page, artifactsDir('offline'), 'camera');
    await page.getByTestId('take-photo').click();
    await waitForLoadedImages(page, '[data-testid="preview"]', 1);
    await page.getByTestId('analyse').click();
    await page.getByTestId('result').waitFor();
    assert.ok(fake.calls.includes('POST /v1/diagnoses?includeHeatmaps=true'));
    await assertNoCspViolations(page);
  } finally {
    await camBrowser.close();
  }
});
