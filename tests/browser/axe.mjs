// axe-core in the page under test: its source is evaluated through the
// DevTools protocol (page.evaluate), not added as a <script> element, because
// the app's Content-Security-Policy forbids inline scripts and the tests also
// check that the page never broke that policy.
//
//   await assertNoSeriousA11yViolations(page, 'result, en, phone');

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const { source } = createRequire(import.meta.url)('axe-core');

/** The impacts that fail a test; "minor" and "moderate" ones are reported only. */
export const FAILING_IMPACTS = ['serious', 'critical'];

/** Runs axe-core on the whole page as it is now; returns its violations. */
export async function axeViolations(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(source);
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations', 'incomplete'] });
    const summary = (v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
    });
    // axe leaves text of one or two characters (a grade badge's digit) as "incomplete"
    // even when it measured both colours; a measured ratio below the required one is a
    // violation all the same.
    const tooLow = (n) =>
      n.any.some((c) => {
        const d = c.data ?? {};
        const needed = Number.parseFloat(String(d.expectedContrastRatio ?? ''));
        return typeof d.contrastRatio === 'number' && d.contrastRatio > 0 && d.contrastRatio < needed;
      });
    const measured = result.incomplete
      .filter((v) => v.id === 'color-contrast')
      .map((v) => ({
        ...v,
        nodes: v.nodes.filter(tooLow).map((n) => {
          const d = n.any.find((c) => typeof c.data?.contrastRatio === 'number').data;
          return { ...n, failureSummary: `${d.fgColor} on ${d.bgColor} is ${d.contrastRatio}:1, needs ${d.expectedContrastRatio}` };
        }),
      }))
      .filter((v) => v.nodes.length > 0);
    return [...result.violations, ...measured].map(summary);
  });
}

/** One line per offending element, so a failure says what to fix and where. */
export function describeViolations(violations) {
  return violations
    .flatMap((v) => v.nodes.map((n) => `[${v.impact}] ${v.id} (${v.help}) at ${n.target}: ${n.summary?.replace(/\s+/g, ' ')}`))
    .join('\n');
}

/**
 * Fails when axe-core finds a violation of impact serious or critical on the
 * page; `where` names the screen in the message. Returns the milder ones.
 */
export async function assertNoSeriousA11yViolations(page, where) {
  const violations = await axeViolations(page);
  const failing = violations.filter((v) => FAILING_IMPACTS.includes(v.impact));
  assert.equal(failing.length, 0, `accessibility violations on ${where}:\n${describeViolations(failing)}`);
  return violations;
}
