// The points of a trend chart read from GetTrend's JSON, with the shaded
// range of each, and their description in words for people who cannot see
// the chart. Both the chart (views/trends.ts) and its text alternative
// (views/trend_table.ts) use them; no DOM, unit-tested in trend_points.test.ts.
//
//   const data = chartPoints(series.points);
//   canvas.ariaLabel = trendSummary('oil', data, true);

import { formatNumber, language, t, type MessageKey } from './i18n';
import type { AttributeName, TrendPoint } from './types';

export interface ChartPoint {
  /** Start of the point (ms since the epoch). */
  x: number;
  /** Mean expected score, 0..4. */
  y: number;
  /** The shaded area: the repeat-scan noise band when `banded`, else the lowest-highest score. */
  min: number;
  max: number;
  banded: boolean;
  /** The change from the previous point is larger than repeat-scan noise. */
  significant: boolean;
  /** Analyses in the point. */
  count: number;
}

/** The drawable points, oldest first as the gateway sends them; points without a time are left out. */
export function chartPoints(points: TrendPoint[]): ChartPoint[] {
  return points
    .map((p) => {
      const y = p.meanExpectedScore ?? 0;
      // The JSON mapping leaves out zeros: a missing bound is 0, not "no band".
      const lower = p.bandLower ?? 0;
      const upper = p.bandUpper ?? 0;
      const banded = upper > lower;
      return {
        x: Date.parse(p.startTime ?? p.endTime ?? ''),
        y,
        min: banded ? lower : (p.minExpectedScore ?? y),
        max: banded ? upper : (p.maxExpectedScore ?? y),
        banded,
        significant: p.changeSignificant === true,
        count: p.count ?? 0,
      };
    })
    .filter((p) => !Number.isNaN(p.x));
}

/** Whether labels need the hour: one point per analysis, close together. */
export function labelsWithTime(data: ChartPoint[], perAnalysis: boolean): boolean {
  const span = data.length > 0 ? data[data.length - 1]!.x - data[0]!.x : 0;
  return perAnalysis && data.length > 1 && span < 3 * 86_400_000;
}

/** A short date (and time) in the current language. */
export function dateLabel(ms: number, withTime: boolean): string {
  return new Intl.DateTimeFormat(language() === 'ko' ? 'ko-KR' : 'en-GB', {
    month: 'short',
    day: 'numeric',
    ...(withTime ? { hour: '2-digit', minute: '2-digit' } : {}),
  }).format(new Date(ms));
}

/** "Oil: 3 points from 1 May to 9 May; latest score 2.40 of 4." (the chart's accessible name). */
export function trendSummary(attribute: AttributeName, data: ChartPoint[], withTime: boolean): string {
  if (data.length === 0) return t('trends.empty');
  return t('trends.summary', {
    attribute: t(`attr.${attribute}` as MessageKey),
    count: data.length,
    first: dateLabel(data[0]!.x, withTime),
    last: dateLabel(data[data.length - 1]!.x, withTime),
    latest: formatNumber(data[data.length - 1]!.y, 2),
  });
}

/** "1.20–1.60": a point's shaded range. */
export function rangeText(p: ChartPoint): string {
  return `${formatNumber(p.min, 2)}–${formatNumber(p.max, 2)}`;
}
