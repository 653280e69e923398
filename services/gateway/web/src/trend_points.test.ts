import { afterEach, describe, expect, it } from 'vitest';
import { setLanguage } from './i18n';
import { chartPoints, labelsWithTime, rangeText, trendSummary } from './trend_points';

afterEach(() => setLanguage('en'));

const points = [
  { startTime: '2026-05-01T09:00:00Z', count: 1, meanExpectedScore: 1.2, minExpectedScore: 1.2, maxExpectedScore: 1.2, bandLower: 1, bandUpper: 1.4 },
  { startTime: '2026-05-09T09:00:00Z', count: 2, meanExpectedScore: 2.4, minExpectedScore: 2, maxExpectedScore: 2.8, changeSignificant: true },
  { count: 1, meanExpectedScore: 3 }, // no time: not drawable
];

describe('chartPoints', () => {
  it('reads the band, else the lowest-highest range, and drops points without a time', () => {
    const data = chartPoints(points);
    expect(data).toHaveLength(2);
    expect(data[0]).toMatchObject({ y: 1.2, min: 1, max: 1.4, banded: true, significant: false, count: 1 });
    // bandLower/bandUpper left out by the JSON mapping read as 0: no band, the range instead.
    expect(data[1]).toMatchObject({ y: 2.4, min: 2, max: 2.8, banded: false, significant: true, count: 2 });
    expect(rangeText(data[1]!)).toBe('2.00–2.80');
  });
});

describe('labelsWithTime', () => {
  it('shows hours only for analyses close together', () => {
    const data = chartPoints(points);
    expect(labelsWithTime(data, true)).toBe(false);
    expect(labelsWithTime([data[0]!, { ...data[0]!, x: data[0]!.x + 3600e3 }], true)).toBe(true);
    expect(labelsWithTime([data[0]!, { ...data[0]!, x: data[0]!.x + 3600e3 }], false)).toBe(false);
  });
});

describe('trendSummary', () => {
  it('describes the chart in words, in both languages', () => {
    const data = chartPoints(points);
    expect(trendSummary('oil', data, false)).toBe('Oil: 2 points from 1 May to 9 May; latest score 2.40 of 4.');
    setLanguage('ko');
    expect(trendSummary('oil', data, false)).toBe('유분: 5월 1일부터 5월 9일까지 2개 점, 최근 점수 2.40 (4점 만점).');
  });
});
