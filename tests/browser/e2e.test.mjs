// The web app end to end in headless Chromium against a running gateway (and
// the five services behind it): $SKINLENS_URL, e.g. http://127.0.0.1:8080.
// Skipped when SKINLENS_URL is unset; run_browser_test.sh starts everything
// and sets it. Screenshots go to $SKINLENS_BROWSER_ARTIFACTS/e2e (default
// tests/browser/artifacts/e2e).
//
//   SKINLENS_URL=http://127.0.0.1:8080 node --test e2e.test.mjs

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { artifactsDir, deleteAccountJourney, launchChromium, newPage, runJourney } from './lib.mjs';

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
