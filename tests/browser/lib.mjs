// Shared pieces of the browser tests: launching Debian's Chromium through
// playwright-core, the artifacts folder for screenshots, a darkened copy of
// the astronaut photo made in the browser, checks that the page broke no
// Content-Security-Policy rule and never put the token in a URL, and the
// user journey itself (runJourney), which both the offline test (fake
// gateway) and the end-to-end test (real gateway) walk.
//
//   const browser = await launchChromium();
//   const page = await newPage(browser, 'en-US');
//   await runJourney(t, page, { baseUrl, artifacts: artifactsDir('e2e'), expectDemo: true });

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(HERE, '..', '..');
export const ASTRONAUT = join(REPO, 'tests', 'data', 'astronaut.jpg');
export const CHROMIUM = process.env.SKINLENS_CHROMIUM || '/usr/bin/chromium';

/** Timeout of one wait for the page, in ms (an analysis on a 2-core machine can take seconds). */
export const WAIT_MS = Number(process.env.SKINLENS_BROWSER_WAIT_MS || 60_000);

/** The folder for screenshots: $SKINLENS_BROWSER_ARTIFACTS (default tests/browser/artifacts), then `sub`. */
export function artifactsDir(sub) {
  const dir = join(resolve(process.env.SKINLENS_BROWSER_ARTIFACTS || join(HERE, 'artifacts')), sub);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Starts headless Chromium; `args` are extra command-line switches. */
export function launchChromium(args = []) {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Containers often run as root without user namespaces.
    args: ['--no-sandbox', '--disable-dev-shm-usage', ...args],
  });
}

/**
 * A page in a new context with the given browser language and viewport,
 * recording CSP violations (window.__cspViolations) and every request URL.
 * Downloads are kept (in a temporary folder that goes with the context), so
 * the export tests can read the files.
 */
export async function newPage(browser, locale = 'en-US', viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ locale, viewport, acceptDownloads: true });
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  page.requestUrls = [];
  page.consoleErrors = [];
  page.on('request', (r) => page.requestUrls.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error') page.consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => page.consoleErrors.push(`pageerror: ${e.message}`));
  return page;
}

export async function screenshot(page, dir, name) {
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

/** The astronaut photo darkened to 20% brightness (as the preprocess tests do), re-encoded as JPEG in the page. */
export async function darkAstronautJpeg(page) {
  const b64 = readFileSync(ASTRONAUT).toString('base64');
  const out = await page.evaluate(async (input) => {
    const bytes = Uint8Array.from(atob(input), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/jpeg' }));
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d');
    ctx.drawImage(bitmap, 0, 0);
    const image = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
    for (let i = 0; i < image.data.length; i += 4) {
      image.data[i] *= 0.2;
      image.data[i + 1] *= 0.2;
      image.data[i + 2] *= 0.2;
    }
    ctx.putImageData(image, 0, 0);
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
    const buf = new Uint8Array(await blob.arrayBuffer());
    let s = '';
    for (const b of buf) s += String.fromCharCode(b);
    return btoa(s);
  }, b64);
  return Buffer.from(out, 'base64');
}

/** The astronaut cut to 3:4 portrait, as a phone camera takes it (a taller preview than the square original), as JPEG. */
export async function portraitAstronautJpeg(page) {
  const b64 = readFileSync(ASTRONAUT).toString('base64');
  const out = await page.evaluate(async (input) => {
    const bytes = Uint8Array.from(atob(input), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/jpeg' }));
    const width = Math.round((bitmap.height * 3) / 4);
    const canvas = new OffscreenCanvas(width, bitmap.height);
    canvas.getContext('2d').drawImage(bitmap, (width - bitmap.width) / 2, 0);
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 });
    const buf = new Uint8Array(await blob.arrayBuffer());
    let s = '';
    for (const b of buf) s += String.fromCharCode(b);
    return btoa(s);
  }, b64);
  return Buffer.from(out, 'base64');
}

/** Number of pixels of a canvas that are not fully transparent. */
export async function paintedPixels(page, selector) {
  return page.evaluate((sel) => {
    const c = document.querySelector(sel);
    if (!c || !c.width || !c.height) return 0;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) n++;
    return n;
  }, selector);
}

