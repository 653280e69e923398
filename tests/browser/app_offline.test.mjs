// The web app in headless Chromium against a fake gateway (fake_gateway.mjs):
// needs only the built app (services/gateway/web/dist) and /usr/bin/chromium,
// no C++ service. Walks the same journey as the end-to-end test, then checks
// what a real gateway cannot easily show: the webcam path with Chromium's fake
// camera, a phone-sized screen, Korean chosen from the browser language,
// sign-up reasons, a wrong password on account deletion, a session that ends
// on the server, error sentences in both languages, the password change and
// export in detail, and the trend chart's text alternative.
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
  csvRows,
  deleteAccountJourney,
  downloadFrom,
  launchChromium,
  newPage,
  paintedPixels,
  portraitAstronautJpeg,
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

const PASSWORD = 'violet-harbour-lantern-42';

async function signUp(page, username, password = PASSWORD) {
  await page.goto(`${BASE}/#/signup`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.getByTestId('auth-submit').click();
  await page.getByTestId('capture').waitFor();
}

async function analyse(page, times) {
  for (let i = 0; i < times; i++) {
    await page.getByTestId('nav-analyse').click();
    await page.getByTestId('file-input').setInputFiles(ASTRONAUT);
    await waitForLoadedImages(page, '[data-testid="preview"]', 1);
    await page.getByTestId('analyse').click();
    await page.getByTestId('result').waitFor();
  }
}

/** The error box's text once it differs from `before` (the box is replaced on each attempt). */
async function nextError(page, before = '') {
  await page.waitForFunction((old) => {
    const box = document.querySelector('[data-testid="error"]');
    return box && box.textContent !== old;
  }, before);
  return page.getByTestId('error').innerText();
}

/** A stage-prefixed server message, as the real gateway writes them. */
const STAGE_PREFIX = /\b(auth|preprocess|inference|explain|history|gateway):/;

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

for (const [locale, texts] of [
  ['en-US', { empty: 'Enter your user ID and password.', wrong: 'Wrong user ID or password.', generic: 'Something went wrong. Please try again.' }],
  ['ko-KR', { empty: '아이디와 비밀번호를 입력하세요.', wrong: '아이디 또는 비밀번호가 틀렸습니다.', generic: '문제가 생겼습니다. 다시 시도하세요.' }],
]) {
  test(`errors are sentences chosen by reason, never the server's message (${locale})`, async () => {
    const { page, fake } = await fakePage({}, locale);
    await page.goto(BASE);
    await page.getByTestId('login-form').waitFor();
    await page.getByTestId('auth-submit').click();
    assert.equal(await nextError(page), texts.empty);
    assert.ok(!fake.calls.includes('POST /v1/sessions'), 'an empty form is answered in the page');
    await page.fill('#username', 'nobody');
    await page.fill('#password', 'some-password-1');
    await page.getByTestId('auth-submit').click();
    // The fake answers as auth does: "auth: invalid username or password", reason INVALID_CREDENTIALS.
    const wrong = await nextError(page, texts.empty);
    assert.equal(wrong, texts.wrong);
    assert.doesNotMatch(wrong, STAGE_PREFIX);
    // A failure no reason code explains: the generic sentence, not "history: database is locked".
    await signUp(page, `err${locale.slice(0, 2)}`);
    await page.route((url) => url.pathname === '/v1/diagnoses', (route) =>
      route.fulfill({
        status: 500,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 500, status: 'INTERNAL', message: 'history: database is locked', details: [] } }),
      }),
    );
    await page.getByTestId('nav-history').click();
    assert.equal(await nextError(page), texts.generic);
    await screenshot(page, artifactsDir('offline'), `error-generic-${locale}`);
    await page.context().close();
  });
}

