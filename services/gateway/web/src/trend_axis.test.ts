import { describe, expect, it } from 'vitest';
import { timeAxis } from './trend_axis';
import type { ChartPoint } from './trend_points';

const point = (x: number): ChartPoint => ({ x, y: 1, min: 1, max: 1, banded: false, significant: false, count: 1 });
const DAY = 86_400_000;

describe('timeAxis', () => {
  it('gives a lone point a day either side, with day ticks', () => {
    const a = timeAxis([point(10 * DAY)], true, 'en');
    expect([a.min, a.max]).toEqual([9 * DAY, 11 * DAY]);
    expect(a.time.minUnit).toBe('day');
  });

  it('pads close analyses by minutes and allows minute ticks that show the time', () => {
    const a = timeAxis([point(0), point(60_000)], true, 'en');
    expect(a.min).toBe(-300_000);
    expect(a.max).toBe(360_000);
    expect(a.time.minUnit).toBe('minute');
    expect(a.time.displayFormats.minute).toContain('HH:mm');
  });

  it('keeps ticks to whole days when labels show no time, padded by at least half a day', () => {
    const a = timeAxis([point(0), point(10 * DAY)], false, 'en');
    expect(a.time.minUnit).toBe('day');
    expect(a.min).toBe(-DAY / 2);
    expect(a.max).toBe(10 * DAY + DAY / 2);
    expect(a.time.displayFormats.day).toBe('d MMM');
    // Over a long span the padding grows with it.
    expect(timeAxis([point(0), point(100 * DAY)], false, 'en').min).toBe(-3 * DAY);
  });

  it('labels in Korean with Korean date order', () => {
    const a = timeAxis([point(0), point(DAY * 5)], false, 'ko');
    expect(a.time.displayFormats.day).toBe('M월 d일');
    expect(a.time.displayFormats.month).toBe('yyyy년 M월');
  });
});