/** Waits until `count` images matching `selector` have loaded with a non-zero size. */
export async function waitForLoadedImages(page, selector, count) {
  await page.waitForFunction(
    ([sel, n]) => [...document.querySelectorAll(sel)].filter((i) => i.complete && i.naturalWidth > 0).length >= n,
    [selector, count],
  );
}

/** Fails when the page reported a CSP violation. */
export async function assertNoCspViolations(page) {
  const violations = await page.evaluate(() => window.__cspViolations);
  assert.deepEqual(violations, [], `CSP violations: ${violations.join('; ')}`);
  const refused = page.consoleErrors.filter((m) => /Content Security Policy/i.test(m));
  assert.deepEqual(refused, [], `CSP errors in the console: ${refused.join('; ')}`);
}

/** Fails when `token` appears in any URL the page requested. */
export function assertTokenNotInUrls(page, token) {
  assert.ok(token && token.length >= 8, 'a session token was stored');
  const leaked = page.requestUrls.filter((u) => u.includes(token) || u.includes(encodeURIComponent(token)));
  assert.deepEqual(leaked, [], 'the token appeared in a URL');
}

const text = (page, testId) => page.getByTestId(testId).first().innerText();

/**
 * Clicks the button `testId` and returns the file the page downloaded: its
 * suggested name, content and the type of the Blob it was made from.
 */
export async function downloadFrom(page, testId) {
  await page.evaluate(() => {
    if (window.__blobTypes) return;
    window.__blobTypes = [];
    const create = URL.createObjectURL;
    URL.createObjectURL = (blob) => {
      window.__blobTypes.push(blob.type);
      return create.call(URL, blob);
    };
  });
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  const path = await download.path();
  const type = await page.evaluate(() => window.__blobTypes.at(-1));
  return { name: download.suggestedFilename(), text: readFileSync(path, 'utf8'), type };
}

/** The rows of a CSV export (services/history's columns), without the header. */
export function csvRows(csv) {
  const lines = csv.split('\r\n').filter((l) => l !== '');
  assert.equal(lines[0], 'diagnosis_id,create_time,model_version,demo_model,attribute,grade,expected_score,abstained');
  return lines.slice(1).map((l) => l.split(','));
}

/**
 * Runs journey steps as subtests of `t`; after a failed step (which leaves a
 * screenshot named failed-<n>) the remaining steps are skipped, since each
 * depends on the ones before.
 */
function stepper(t, page, artifacts) {
  let failed = false;
  let n = 0;
  const step = async (name, fn) => {
    n++;
    const index = n;
    await t.test(name, { skip: failed && 'an earlier step failed' }, async () => {
      try {
        await fn();
      } catch (e) {
        failed = true;
        await screenshot(page, artifacts, `failed-${String(index).padStart(2, '0')}`).catch(() => {});
        throw e;
      }
    });
  };
  step.failed = () => failed;
  return step;
}

/** Most bytes the web app's diagnosis response may take on the wire (with heatmaps). */
export const MAX_RESULT_WIRE_BYTES = 1.5e6;

/**
 * The diagnosis response as Chromium received it: compressed (brotli or gzip,
 * never an encoding the browser did not ask for) and at most
 * MAX_RESULT_WIRE_BYTES on the wire, so neither overlay images nor a slow
 * compression setting can come back unnoticed.
 */
async function assertSmallCompressedResult(t, response) {
  const accept = (await response.request().allHeaders())['accept-encoding'] ?? '';
  const encoding = response.headers()['content-encoding'] ?? '';
  assert.match(accept, /\b(br|gzip)\b/, 'Chromium asks for compressed responses');
  assert.ok(['br', 'gzip'].includes(encoding), `the result is compressed (content-encoding "${encoding}")`);
  assert.ok(accept.includes(encoding), `"${encoding}" is one of what the browser accepts: ${accept}`);
  assert.match(response.headers()['vary'] ?? '', /accept-encoding/i);
  const { responseBodySize } = await response.request().sizes();
  const decoded = (await response.body()).length;
  t.diagnostic(`diagnosis response: ${responseBodySize} bytes on the wire (${encoding}), ${decoded} decoded`);
  assert.ok(responseBodySize > 0 && responseBodySize <= MAX_RESULT_WIRE_BYTES, `${responseBodySize} bytes on the wire`);
  assert.ok(responseBodySize < decoded, 'the wire size is the compressed size');
}

