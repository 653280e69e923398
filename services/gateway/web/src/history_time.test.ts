import { describe, expect, it } from 'vitest';
import { historyTime, relativeTime } from './history_time';

const NOW = Date.parse('2026-12-07T15:30:00Z');

describe('relativeTime', () => {
  it('uses the largest whole unit, in English and Korean', () => {
    expect(relativeTime(NOW - 5_000, NOW, 'en')).toBe('5 seconds ago');
    expect(relativeTime(NOW - 3 * 60_000 - 59_000, NOW, 'en')).toBe('3 minutes ago');
    expect(relativeTime(NOW - 2 * 86_400_000, NOW, 'en')).toBe('2 days ago');
    expect(relativeTime(NOW - 3 * 60_000, NOW, 'ko')).toBe('3분 전');
  });

  it('reads under a second, or a time ahead of the clock, as now', () => {
    expect(relativeTime(NOW - 200, NOW, 'en')).toBe('now');
    expect(relativeTime(NOW + 60_000, NOW, 'ko')).toBe('지금');
  });
});

describe('historyTime', () => {
  it('tells apart analyses seconds apart', () => {
    const a = historyTime('2026-12-07T15:23:05Z', NOW, 'en')!;
    const b = historyTime('2026-12-07T15:23:41Z', NOW, 'en')!;
    expect(a.absolute).not.toBe(b.absolute);
    expect(a.absolute).toMatch(/:05\b/);
    expect(historyTime('2026-12-07T15:23:41Z', NOW, 'ko')!.absolute).toMatch(/41초|:41/);
  });

  it('is undefined without a readable time', () => {
    expect(historyTime(undefined, NOW, 'en')).toBeUndefined();
    expect(historyTime('yesterday', NOW, 'en')).toBeUndefined();
  });
});
