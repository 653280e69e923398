// When a history row's analysis was made, in words a person can tell apart:
// two analyses a minute apart both read "7 Dec 2026, 15:23" with the minute
// alone, so the row gives the time to the second and how long ago it was.
// No DOM, unit-tested in history_time.test.ts.
//
//   const { absolute, relative } = historyTime(d.createTime, Date.now(), language());

import type { Language } from './i18n';

const locale = (language: Language) => (language === 'ko' ? 'ko-KR' : 'en-GB');

// Largest unit first; a unit is used once the time is at least one of it.
const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['week', 7 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
];

/** "3 minutes ago" / "3분 전"; "now" / "지금" under a second; a future time (clock skew) reads as now. */
export function relativeTime(ms: number, now: number, language: Language): string {
  const rtf = new Intl.RelativeTimeFormat(locale(language), { numeric: 'auto' });
  const elapsed = Math.max(0, now - ms);
  for (const [unit, size] of UNITS) {
    if (elapsed >= size) return rtf.format(-Math.floor(elapsed / size), unit);
  }
  return rtf.format(0, 'second');
}

/** The analysis time to the second, and how long ago; undefined for a missing or unreadable time. */
export function historyTime(
  rfc3339: string | undefined,
  now: number,
  language: Language,
): { absolute: string; relative: string } | undefined {
  const ms = Date.parse(rfc3339 ?? '');
  if (Number.isNaN(ms)) return undefined;
  const absolute = new Intl.DateTimeFormat(locale(language), { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(ms));
  return { absolute, relative: relativeTime(ms, now, language) };
}