test('change password: a weak new one and a wrong current one are explained (English, Korean); other sessions end', async () => {
  const { page } = await fakePage();
  await signUp(page, 'pat');
  // A second tab logs in too: its session ends when the password changes in the first.
  const other = await page.context().newPage();
  await other.goto(`${BASE}/#/login`);
  await other.fill('#username', 'pat');
  await other.fill('#password', PASSWORD);
  await other.getByTestId('auth-submit').click();
  await other.getByTestId('capture').waitFor();

  await page.bringToFront();
  await page.getByTestId('nav-account').click();
  await page.getByTestId('current-password').fill(PASSWORD);
  await page.getByTestId('new-password').fill('short');
  await page.getByTestId('change-password').click();
  assert.equal(await nextError(page), 'The password is too short: use at least 8 characters.');

  await page.getByTestId('lang-switch').click();
  await page.getByTestId('current-password').fill('not-the-password-1');
  await page.getByTestId('new-password').fill('quiet-meadow-compass-17');
  await page.getByTestId('change-password').click();
  assert.equal(await nextError(page), '현재 비밀번호가 틀렸습니다.');

  await page.getByTestId('current-password').fill(PASSWORD);
  await page.getByTestId('new-password').fill('quiet-meadow-compass-17');
  await page.getByTestId('change-password').click();
  await page.getByTestId('password-changed').waitFor();
  assert.equal(
    await page.getByTestId('password-changed').innerText(),
    '비밀번호를 바꿨습니다. 이 브라우저에서는 로그인 상태가 유지됩니다. 다른 기기와 브라우저에서 로그아웃됨: 1곳.',
  );
  await screenshot(page, artifactsDir('offline'), 'password-changed-ko');
  // This tab stays logged in; the other one is sent to the login page.
  await page.getByTestId('nav-history').click();
  await page.getByTestId('history-empty').waitFor();
  await other.getByTestId('nav-history').click();
  await other.getByTestId('login-form').waitFor();
  await page.context().close();
});

