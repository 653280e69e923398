// All five attributes on one time axis, below the per-attribute chart on the
// trends page: a person sees at a glance which attribute moves, then picks it
// above for its band and details. Each line has its own colour and point
// shape (not colour alone); the canvas's accessible name gives each latest score.

import { Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';
import * as api from '../api';
import { render, state } from '../app';
import { h } from '../dom';
import { errorBox } from '../error_views';
import { errorText } from '../errors';
import { formatList, formatNumber, t, type MessageKey } from '../i18n';
import type { ApiError } from '../model';
import { chartPoints, dateLabel, labelsWithTime, type ChartPoint } from '../trend_points';
import { ATTRIBUTES, type AttributeName, type TrendPoint } from '../types';
import { scoreChartOptions, tickRecorder } from './trend_time_scale';

Chart.register(LineController, LineElement, PointElement, LinearScale, Legend, Tooltip);

// Okabe-Ito colours (told apart with colour-vision deficiencies) and shapes.
const STYLE: Record<AttributeName, { color: string; point: 'circle' | 'triangle' | 'rect' | 'rectRot' | 'star' }> = {
  oil: { color: '#0072b2', point: 'circle' },
  hydration: { color: '#d55e00', point: 'triangle' },
  wrinkle: { color: '#009e73', point: 'rect' },
  pigmentation: { color: '#cc79a7', point: 'rectRot' },
  sensitivity: { color: '#e69f00', point: 'star' },
};

let chart: Chart | undefined;

async function load(): Promise<void> {
  const tr = state.trends;
  const bucket = tr.bucket;
  const overview: NonNullable<typeof tr.overview> = { bucket };
  tr.overview = overview;
  try {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone ?? '';
    const responses = await Promise.all(ATTRIBUTES.map((a) => api.getTrend(a, bucket, zone)));
    const points = {} as Record<AttributeName, TrendPoint[]>;
    ATTRIBUTES.forEach((a, i) => (points[a] = responses[i]?.series?.[0]?.points ?? []));
    overview.points = points;
  } catch (e) {
    overview.error = e as ApiError;
  } finally {
    render();
  }
}

const attr = (a: AttributeName) => t(`attr.${a}` as MessageKey);

function summary(series: Record<AttributeName, ChartPoint[]>): string {
  const latest = ATTRIBUTES.filter((a) => series[a].length > 0).map((a) =>
    t('trends.overviewLatest', { attribute: attr(a), score: formatNumber(series[a][series[a].length - 1]!.y, 2) }),
  );
  return t('trends.overviewSummary', { latest: formatList(latest) });
}

function draw(canvas: HTMLCanvasElement, series: Record<AttributeName, ChartPoint[]>, all: ChartPoint[], withTime: boolean): void {
  chart?.destroy();
  chart = new Chart(canvas, {
    type: 'line',
    data: {
      datasets: ATTRIBUTES.map((a) => ({
        label: attr(a),
        data: series[a].map((p) => ({ x: p.x, y: p.y })),
        borderColor: STYLE[a].color,
        backgroundColor: STYLE[a].color,
        pointStyle: STYLE[a].point,
        pointRadius: 4,
        borderWidth: 2,
        // Monotone: a curve between close points never swings past their scores.
        cubicInterpolationMode: 'monotone',
      })),
    },
    options: {
      ...scoreChartOptions(all, withTime),
      plugins: {
        legend: { labels: { usePointStyle: true } },
        tooltip: { callbacks: { title: (items) => dateLabel(Number(items[0]?.parsed.x ?? 0), true) } },
      },
    },
    plugins: [tickRecorder],
  });
}

/** The overview section; loads the five series the first time and after a bucket change. */
export function trendOverview(): HTMLElement {
  const tr = state.trends;
  if (!tr.overview || tr.overview.bucket !== tr.bucket) void load();
  const overview = tr.overview!;
  const title = h('h3', { id: 'trend-overview-title' }, t('trends.overviewTitle'));
  let body: Node;
  if (overview.error) body = errorBox(errorText(overview.error));
  else if (!overview.points) body = h('p', { class: 'muted' }, t('common.loading'));
  else {
    const points = overview.points;
    const series = {} as Record<AttributeName, ChartPoint[]>;
    for (const a of ATTRIBUTES) series[a] = chartPoints(points[a]);
    const all = ATTRIBUTES.flatMap((a) => series[a]).sort((p, q) => p.x - q.x);
    const withTime = labelsWithTime(all, tr.bucket === 'NONE');
    const canvas = h('canvas', { 'data-testid': 'trend-overview-chart', role: 'img', 'aria-label': summary(series) });
    body = h('div', { class: 'chart-box overview' }, canvas);
    requestAnimationFrame(() => {
      if (canvas.isConnected) draw(canvas, series, all, withTime);
    });
  }
  return h(
    'section',
    { class: 'trend-overview', 'data-testid': 'trend-overview', 'aria-labelledby': 'trend-overview-title' },
    title,
    h('p', { class: 'hint' }, t('trends.overviewIntro')),
    body,
  );
}

/** Frees the chart when the page changes. */
export function destroyOverviewChart(): void {
  chart?.destroy();
  chart = undefined;
}
