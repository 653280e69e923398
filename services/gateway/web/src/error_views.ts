// The boxes that show what went wrong: an error sentence (errors.ts chooses
// it), and a quality-gate refusal as its reasons, each with what was measured
// in words and how to fix it.
//
//   errorBox(errorText(e))
//   qualityRefusal(e.quality, errorText(e))

import { h } from './dom';
import { issueTexts, measuredText } from './errors';
import { t } from './i18n';
import { blockingIssues, qualityReasonName } from './model';
import type { QualityIssue, QualityReport } from './types';

export function errorBox(text: string): HTMLElement {
  return h('p', { class: 'message error', role: 'alert', 'data-testid': 'error' }, text);
}

function issueItem(issue: QualityIssue): HTMLElement {
  const { title, fix } = issueTexts(issue);
  const measured = measuredText(issue);
  return h(
    'li',
    { 'data-reason': qualityReasonName(issue.reason) },
    h('strong', { class: 'issue-title' }, title),
    measured ? h('span', { class: 'issue-measured' }, ` ${measured}`) : null,
    h('div', { class: 'issue-fix' }, `${t('quality.fixIntro')} ${fix}`),
  );
}

/** The refusal panel: every blocking reason with its fix. */
export function qualityRefusal(report: QualityReport | undefined, fallback: string): HTMLElement {
  const issues = report ? blockingIssues(report) : [];
  return h(
    'section',
    { class: 'panel refusal', role: 'alert', 'data-testid': 'quality-refusal' },
    h('h2', {}, t('quality.refused')),
    issues.length > 0 ? h('ul', { class: 'issues' }, issues.map(issueItem)) : h('p', {}, fallback),
  );
}

/** The warnings of an accepted photo, or null when there are none. */
export function qualityWarnings(issues: QualityIssue[]): HTMLElement | null {
  if (issues.length === 0) return null;
  return h(
    'section',
    { class: 'panel warnings', 'data-testid': 'quality-warnings' },
    h('h3', {}, t('quality.warnings')),
    h('ul', { class: 'issues' }, issues.map(issueItem)),
  );
}
