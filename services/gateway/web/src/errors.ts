// Turns a failed call into a sentence for the user, in the current language,
// and draws a quality-gate refusal as its reasons with how to fix each.
//
//   errorBox(errorText(e))
//   qualityRefusal(e.quality)

import { h } from './dom';
import { hasMessage, t, formatNumber } from './i18n';
import { ApiError, blockingIssues, qualityReasonName } from './model';
import type { QualityIssue, QualityReport } from './types';

/** A sentence for an error of any call; callers handle the cases specific to them first. */
export function errorText(error: unknown): string {
  if (!(error instanceof ApiError)) return t('error.generic', { message: String(error) });
  switch (error.httpStatus) {
    case 0:
      return t('error.network');
    case 401:
      return t('auth.sessionExpired');
    case 404:
      return t('error.notFound');
    case 413:
      return t('error.tooLarge');
    case 415:
      return t('error.unsupported');
    case 429:
      return error.retryAfterSeconds !== undefined
        ? t('error.throttled', { seconds: Math.ceil(error.retryAfterSeconds) })
        : t('error.throttledSoon');
    case 502:
    case 503:
      return t('error.unavailable');
    case 504:
      return t('error.timeout');
    default:
      return t('error.generic', { message: error.message });
  }
}

export function errorBox(text: string): HTMLElement {
  return h('p', { class: 'message error', role: 'alert', 'data-testid': 'error' }, text);
}

/** The title and fix of one quality issue, in the current language. */
export function issueTexts(issue: QualityIssue): { title: string; fix: string } {
  const reason = qualityReasonName(issue.reason);
  const key = `reason.${reason}`;
  const fixKey = `reason.${reason}.fix`;
  if (hasMessage(key) && hasMessage(fixKey)) return { title: t(key), fix: t(fixKey) };
  // A reason this version does not know: the server's English sentence says what to do.
  return { title: issue.message || t('reason.UNKNOWN'), fix: t('reason.UNKNOWN.fix') };
}

function issueItem(issue: QualityIssue): HTMLElement {
  const { title, fix } = issueTexts(issue);
  const measured =
    issue.measuredValue !== undefined && issue.threshold !== undefined
      ? t('quality.measured', {
          value: formatNumber(issue.measuredValue, 1),
          threshold: formatNumber(issue.threshold, 1),
        })
      : '';
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
