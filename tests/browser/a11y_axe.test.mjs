// axe-core on every screen of the web app (log-in, sign-up, capture, result
// with whole-face and per-region heatmaps, history and a record opened from
// it, trends, account), in Korean and English, on a phone (390 x 844) and a
// desktop (1366 x 900) screen, against the fake gateway. A violation of
// impact "serious" or "critical" fails the test (WCAG 2.1 AA contrast among
// them); milder ones are printed as diagnostics.
//
//   node --test a11y_axe.test.mjs    (in tests/browser; needs the built app)

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertNoSeriousA11yViolations, describeViolations } from './axe.mjs';
import { artifactsDir, assertNoCspViolations, screenshot, waitForLoadedImages } from './lib.mjs';
import { BASE, DESKTOP, PHONE, analyseAstronaut, fakePage, signUp, useChromium } from './offline_session.mjs';

const browser = useChromium();

/** Waits until the trend chart has drawn (Chart.js animates for 250 ms). */
async function waitForChart(page) {
  await page.getByTestId('trend-chart').waitFor();
  await page.waitForFunction(() => {
    const c = document.querySelector('[data-testid="trend-chart"]');
    return c && c.width > 0 && c.dataset.bandPoints !== undefined;
  });
  await page.waitForTimeout(300);
}

for (const [locale, lang] of [
  ['en-US', 'en'],
  ['ko-KR', 'ko'],
]) {
  for (const [screenName, viewport] of [
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ]) {
    test(`no serious or critical axe-core violation on any screen (${lang}, ${screenName} ${viewport.width}x${viewport.height})`, async (t) => {
      const { page } = await fakePage(browser(), { locale, viewport, demo: true });
      const artifacts = artifactsDir('a11y');
      const check = async (name) => {
        const where = `${name} (${lang}, ${screenName})`;
        const milder = await assertNoSeriousA11yViolations(page, where);
        if (milder.length > 0) t.diagnostic(`${where}, minor/moderate:\n${describeViolations(milder)}`);
        await screenshot(page, artifacts, `${lang}-${screenName}-${name}`);
      };

      await page.goto(`${BASE}/#/login`);
      await page.getByTestId('login-form').waitFor();
      await page.getByTestId('demo-notice').waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.lang), lang);
      await check('login');

      await signUp(page, `axe${lang}${screenName}`);
      await check('capture');

      await analyseAstronaut(page);
      await check('result');
      await page.getByTestId('view-region').click();
      await waitForLoadedImages(page, '[data-testid="region-heatmap"]', 1);
      await check('result-regions');

      await page.getByTestId('nav-history').click();
      await page.getByTestId('history-item').first().waitFor();
      await check('history');
      await page.getByTestId('history-open').first().click();
      await page.getByTestId('grade-card').first().waitFor();
      await check('history-opened');

      await page.getByTestId('nav-trends').click();
      await waitForChart(page);
      await check('trends');

      await page.getByTestId('nav-account').click();
      await page.getByTestId('account').waitFor();
      await check('account');

      await page.getByTestId('logout').click();
      await page.getByTestId('auth-toggle').click();
      await page.getByTestId('signup-form').waitFor();
      await check('signup');

      await assertNoCspViolations(page);
      await page.context().close();
    });
  }
}
