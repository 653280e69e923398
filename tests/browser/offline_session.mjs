// What the accessibility tests share with each other against the fake
// gateway: a page with its own fake, signing up, and one analysis of the
// astronaut photo that ends on the result page with its heatmaps loaded.
//
//   const { page } = await fakePage(browser, { locale: 'ko-KR', viewport: PHONE });
//   await signUp(page, 'mina');
//   await analyseAstronaut(page);

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before } from 'node:test';
import { DIST, FakeGateway } from './fake_gateway.mjs';
import { ASTRONAUT, launchChromium, newPage, waitForLoadedImages } from './lib.mjs';

/**
 * One Chromium for a test file: launched before its tests (once the built app
 * is there) and closed after them. Returns the getter the tests call.
 */
export function useChromium() {
  let browser;
  before(async () => {
    assert.ok(existsSync(`${DIST}/index.html`), 'build the app first: (cd services/gateway/web && npm ci && npm run build)');
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });
  return () => browser;
}

export const BASE = 'http://skinlens.test';
export const PASSWORD = 'violet-harbour-lantern-42';
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1366, height: 900 };

/** A new page whose requests to BASE are answered by a FakeGateway made with `options`. */
export async function fakePage(browser, { locale = 'en-US', viewport = DESKTOP, ...options } = {}) {
  const page = await newPage(browser, locale, viewport);
  const fake = new FakeGateway({ diagnoseDelayMs: 50, ...options });
  await fake.install(page.context(), BASE);
  return { page, fake };
}

/** Signs up `username` (which logs in) and waits for the capture page. */
export async function signUp(page, username, password = PASSWORD) {
  await page.goto(`${BASE}/#/signup`);
  await page.getByTestId('signup-form').waitFor();
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.getByTestId('auth-submit').click();
  await page.getByTestId('capture').waitFor();
}

/** From the capture page: uploads the astronaut, analyses it, waits for the five tab thumbnails. */
export async function analyseAstronaut(page) {
  await page.getByTestId('file-input').setInputFiles(ASTRONAUT);
  await waitForLoadedImages(page, '[data-testid="preview"]', 1);
  await page.getByTestId('analyse').click();
  await page.getByTestId('result').waitFor();
  await waitForLoadedImages(page, 'img[data-heatmap-attribute]', 5);
}
