// The web app by keyboard, against the fake gateway: focus stays where it
// was when a view is drawn again (a heatmap tab, the whole-face / by-region
// switch), the attribute tabs follow the WAI-ARIA tabs pattern (roles,
// aria-selected, aria-controls, one tab stop, Left/Right/Home/End), a skip
// link leads to the main content, and a new page puts focus on its content.
//
//   node --test a11y_keyboard.test.mjs    (in tests/browser; needs the built app)

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitForLoadedImages } from './lib.mjs';
import { BASE, PHONE, analyseAstronaut, fakePage, signUp, useChromium } from './offline_session.mjs';

const browser = useChromium();

/** What has focus: its test id, attribute, id and tag. */
const focused = (page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    return { testId: el?.dataset?.testid ?? '', attribute: el?.dataset?.attribute ?? '', id: el?.id ?? '', tag: el?.tagName ?? '' };
  });

/** The attribute of the selected tab, and of the whole-face heatmap shown. */
async function shown(page) {
  const selected = await page.locator('[role="tab"][aria-selected="true"]').getAttribute('data-attribute');
  const main = await page.getByTestId('heatmap-main').getAttribute('data-attribute');
  return { selected, main };
}

test('focus stays on a heatmap tab and on the view switch when the result is drawn again', async () => {
  const { page } = await fakePage(browser());
  await signUp(page, 'keeper');
  await analyseAstronaut(page);
  await page.locator('[data-testid="heatmap-tab"][data-attribute="wrinkle"]').click();
  await page.locator('[data-testid="heatmap-main"][data-attribute="wrinkle"]').waitFor();
  assert.deepEqual(await focused(page), { testId: 'heatmap-tab', attribute: 'wrinkle', id: 'heatmap-tab-wrinkle', tag: 'BUTTON' });
  // The page was not scrolled back to the top by the redraw either.
  const tabTop = await page.locator('#heatmap-tab-wrinkle').evaluate((el) => el.getBoundingClientRect().top);
  assert.ok(tabTop >= 0 && tabTop < 900, `the tab stays in view (top ${tabTop})`);

  await page.getByTestId('view-region').click();
  await waitForLoadedImages(page, '[data-testid="region-heatmap"]', 1);
  assert.equal((await focused(page)).testId, 'view-region');
  await page.keyboard.press('Shift+Tab');
  assert.equal((await focused(page)).testId, 'view-whole');
  await page.keyboard.press('Shift+Tab');
  assert.equal((await focused(page)).id, 'heatmap-tab-wrinkle', 'back from the panel to the selected tab, the one tab stop');
  await page.context().close();
});