test('export: CSV and JSON hold every analysis, across pages of the list; a failure is explained', async () => {
  const { page, fake } = await fakePage({ maxPageSize: 2, diagnoseDelayMs: 50 });
  await signUp(page, 'exporter');
  await analyse(page, 3);
  await page.getByTestId('nav-account').click();

  const csv = await downloadFrom(page, 'export-csv');
  assert.match(csv.name, /^skinlens-history-\d{4}-\d{2}-\d{2}\.csv$/);
  assert.equal(csv.type, 'text/csv; charset=utf-8');
  const rows = csvRows(csv.text);
  assert.equal(rows.length, 3 * 5);
  const csvIds = [...new Set(rows.map((r) => r[0]))];

  const json = await downloadFrom(page, 'export-json');
  assert.match(json.name, /^skinlens-history-\d{4}-\d{2}-\d{2}\.json$/);
  assert.equal(json.type, 'application/json');
  const doc = JSON.parse(json.text);
  assert.equal(doc.username, 'exporter');
  assert.ok(!Number.isNaN(Date.parse(doc.exportTime)));
  // Oldest first, as the CSV; the list pages were followed (the fake gives 2 a page).
  assert.deepEqual(doc.diagnoses.map((d) => d.id), csvIds);
  assert.ok(fake.calls.includes('GET /v1/diagnoses?pageSize=100&view=DIAGNOSIS_VIEW_FULL'));
  assert.ok(fake.calls.includes('GET /v1/diagnoses?pageSize=100&pageToken=2&view=DIAGNOSIS_VIEW_FULL'));
  assert.ok(doc.diagnoses.every((d) => d.results.length === 5 && d.regions.length > 0), 'the full view, with regions');

  await page.route((url) => url.pathname === '/v1/diagnoses:export', (route) =>
    route.fulfill({
      status: 503,
      contentType: 'application/json',
      body: JSON.stringify({ error: { code: 503, status: 'UNAVAILABLE', message: 'history: connection refused', details: [] } }),
    }),
  );
  await page.getByTestId('lang-switch').click();
  assert.equal(await page.getByTestId('export-csv').innerText(), 'CSV 내려받기');
  await page.getByTestId('export-csv').click();
  assert.equal(await nextError(page), '서비스가 바쁘거나 사용할 수 없습니다. 잠시 뒤에 다시 시도하세요.');
  await screenshot(page, artifactsDir('offline'), 'export-failed-ko');
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

/** Fails unless the element's box lies wholly inside the viewport, as drawn now (no scrolling). */
async function assertInViewport(page, locator, what) {
  const box = await locator.boundingBox();
  assert.ok(box, `${what} is not drawn`);
  const { width, height } = page.viewportSize();
  assert.ok(box.y >= 0 && box.y + box.height <= height, `${what} is at y ${Math.round(box.y)}..${Math.round(box.y + box.height)}, outside the ${height}px screen`);
  assert.ok(box.x >= 0 && box.x + box.width <= width, `${what} is at x ${Math.round(box.x)}..${Math.round(box.x + box.width)}, outside the ${width}px screen`);
}

test('on a phone (Korean) the progress and then the five grades are in view without scrolling', async () => {
  // A slow analysis, so the progress indicator can be measured while it shows.
  const { page } = await fakePage({ diagnoseDelayMs: 1500 }, 'ko-KR', { width: 390, height: 844 });
  await signUp(page, 'phonefacts');
  // A portrait photo, as a phone takes it: its preview fills most of the screen.
  const portrait = await portraitAstronautJpeg(page);
  await page.getByTestId('file-input').setInputFiles({ name: 'portrait.jpg', mimeType: 'image/jpeg', buffer: portrait });
  await waitForLoadedImages(page, '[data-testid="preview"]', 1);
  // From the top of the page, without scrolling: the button and then its progress are on the first screen.
  assert.equal(await page.evaluate(() => window.scrollY), 0);
  await assertInViewport(page, page.getByTestId('analyse'), 'the Analyse button');
  await page.getByTestId('analyse').dispatchEvent('click'); // click() would scroll it into view first
  const progress = page.getByTestId('progress');
  await progress.waitFor();
  assert.equal(await page.evaluate(() => window.scrollY), 0, 'nothing scrolled');
  await assertInViewport(page, progress, 'the progress indicator');
  await screenshot(page, artifactsDir('offline'), 'phone-progress-ko');
  await page.getByTestId('result').waitFor();
  assert.equal(await page.evaluate(() => window.scrollY), 0, 'the result opens at its top');
  const grades = page.getByTestId('summary-grade');
  assert.equal(await grades.count(), 5, 'a summary of the five grades');
  for (let i = 0; i < 5; i++) {
    const item = grades.nth(i);
    await assertInViewport(page, item, `summary grade ${await item.getAttribute('data-attribute')}`);
  }
  // Each summary item leads to its card.
  const last = grades.nth(4);
  const attribute = await last.getAttribute('data-attribute');
  await last.click();
  const card = page.locator(`[data-testid="grade-card"][data-attribute="${attribute}"]`);
  await page.waitForFunction((a) => {
    const r = document.querySelector(`[data-testid="grade-card"][data-attribute="${a}"]`).getBoundingClientRect();
    return r.top >= 0 && r.top < window.innerHeight / 2;
  }, attribute);
  assert.equal(await card.evaluate((el) => el.contains(document.activeElement)), true, 'focus moves to the card');
  await screenshot(page, artifactsDir('offline'), 'phone-result-summary-ko');
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
  await analyse(page, 3);
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

test('the trend chart has a text alternative: a summary and a table of its points, for screen readers', async () => {
  const { page } = await fakePage({ retestSd: 0.1, diagnoseDelayMs: 50 });
  await signUp(page, 'reader');
  await analyse(page, 3);
  await page.getByTestId('nav-trends').click();
  await page.getByTestId('trend-chart').waitFor();
  // The chart's accessible name summarises it.
  const chart = page.getByRole('img', { name: /^Oil: 3 points from .+ to .+; latest score \d\.\d\d of 4\.$/ });
  assert.equal(await chart.count(), 1);
  // The table is in the accessibility tree but not on the screen.
  const table = page.getByRole('table', { name: 'Oil score at each point of the chart' });
  assert.equal(await table.count(), 1);
  const box = await page.getByTestId('trend-table').boundingBox();
  assert.ok(box && box.width <= 1 && box.height <= 1, `visually hidden (${JSON.stringify(box)})`);
  const headers = await table.locator('thead th').allInnerTexts();
  assert.deepEqual(headers, ['Date', 'Score (0–4)', 'Repeat-scan noise', 'Change beyond noise']);
  const cells = await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => [...r.children].map((c) => c.textContent)));
  assert.equal(cells.length, 3);
  // The same scores as the API's points, each with its noise band.
  const trend = await page.evaluate(async () => {
    const { token } = JSON.parse(sessionStorage.getItem('skinlens.session'));
    return (await fetch('/v1/trends/oil', { headers: { Authorization: `Bearer ${token}` } })).json();
  });
  const points = trend.series[0].points;
  cells.forEach((row, i) => {
    assert.equal(row[1], points[i].meanExpectedScore.toFixed(2));
    assert.equal(row[2], `${points[i].bandLower.toFixed(2)}–${points[i].bandUpper.toFixed(2)}`);
    assert.equal(row[3], points[i].changeSignificant ? 'Yes' : 'No');
  });
  // Grouped by day: one point with its number of analyses.
  await page.getByTestId('trend-bucket').selectOption('DAY');
  await page.getByRole('table').locator('tbody tr').first().waitFor();
  assert.deepEqual(await page.getByRole('table').locator('thead th').allInnerTexts(), [
    'Date',
    'Score (0–4)',
    'Repeat-scan noise',
    'Analyses',
    'Change beyond noise',
  ]);
  await page.getByTestId('lang-switch').click();
  assert.equal(await page.getByRole('table', { name: '그래프 각 점의 유분 점수' }).count(), 1);
  assert.equal(await page.getByRole('img', { name: /^유분: .+개 점, 최근 점수 \d\.\d\d \(4점 만점\)\.$/ }).count(), 1);
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
  const main = await page.getByTestId('heatmap-main').evaluate((img) => ({ src: img.src.slice(0, 22), crop: img.dataset.crop }));
  // Over a photo the maps are encoded as JPEG; cut to the fake's face box (80 px at 200, 150) with its margin.
  assert.deepEqual(main, { src: 'data:image/jpeg;base64', crop: '140,90,120,120' });
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

/** The whole-face image's size and the part of the photo it shows, with the analysis it came from. */
async function analyseAndReadWholeFace(page) {
  await page.getByTestId('file-input').setInputFiles(ASTRONAUT);
  await waitForLoadedImages(page, '[data-testid="preview"]', 1);
  const diagnosed = page.waitForResponse((r) => new URL(r.url()).pathname === '/v1/diagnoses' && r.request().method() === 'POST');
  await page.getByTestId('analyse').click();
  const { diagnosis } = await (await diagnosed).json();
  await page.getByTestId('result').waitFor();
  await waitForLoadedImages(page, '[data-testid="heatmap-main"]', 1);
  const img = await page.getByTestId('heatmap-main').evaluate((i) => ({ w: i.naturalWidth, h: i.naturalHeight, crop: i.dataset.crop }));
  return { diagnosis, img };
}

test('the whole-face heatmap is drawn on the face, with a legend of its colours in English and Korean', async () => {
  const { page } = await fakePage();
  await signUp(page, 'facecrop');
  const { diagnosis, img } = await analyseAndReadWholeFace(page);
  const box = diagnosis.regions.find((r) => r.region === 'FACE_REGION_FULL_FACE').box;
  const [x, y, w, h] = img.crop.split(',').map(Number);
  // The crop holds the whole face box, with a margin of less than half the box on each side, inside the photo.
  assert.ok(x <= box.centerX - box.width / 2 && x + w >= box.centerX + box.width / 2, `crop ${img.crop} holds the box across`);
  assert.ok(y <= box.centerY - box.height / 2 && y + h >= box.centerY + box.height / 2, `crop ${img.crop} holds the box down`);
  assert.ok(w < 2 * box.width && h < 2 * box.height, `crop ${img.crop} is the face, not the photo`);
  assert.ok(x >= 0 && y >= 0 && x + w <= diagnosis.photoWidth && y + h <= diagnosis.photoHeight);
  // The image is that crop (same shape), at no less detail than the whole-photo map had there.
  assert.ok(Math.abs(img.w / img.h - w / h) < 0.02, `image ${img.w}x${img.h} has the crop's shape`);
  assert.ok(img.w >= w * diagnosis.photoHeatmaps[0].scale, `image ${img.w} px wide`);
  assert.notEqual(`${img.w}x${img.h}`, '128x128', 'not the whole-photo map');
  const legend = page.getByTestId('heatmap-legend');
  assert.match(await legend.innerText(), /Less influence[\s\S]*More influence/);
  assert.match(await page.getByTestId('heatmap-legend-text').innerText(), /do not mean the skin there is worse/);
  await screenshot(page, artifactsDir('offline'), 'heatmap-face');
  // The legend stays with the per-region view, and speaks Korean.
  await page.getByTestId('view-region').click();
  await page.getByTestId('lang-switch').click();
  await page.getByTestId('heatmap-legend').waitFor();
  assert.match(await page.getByTestId('heatmap-legend').innerText(), /영향 적음[\s\S]*영향 큼/);
  assert.match(await page.getByTestId('heatmap-legend-text').innerText(), /피부가 더 나쁘다는 뜻은 아닙니다/);
  await page.context().close();
});

test('without a face box the whole-face heatmap is the whole photo, as before', async () => {
  const { page } = await fakePage({ faceBox: false });
  await signUp(page, 'nofacebox');
  const { img } = await analyseAndReadWholeFace(page);
  // The fake's whole-photo maps are 128 x 128, drawn at that size.
  assert.deepEqual(img, { w: 128, h: 128, crop: undefined });
  await page.getByTestId('heatmap-legend').waitFor();
  await page.context().close();
});

/** The drawn x ticks of a chart canvas (data-x-ticks), once there are some. */
async function xTicks(page, testId) {
  const canvas = page.getByTestId(testId);
  await page.waitForFunction((id) => (document.querySelector(`[data-testid="${id}"]`)?.dataset.xTicks ?? '[]') !== '[]', testId);
  return canvas.evaluate((c) => ({
    scale: c.dataset.xScale,
    series: Number(c.dataset.series),
    // Whether each tick is on a local midnight, read in the page's own time zone.
    ticks: JSON.parse(c.dataset.xTicks).map((t) => ({ ...t, midnight: new Date(t.value).getHours() === 0 && new Date(t.value).getMinutes() === 0 })),
  }));
}

function assertDistinctOrdered(ticks, what) {
  const labels = ticks.map((t) => t.label);
  assert.equal(new Set(labels).size, labels.length, `${what}: no label twice (${labels.join(' | ')})`);
  ticks.slice(1).forEach((t, i) => assert.ok(t.value > ticks[i].value, `${what}: ticks in time order`));
}

test('the trend axis is a time scale: day ticks on calendar days, each once; an overview shows all five attributes', async () => {
  const day = 86_400_000;
  const start = Date.now() - 20 * day;
  // Analyses days apart at odd hours, as a person makes them; on a linear axis their ticks fell mid-day.
  const createTimes = [0, 2.4, 2.7, 9.5, 16.2].map((d) => new Date(start + d * day).toISOString());
  const { page } = await fakePage({ createTimes, diagnoseDelayMs: 20 });
  await signUp(page, 'timeaxis');
  await analyse(page, createTimes.length);
  await page.getByTestId('nav-trends').click();
  const main = await xTicks(page, 'trend-chart');
  assert.equal(main.scale, 'time');
  assert.ok(main.ticks.length >= 2, `${main.ticks.length} ticks`);
  assertDistinctOrdered(main.ticks, 'per-attribute chart');
  for (const t of main.ticks) {
    assert.ok(t.midnight, `tick ${t.label} is on a day's start`);
    assert.match(t.label, /^\d{1,2} [A-Z][a-z]{2}$/, 'a day label, no time');
  }
  // All five attributes on one chart, its name giving each latest score.
  const overview = await xTicks(page, 'trend-overview-chart');
  assert.equal(overview.scale, 'time');
  assert.equal(overview.series, 5);
  assertDistinctOrdered(overview.ticks, 'overview');
  const name = await page.getByTestId('trend-overview-chart').getAttribute('aria-label');
  for (const a of ['Oil', 'Hydration', 'Wrinkles', 'Pigmentation', 'Sensitivity']) assert.match(name, new RegExp(`${a} \\d\\.\\d\\d`), name);
  await screenshot(page, artifactsDir('offline'), 'trend-time-axis');
  // In Korean the same days read as Korean dates.
  await page.getByTestId('lang-switch').click();
  await page.waitForFunction(() => /월/.test(document.querySelector('[data-testid="trend-chart"]')?.dataset.xTicks ?? ''));
  const ko = await xTicks(page, 'trend-chart');
  assertDistinctOrdered(ko.ticks, 'Korean');
  for (const t of ko.ticks) assert.match(t.label, /^\d{1,2}월 \d{1,2}일$/);
  assert.equal(await page.getByTestId('trend-overview').getByRole('heading').innerText(), '다섯 항목 한눈에 보기');
  await page.context().close();
});

test('analyses minutes apart: the trend ticks carry the time and each history row its own time to the second', async () => {
  const base = Date.now() - 3600_000;
  // Same minute for the first two: a label to the minute could not tell them apart.
  const createTimes = [base + 5_000, base + 41_000, base + 7 * 60_000].map((ms) => new Date(ms).toISOString());
  const { page } = await fakePage({ createTimes, diagnoseDelayMs: 20 });
  await signUp(page, 'closetimes');
  await analyse(page, createTimes.length);
  await page.getByTestId('nav-trends').click();
  const { ticks } = await xTicks(page, 'trend-chart');
  assertDistinctOrdered(ticks, 'close analyses');
  for (const t of ticks) assert.match(t.label, /\d{2}:\d{2}$/, `${t.label} has the time`);
  await page.getByTestId('nav-history').click();
  await page.getByTestId('history-item').nth(2).waitFor();
  const times = await page.locator('[data-testid="history-when"] time').allInnerTexts();
  assert.equal(times.length, 3);
  assert.equal(new Set(times).size, 3, `rows tell apart: ${times.join(' | ')}`);
  for (const text of times) assert.match(text, /\d{1,2}:\d{2}:\d{2}/);
  const ago = await page.getByTestId('history-ago').allInnerTexts();
  for (const text of ago) assert.match(text, /^\d+ minutes ago$/);
  await page.getByTestId('lang-switch').click();
  await page.getByTestId('history-ago').first().waitFor();
  assert.match(await page.getByTestId('history-ago').first().innerText(), /^\d+분 전$/);
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

test('live guidance with the (fake) camera: what to fix over the picture, then the photo taken by itself', async () => {
  const camBrowser = await launchChromium([
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    `--unsafely-treat-insecure-origin-as-secure=${BASE}`,
  ]);
  try {
    const page = await newPage(camBrowser);
    const fake = new FakeGateway();
    fake.guidance = 'dark';
    await fake.install(page.context(), BASE);
    await signUp(page, 'guideuser');
    await page.getByTestId('use-camera').click();
    await page.getByTestId('camera').waitFor();
    const reason = () => page.getByTestId('guide').getAttribute('data-reason');
    await page.waitForFunction(() => document.querySelector('[data-testid="guide"]')?.dataset.reason === 'TOO_DARK');
    assert.equal(await page.getByTestId('guide-title').innerText(), 'The photo is too dark.');
    assert.match(await page.getByTestId('guide-fix').innerText(), /brighter place/);
    // The face box sits where the gate found the face: 200 of 640 px wide.
    const frame = await page.getByTestId('camera').boundingBox();
    const box = await page.getByTestId('guide-box').boundingBox();
    assert.ok(box && Math.abs(box.width / frame.width - 200 / 640) < 0.02, `box ${JSON.stringify(box)} in ${JSON.stringify(frame)}`);
    await screenshot(page, artifactsDir('offline'), 'guidance-dark');
    // The words follow the language, while the camera keeps running.
    await page.getByTestId('lang-switch').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="guide-title"]')?.textContent === '사진이 너무 어둡습니다.');
    await page.getByTestId('lang-switch').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="guide-title"]')?.textContent === 'The photo is too dark.');
    assert.equal(await reason(), 'TOO_DARK');
    assert.equal(fake.captureSessions.size, 1, 'one session for the camera, redraws included');

    // The light is fixed: three ready frames, and the photo is taken without a click.
    fake.guidance = 'ready';
    await waitForLoadedImages(page, '[data-testid="preview"]', 1);
    assert.match(await page.getByTestId('camera-message').innerText(), /taken by itself/);
    assert.equal(await page.getByTestId('camera').count(), 0, 'the camera is closed');
    assert.equal(fake.captureSessions.size, 0, 'the session was deleted');
    const frames = fake.calls.filter((c) => /^POST \/v1\/captureSessions\/cs\d+\/frames\?captureTime=.+&photoWidth=\d+$/.test(c));
    assert.ok(frames.length >= 4, `frames sent: ${frames.length}`);
    assert.ok(fake.frameTypes.every((type) => type === 'image/jpeg'), fake.frameTypes.join());
    // The photo taken goes to the analysis like any other.
    await page.getByTestId('analyse').click();
    await page.getByTestId('result').waitFor();
    await assertNoCspViolations(page);
  } finally {
    await camBrowser.close();
  }
});

test('one grade story: the card names its regions and scale, the region view says which tiles are not part of it', async () => {
  const { page } = await fakePage();
  await signUp(page, 'storyteller');
  await page.getByTestId('file-input').setInputFiles(ASTRONAUT);
  await waitForLoadedImages(page, '[data-testid="preview"]', 1);
  await page.getByTestId('analyse').click();
  await page.getByTestId('result').waitFor();
  const card = page.locator('[data-testid="grade-card"][data-attribute="wrinkle"]');
  const cardGrade = Number(await card.getByTestId('grade-value').innerText());
  // The scale, not "of 4" (which reads as four grades).
  assert.match(await card.getByTestId('grade-meaning').innerText(), new RegExp(`^Grade ${cardGrade} on a 0–4 scale — `));
  // The fake's wrinkle grade comes from the forehead (its crops have no eye areas).
  assert.equal(await card.getByTestId('grade-regions').innerText(), 'Graded from: Forehead.');
  assert.equal(
    await page.locator('[data-testid="grade-card"][data-attribute="sensitivity"]').getByTestId('grade-regions').innerText(),
    'Graded from: Left cheek, Right cheek, Nose and Chin.',
  );
  // The score next to the grade says what it is, in one line.
  assert.match(
    await card.getByTestId('grade-score').innerText(),
    /^Score \d\.\d\d: the expected grade, the mean of grades 0–4 weighted by the probabilities below \(the grade is the most likely one\)\.$/,
  );

  await page.locator('[data-testid="heatmap-tab"][data-attribute="wrinkle"]').click();
  await page.getByTestId('view-region').click();
  await waitForLoadedImages(page, '[data-testid="region-heatmap"]', 6);
  assert.equal(
    await page.getByTestId('regions-intro').innerText(),
    "The Wrinkles card's grade combines Forehead (the mean of their grade probabilities), so one region's own grade can differ from it.",
  );
  const tile = (region) => page.locator(`[data-testid="region-tile"][data-region="${region}"]`);
  // The whole face is graded on its own (3 grades off in the fake): its tile says it is not the card's grade.
  assert.equal(await tile('full_face').getAttribute('data-role'), 'own');
  const whole = await tile('full_face').locator('figcaption').innerText();
  const wholeGrade = Number(whole.match(/grade (\d)/)?.[1]);
  assert.notEqual(wholeGrade, cardGrade, 'the fake makes the two differ');
  assert.equal(whole, `Whole face: grade ${wholeGrade}, graded on its own; not part of the card's grade`);
  assert.equal(await tile('forehead').getAttribute('data-role'), 'counted');
  assert.equal(await tile('forehead').locator('figcaption').innerText(), `Forehead: grade ${cardGrade}`);
  assert.equal(await tile('nose').getAttribute('data-role'), 'own');
  await screenshot(page, artifactsDir('offline'), 'grade-story-regions');

  await page.getByTestId('lang-switch').click();
  assert.match(await card.getByTestId('grade-meaning').innerText(), new RegExp(`^${cardGrade}등급 \\(0–4 척도\\) — `));
  assert.equal(await card.getByTestId('grade-regions').innerText(), '등급을 낸 부위: 이마.');
  assert.match(await card.getByTestId('grade-score').innerText(), /^점수 \d\.\d\d: 기대 등급, 즉 0–4 등급을 아래 확률로 가중한 평균입니다/);
  assert.equal(
    await tile('full_face').locator('figcaption').innerText(),
    `얼굴 전체: ${wholeGrade}등급, 따로 매긴 등급으로 카드의 등급에는 들어가지 않습니다`,
  );
  assert.match(await page.getByTestId('regions-intro').innerText(), /^주름 카드의 등급은 이마의 등급 확률을 평균해 낸 것이라/);
  await page.context().close();
});

test('an attribute the model cannot estimate: the region view says its tiles are for reference only', async () => {
  const { page } = await fakePage({ abstain: ['WRINKLE'] });
  await signUp(page, 'unsure2');
  await page.getByTestId('file-input').setInputFiles(ASTRONAUT);
  await waitForLoadedImages(page, '[data-testid="preview"]', 1);
  await page.getByTestId('analyse').click();
  await page.getByTestId('result').waitFor();
  await page.locator('[data-testid="heatmap-tab"][data-attribute="wrinkle"]').click();
  await page.getByTestId('view-region').click();
  await page.getByTestId('region-tile').first().waitFor();
  assert.equal(
    await page.getByTestId('regions-intro').innerText(),
    'The Wrinkles card gives no grade: the model is not sure enough for this photo. Each region below shows its own reading, for reference only.',
  );
  await page.context().close();
});
