// What both trend charts (trends.ts, trend_overview.ts) share: Chart.js's
// `time` scale with the date-fns adapter, set up by trend_axis.ts, and a
// record of the drawn x ticks on the canvas (data-x-ticks), so tests can read
// what a person sees on the axis without decoding pixels, and the number of
// lines with points (data-series).

import 'chartjs-adapter-date-fns';
import { Chart, TimeScale, type Plugin, type ScaleOptionsByType } from 'chart.js';
import { language, t } from '../i18n';
import { timeAxis } from '../trend_axis';
import type { ChartPoint } from '../trend_points';

Chart.register(TimeScale);

/** The x scale's options for points `data` (oldest first). */
export function timeScaleOptions(data: ChartPoint[], withTime: boolean): Partial<ScaleOptionsByType<'time'>> {
  const axis = timeAxis(data, withTime, language());
  return {
    type: 'time',
    min: axis.min,
    max: axis.max,
    time: { ...axis.time } as ScaleOptionsByType<'time'>['time'],
    ticks: { source: 'auto', autoSkip: true, maxTicksLimit: 6, maxRotation: 0 } as ScaleOptionsByType<'time'>['ticks'],
  };
}

/**
 * The options both charts start from: sized by their box, a short animation,
 * points given as {x, y}, time on x and the 0-4 score on y.
 */
export function scoreChartOptions(data: ChartPoint[], withTime: boolean) {
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: { duration: 250 },
    parsing: false as const,
    scales: {
      x: timeScaleOptions(data, withTime),
      y: { min: 0, max: 4, ticks: { stepSize: 1 }, title: { display: true, text: t('trends.score') } },
    },
  };
}

/** Writes the x ticks, [{ value, label }], and the drawn lines to the canvas after every layout. */
export const tickRecorder: Plugin = {
  id: 'skinlensTickRecorder',
  afterUpdate(chart) {
    const x = chart.scales.x;
    if (!x) return;
    chart.canvas.dataset.xScale = x.type;
    chart.canvas.dataset.xTicks = JSON.stringify(x.ticks.map((t) => ({ value: t.value, label: t.label })));
    chart.canvas.dataset.series = String(chart.data.datasets.filter((d) => d.data.length > 0).length);
  },
};
