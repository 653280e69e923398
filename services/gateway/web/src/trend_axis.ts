// The trend charts' time axis (a Chart.js `time` scale): how far it reaches
// beyond the points and how its ticks are labelled in each language. Ticks
// sit on real calendar boundaries (midnight, the first of the month), so a
// day's label is never printed twice or under another day's point, and the
// smallest tick unit matches what the labels show. No DOM, unit-tested in
// trend_axis.test.ts.
//
//   scales: { x: { type: 'time', ...timeAxis(data, withTime, language()) } }

import type { Language } from './i18n';
import type { ChartPoint } from './trend_points';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Tick labels per unit, as date-fns patterns (non-Latin letters are literal). */
const FORMATS: Record<Language, Record<string, string>> = {
  en: {
    minute: 'd MMM HH:mm',
    hour: 'd MMM HH:mm',
    day: 'd MMM',
    week: 'd MMM',
    month: 'MMM yyyy',
    quarter: 'QQQ yyyy',
    year: 'yyyy',
  },
  ko: {
    minute: 'M월 d일 HH:mm',
    hour: 'M월 d일 HH:mm',
    day: 'M월 d일',
    week: 'M월 d일',
    month: 'yyyy년 M월',
    quarter: 'yyyy년 Q분기',
    year: 'yyyy년',
  },
};

export interface TimeAxis {
  min: number;
  max: number;
  time: { minUnit: 'minute' | 'day'; displayFormats: Record<string, string>; tooltipFormat: string };
}

/**
 * Bounds and tick settings for `data` (oldest first). With `withTime` (close
 * analyses) ticks may fall on minutes and hours, and their labels carry the
 * time; otherwise ticks are whole days or longer. The points are padded so
 * the first and last are not drawn on the plot's edge, and a lone point gets
 * a day either side.
 */
export function timeAxis(data: ChartPoint[], withTime: boolean, language: Language): TimeAxis {
  const first = data[0]?.x ?? Date.now();
  const last = data[data.length - 1]?.x ?? first;
  const span = last - first;
  const pad = span === 0 ? DAY : withTime ? Math.max(span * 0.05, 5 * MINUTE) : Math.max(span * 0.03, 12 * HOUR);
  const formats = FORMATS[language];
  return {
    min: first - pad,
    max: last + pad,
    time: {
      minUnit: withTime && span > 0 ? 'minute' : 'day',
      displayFormats: formats,
      tooltipFormat: withTime ? formats.minute! : formats.day!,
    },
  };
}