test('the attribute tabs follow the WAI-ARIA tabs pattern: roles, states, one tab stop, arrow keys', async () => {
  const { page } = await fakePage(browser(), { viewport: PHONE });
  await signUp(page, 'tabber');
  await analyseAstronaut(page);

  const tablist = page.getByRole('tablist', { name: 'Where the model looked (Grad-CAM)' });
  assert.equal(await tablist.count(), 1, 'one tablist, named by its heading');
  const tabs = tablist.getByRole('tab');
  assert.equal(await tabs.count(), 5);
  const states = await tabs.evaluateAll((els) =>
    els.map((e) => [e.dataset.attribute, e.getAttribute('aria-selected'), e.getAttribute('tabindex'), e.getAttribute('aria-controls')]),
  );
  assert.deepEqual(states, [
    ['oil', 'true', '0', 'heatmap-panel'],
    ['hydration', 'false', '-1', 'heatmap-panel'],
    ['wrinkle', 'false', '-1', 'heatmap-panel'],
    ['pigmentation', 'false', '-1', 'heatmap-panel'],
    ['sensitivity', 'false', '-1', 'heatmap-panel'],
  ]);
  // The controlled panel exists and is labelled by the selected tab.
  const panel = page.getByRole('tabpanel', { name: 'Oil' });
  assert.equal(await panel.count(), 1);
  assert.equal(await panel.getAttribute('id'), 'heatmap-panel');
  assert.equal(await panel.getByTestId('heatmap-main').count(), 1, 'the map is inside the panel');

  await page.locator('#heatmap-tab-oil').focus();
  const press = async (key, expected) => {
    await page.keyboard.press(key);
    await page.locator(`[data-testid="heatmap-main"][data-attribute="${expected}"]`).waitFor({ timeout: 5000 });
    assert.deepEqual(await shown(page), { selected: expected, main: expected }, `after ${key}`);
    assert.equal((await focused(page)).id, `heatmap-tab-${expected}`, `focus follows ${key}`);
    assert.equal(await page.locator('[role="tab"][tabindex="0"]').getAttribute('data-attribute'), expected, 'one tab stop');
  };
  await press('ArrowRight', 'hydration');
  await press('ArrowRight', 'wrinkle');
  await press('ArrowLeft', 'hydration');
  await press('Home', 'oil');
  await press('ArrowLeft', 'sensitivity'); // wraps around
  await press('ArrowRight', 'oil');
  await press('End', 'sensitivity');
  assert.equal(await page.getByRole('tabpanel', { name: 'Sensitivity' }).count(), 1);

  // Tab leaves the tablist for the panel's first control, not the next tab.
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).testId, 'view-whole');
  // Arrow keys elsewhere do not change the tab.
  await page.keyboard.press('ArrowRight');
  assert.equal((await shown(page)).selected, 'sensitivity');
  await page.context().close();
});

for (const [locale, label] of [
  ['en-US', 'Skip to main content'],
  ['ko-KR', '본문으로 건너뛰기'],
]) {
  test(`a skip link is the first stop and leads to the main content (${locale})`, async () => {
    const { page } = await fakePage(browser(), { locale });
    await signUp(page, `skipper${locale.slice(0, 2)}`);
    await page.reload();
    await page.getByTestId('capture').waitFor();
    const link = page.getByTestId('skip-link');
    assert.equal(await link.innerText(), label);
    // Off screen until focused.
    const hidden = await link.boundingBox();
    assert.ok(hidden && hidden.y + hidden.height <= 0, `hidden above the page: ${JSON.stringify(hidden)}`);
    await page.keyboard.press('Tab');
    assert.equal((await focused(page)).testId, 'skip-link');
    const box = await link.boundingBox();
    assert.ok(box && box.y >= 0 && box.height > 0, `visible when focused: ${JSON.stringify(box)}`);
    await page.keyboard.press('Enter');
    assert.deepEqual(await focused(page), { testId: '', attribute: '', id: 'view', tag: 'MAIN' });
    // The hash stays the router's: still the capture page.
    assert.equal(await page.evaluate(() => location.hash), '#/analyse');
    assert.equal(await page.getByTestId('capture').count(), 1);
    // The next Tab goes into the content, past the header and navigation.
    await page.keyboard.press('Tab');
    assert.ok(await page.evaluate(() => document.getElementById('view').contains(document.activeElement)), 'focus inside main');
    await page.context().close();
  });
}

test('a new page puts focus on its content; a control that redraws the page keeps focus', async () => {
  const { page } = await fakePage(browser());
  await signUp(page, 'walker');
  await page.getByTestId('nav-history').click();
  await page.getByTestId('history-empty').waitFor();
  assert.equal((await focused(page)).id, 'view');
  await page.getByTestId('nav-trends').click();
  await page.getByTestId('trends').waitFor();
  assert.equal((await focused(page)).id, 'view');
  // The trend select redraws the page when changed; focus stays on it.
  await page.getByTestId('trend-attribute').focus();
  await page.getByTestId('trend-attribute').selectOption('wrinkle');
  await page.getByTestId('trend-empty').waitFor();
  assert.equal((await focused(page)).id, 'trend-attribute');
  await page.context().close();
});