/** Waits for the analysis to end; fails at once with the page's message when it was not a result. */
async function waitForAnalysis(page) {
  await page.locator('[data-testid="result"], [data-testid="capture-failure"]').first().waitFor();
  if ((await page.getByTestId('capture-failure').count()) > 0) {
    assert.fail(`the analysis failed: ${await page.getByTestId('capture-failure').innerText()}`);
  }
}

/**
 * The whole user journey of issue 8: sign up, log out, log in, upload the
 * astronaut photo and see five grades with meanings and five heatmaps (whole
 * face and per region), see it in history and open it, see a drawn trend
 * chart, get a dark photo refused with its reason and measurement in words,
 * switch to Korean and back, change the password on the account page (a wrong
 * current one first), export the history as CSV and JSON, delete the history
 * entry, log out. `t` is the node:test context (each step is a subtest; after
 * a failed step the rest are skipped). With `distinctHeatmaps`, the five
 * whole-face overlays must differ. Returns { username, password, completed }
 * of the account it made (the password as changed).
 */
export async function runJourney(t, page, { baseUrl, artifacts, expectDemo, distinctHeatmaps = false, checkWire = false }) {
  const step = stepper(t, page, artifacts);
  const username = `web${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
  let password = 'violet-harbour-lantern-42';
  const newPassword = 'quiet-meadow-compass-17';
  let token = '';
  // Attributes the model did not grade in the uploaded photo: they have no trend point.
  let notEstimated = [];

  await step('the login page renders in the browser language, with the demo notice when the demo model is loaded', async () => {
    await page.goto(baseUrl);
    await page.getByTestId('login-form').waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    assert.equal(await text(page, 'lang-switch'), '한국어');
    if (expectDemo) {
      await page.getByTestId('demo-notice').waitFor();
      assert.match(await text(page, 'demo-notice'), /not meaningful for real faces/i);
    } else {
      assert.equal(await page.getByTestId('demo-notice').count(), 0);
    }
    await screenshot(page, artifacts, '01-login');
  });

  await step('sign up logs in', async () => {
    await page.getByTestId('auth-toggle').click();
    await page.getByTestId('signup-form').waitFor();
    await page.fill('#username', username);
    await page.fill('#password', password);
    await screenshot(page, artifacts, '02-signup');
    await page.getByTestId('auth-submit').click();
    await page.getByTestId('capture').waitFor();
    token = await page.evaluate(() => JSON.parse(sessionStorage.getItem('skinlens.session') || '{}').token || '');
    assert.ok(token, 'token kept in sessionStorage');
    assert.equal(await page.evaluate(() => localStorage.length === 0 || !JSON.stringify({ ...localStorage }).includes('token')), true);
  });

  await step('log out, then log in again', async () => {
    await page.getByTestId('logout').click();
    await page.getByTestId('login-form').waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('skinlens.session')), null);
    await page.fill('#username', username);
    await page.fill('#password', 'wrong-password-123');
    await page.getByTestId('auth-submit').click();
    await page.getByTestId('error').waitFor();
    assert.match(await text(page, 'error'), /Wrong user ID or password/);
    await page.fill('#password', password);
    await page.getByTestId('auth-submit').click();
    await page.getByTestId('capture').waitFor();
    token = await page.evaluate(() => JSON.parse(sessionStorage.getItem('skinlens.session')).token);
  });

  await step('without camera access the page says so and offers the file instead', async () => {
    await page.getByTestId('use-camera').click();
    await page.getByTestId('camera-message').waitFor();
    assert.match(await text(page, 'camera-message'), /photo file instead/);
  });

  await step('upload the astronaut photo: five grades with meanings and probabilities', async () => {
    await page.getByTestId('file-input').setInputFiles(ASTRONAUT);
    await waitForLoadedImages(page, '[data-testid="preview"]', 1);
    const diagnosed = page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/diagnoses' && r.request().method() === 'POST');
    await page.getByTestId('analyse').click();
    const response = await diagnosed;
    await waitForAnalysis(page);
    if (checkWire) await assertSmallCompressedResult(t, response);
    const cards = page.getByTestId('grade-card');
    assert.equal(await cards.count(), 5);
    const attributes = await cards.evaluateAll((els) => els.map((e) => e.dataset.attribute));
    assert.deepEqual(attributes, ['oil', 'hydration', 'wrinkle', 'pigmentation', 'sensitivity']);
    // Each card is graded, or says the model cannot estimate it from this photo (a calibrated
    // model abstains when it is not confident enough).
    const graded = page.locator('[data-testid="grade-card"]:not([data-abstained])');
    const abstained = await page.locator('[data-testid="grade-card"][data-abstained="true"]').count();
    assert.equal((await graded.count()) + abstained, 5);
    for (const value of await graded.getByTestId('grade-value').allInnerTexts()) {
      assert.match(value, /^[0-4]$/);
    }
    for (const meaning of await page.getByTestId('grade-meaning').allInnerTexts()) {
      assert.match(meaning, /^Grade [0-4] on a 0–4 scale — \S/);
    }
    for (const text of await page.getByTestId('grade-abstained').allInnerTexts()) {
      assert.equal(text, 'Cannot estimate from this photo');
    }
    notEstimated = await page.locator('[data-testid="grade-card"][data-abstained="true"]').evaluateAll((els) => els.map((e) => e.dataset.attribute));
    if (abstained > 0) t.diagnostic(`not estimated from this photo: ${notEstimated.join(', ')}`);
    // Five probability bars per graded attribute, whose widths add up to about 100%.
    const sums = await graded.evaluateAll((els) =>
      els.map((e) => [...e.querySelectorAll('.bar-fill')].reduce((s, f) => s + parseFloat(f.style.width), 0)),
    );
    for (const s of sums) assert.ok(s > 95 && s < 105, `probabilities sum to ${s}%`);
    assert.equal(await page.locator('.grade-card .bar-fill').count(), 5 * (5 - abstained));
    if (expectDemo) await page.getByTestId('result-demo').waitFor();
  });

  await step('five Grad-CAM heatmaps, switchable per attribute, whole face and by region', async () => {
    await waitForLoadedImages(page, 'img[data-heatmap-attribute]', 5);
    await waitForLoadedImages(page, '[data-testid="heatmap-main"]', 1);
    await screenshot(page, artifacts, '03-result');
    const seen = new Set();
    for (const attribute of ['oil', 'hydration', 'wrinkle', 'pigmentation', 'sensitivity']) {
      await page.locator(`[data-testid="heatmap-tab"][data-attribute="${attribute}"]`).click();
      await page.locator(`[data-testid="heatmap-main"][data-attribute="${attribute}"]`).waitFor();
      await waitForLoadedImages(page, '[data-testid="heatmap-main"]', 1);
      seen.add(await page.getByTestId('heatmap-main').getAttribute('src'));
    }
    // A real model whose maps are all zero (e.g. a random bundle) draws five identical overlays.
    if (distinctHeatmaps) assert.equal(seen.size, 5, 'each attribute shows its own whole-face heatmap');
    await page.getByTestId('view-region').click();
    await waitForLoadedImages(page, '[data-testid="region-heatmap"]', 1);
    const regions = await page.getByTestId('region-heatmap').evaluateAll((els) => els.map((e) => e.dataset.region));
    assert.ok(regions.length >= 1, 'at least one region heatmap');
    await screenshot(page, artifacts, '04-result-regions');
    await page.getByTestId('view-whole').click();
  });

  await step('the analysis is in history and opens again', async () => {
    await page.getByTestId('nav-history').click();
    await page.getByTestId('history-item').first().waitFor();
    assert.equal(await page.getByTestId('history-item').count(), 1);
    await screenshot(page, artifacts, '05-history');
    await page.getByTestId('history-open').first().click();
    await page.getByTestId('result').waitFor();
    assert.equal(await page.getByTestId('grade-card').count(), 5);
    await screenshot(page, artifacts, '06-history-opened');
    await page.getByTestId('back-to-history').click();
    await page.getByTestId('history-item').first().waitFor();
  });

  await step('a trend chart is drawn per attribute; one the model could not estimate has none', async () => {
    await page.getByTestId('nav-trends').click();
    const charted = ['oil', 'hydration', 'wrinkle', 'pigmentation', 'sensitivity'].filter((a) => !notEstimated.includes(a));
    assert.ok(charted.length >= 1, 'at least one attribute was graded');
    for (const [i, attribute] of charted.slice(0, 2).entries()) {
      await page.getByTestId('trend-attribute').selectOption(attribute);
      await page.waitForFunction(() => {
        const c = document.querySelector('[data-testid="trend-chart"]');
        if (!c || !c.width) return false;
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let k = 3; k < d.length; k += 4) if (d[k]) n++;
        return n > 500;
      });
      await page.waitForTimeout(400); // Chart.js animates for 250 ms.
      assert.ok((await paintedPixels(page, '[data-testid="trend-chart"]')) > 500);
      await screenshot(page, artifacts, `0${7 + i}-trend-${attribute}`);
    }
    if (notEstimated.length > 0) {
      await page.getByTestId('trend-attribute').selectOption(notEstimated[0]);
      await page.getByTestId('trend-empty').waitFor();
    }
  });

  await step('a dark photo is refused with its reason and how to fix it', async () => {
    const dark = await darkAstronautJpeg(page);
    writeFileSync(join(artifacts, 'dark.jpg'), dark);
    await page.getByTestId('nav-analyse').click();
    await page.getByTestId('file-input').setInputFiles({ name: 'dark.jpg', mimeType: 'image/jpeg', buffer: dark });
    await page.getByTestId('analyse').click();
    await page.getByTestId('capture-failure').waitFor();
    const refusal = await page.getByTestId('capture-failure').innerText();
    assert.equal(await page.getByTestId('quality-refusal').count(), 1, `not a quality refusal: ${refusal}`);
    const reason = page.locator('[data-testid="quality-refusal"] li[data-reason="TOO_DARK"]');
    assert.equal(await reason.count(), 1, `no TOO_DARK reason in: ${refusal}`);
    assert.match(await reason.innerText(), /too dark[\s\S]*How to fix it: Move to a brighter place/);
    // The measurement in words, on its scale; no internal service name anywhere.
    assert.match(await reason.innerText(), /Brightness \d+ on a 0–255 scale; at least \d+ is needed\./);
    assert.doesNotMatch(refusal, /\b(preprocess|gateway|auth):/);
    await screenshot(page, artifacts, '09-refused-dark');
  });

  await step('the language switch turns every text to Korean and back', async () => {
    await page.getByTestId('lang-switch').click();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'ko');
    assert.equal(await text(page, 'nav-history'), '기록');
    assert.equal(await text(page, 'lang-switch'), 'English');
    const reason = page.locator('[data-testid="quality-refusal"] li[data-reason="TOO_DARK"]');
    assert.match(await reason.innerText(), /사진이 너무 어둡습니다/);
    if (expectDemo) assert.match(await text(page, 'demo-notice'), /실제 얼굴/);
    await screenshot(page, artifacts, '10-korean');
    await page.getByTestId('lang-switch').click();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    assert.equal(await text(page, 'nav-history'), 'History');
  });

  await step('change the password on the account page: a wrong current one is refused in words, then it changes', async () => {
    await page.getByTestId('nav-account').click();
    await page.getByTestId('change-password-form').waitFor();
    await page.getByTestId('current-password').fill('not-the-password-1');
    await page.getByTestId('new-password').fill(newPassword);
    await page.getByTestId('change-password').click();
    await page.getByTestId('error').waitFor();
    assert.equal(await text(page, 'error'), 'The current password is wrong.');
    await page.getByTestId('current-password').fill(password);
    await page.getByTestId('new-password').fill(newPassword);
    await page.getByTestId('change-password').click();
    await page.getByTestId('password-changed').waitFor();
    assert.match(await text(page, 'password-changed'), /^Your password was changed\. You stay logged in here\./);
    assert.equal(await page.getByTestId('error').count(), 0);
    await screenshot(page, artifacts, '11-password-changed');
    // The API keeps this session: the next call still works.
    await page.getByTestId('nav-history').click();
    await page.getByTestId('history-item').first().waitFor();
    await page.getByTestId('nav-account').click();
    password = newPassword;
  });

  await step('export the history as CSV and JSON files', async () => {
    const csv = await downloadFrom(page, 'export-csv');
    assert.match(csv.name, /^skinlens-history-\d{4}-\d{2}-\d{2}\.csv$/);
    assert.match(csv.type, /^text\/csv/);
    const rows = csvRows(csv.text);
    assert.equal(rows.length, 5, 'one row per attribute of the one saved analysis');
    assert.deepEqual(rows.map((r) => r[4]).sort(), ['ATTRIBUTE_HYDRATION', 'ATTRIBUTE_OIL', 'ATTRIBUTE_PIGMENTATION', 'ATTRIBUTE_SENSITIVITY', 'ATTRIBUTE_WRINKLE']);
    assert.equal(await text(page, 'export-done'), `Downloaded ${csv.name}.`);
    const json = await downloadFrom(page, 'export-json');
    assert.match(json.name, /^skinlens-history-\d{4}-\d{2}-\d{2}\.json$/);
    assert.equal(json.type, 'application/json');
    const doc = JSON.parse(json.text);
    assert.equal(doc.username, username);
    assert.equal(doc.diagnoses.length, 1);
    assert.equal(doc.diagnoses[0].id, rows[0][0], 'the same analysis as in the CSV');
    assert.equal(doc.diagnoses[0].results.length, 5);
  });

  await step('delete the history entry', async () => {
    await page.getByTestId('nav-history').click();
    await page.getByTestId('history-item').first().waitFor();
    page.once('dialog', (d) => d.accept());
    await page.getByTestId('history-delete').first().click();
    await page.getByTestId('history-empty').waitFor();
    assert.equal(await page.getByTestId('history-item').count(), 0);
  });

  await step('log out; the page kept the rules (no CSP violation, no token in a URL)', async () => {
    await page.getByTestId('logout').click();
    await page.getByTestId('login-form').waitFor();
    assert.match(await text(page, 'flash'), /logged out/);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('skinlens.session')), null);
    await screenshot(page, artifacts, '12-logged-out');
    // After logout the old token no longer works.
    const status = await page.evaluate(
      async (tok) => (await fetch('/v1/diagnoses', { headers: { Authorization: `Bearer ${tok}` } })).status,
      token,
    );
    assert.equal(status, 401);
    await assertNoCspViolations(page);
    assertTokenNotInUrls(page, token);
  });

  return { username, password, completed: !step.failed() };
}

/** Logs in and deletes the account; then logging in fails. */
export async function deleteAccountJourney(t, page, { username, password, artifacts }) {
  await stepper(t, page, artifacts)('delete the account after confirming with the password', async () => {
    await page.fill('#username', username);
    await page.fill('#password', password);
    await page.getByTestId('auth-submit').click();
    await page.getByTestId('nav-account').click();
    await page.getByTestId('delete-password').fill(password);
    assert.equal(await page.getByTestId('delete-account').isDisabled(), true, 'disabled until confirmed');
    await page.getByTestId('delete-confirm').check();
    await screenshot(page, artifacts, '13-delete-account');
    await page.getByTestId('delete-account').click();
    await page.getByTestId('login-form').waitFor();
    assert.match(await text(page, 'flash'), /account and its history were deleted/);
    await page.fill('#username', username);
    await page.fill('#password', password);
    await page.getByTestId('auth-submit').click();
    await page.getByTestId('error').waitFor();
    assert.match(await text(page, 'error'), /Wrong user ID or password/);
  });
}
