// The trends page (#/trends): one attribute's photo-level score over time as
// a line chart (Chart.js), per analysis or grouped by day, week or month,
// with the lowest-highest range of each group as a band, and the same points
// as a visually-hidden table for screen readers (trend_table.ts). The x axis
// is a time scale (trend_time_scale.ts), so points sit at their moment and
// ticks on calendar days. Below it, all five attributes together
// (trend_overview.ts).

import {
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import * as api from '../api';
import { render, state } from '../app';
import { h } from '../dom';
import { errorBox } from '../error_views';
import { errorText } from '../errors';
import { formatNumber, t, type MessageKey } from '../i18n';
import type { ApiError } from '../model';
import { chartPoints, dateLabel, labelsWithTime, trendSummary, type ChartPoint } from '../trend_points';
import { ATTRIBUTES, type AttributeName, type TrendPoint } from '../types';
import { destroyOverviewChart, trendOverview } from './trend_overview';
import { scoreChartOptions, tickRecorder } from './trend_time_scale';
import { trendTable } from './trend_table';

Chart.register(LineController, LineElement, PointElement, LinearScale, Filler, Legend, Tooltip);

let chart: Chart | undefined;

async function load(): Promise<void> {
  const tr = state.trends;
  tr.loading = true;
  tr.error = undefined;
  const attribute = tr.attribute;
  const bucket = tr.bucket;
  try {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone ?? '';
    const response = await api.getTrend(attribute, bucket, zone);
    if (tr.attribute === attribute && tr.bucket === bucket) tr.response = response;
  } catch (e) {
    tr.error = e as ApiError;
  } finally {
    tr.loading = false;
    render();
  }
}

function drawChart(canvas: HTMLCanvasElement, attribute: AttributeName, data: ChartPoint[], withTime: boolean): void {
  chart?.destroy();
  const banded = data.some((p) => p.banded);
  canvas.dataset.bandPoints = String(data.filter((p) => p.banded).length);
  canvas.dataset.significantChanges = String(data.filter((p) => p.significant).length);
  const color = getComputedStyle(document.documentElement).getPropertyValue('--accent').trim() || '#c2416b';
  chart = new Chart(canvas, {
    type: 'line',
    data: {
      datasets: [
        {
          label: banded ? t('trends.band') : t('trends.range'),
          data: data.map((p) => ({ x: p.x, y: p.max })),
          borderWidth: 0,
          pointRadius: 0,
          fill: '+1',
          backgroundColor: banded ? 'rgba(194, 65, 107, 0.2)' : 'rgba(194, 65, 107, 0.12)',
        },
        {
          label: banded ? t('trends.band') : t('trends.range'),
          data: data.map((p) => ({ x: p.x, y: p.min })),
          borderWidth: 0,
          pointRadius: 0,
          fill: false,
        },
        {
          label: `${t(`attr.${attribute}` as MessageKey)} — ${t('trends.score')}`,
          data: data.map((p) => ({ x: p.x, y: p.y })),
          borderColor: color,
          backgroundColor: color,
          // A change beyond repeat-scan noise is drawn as a larger triangle.
          pointRadius: data.map((p) => (p.significant ? 8 : 4)),
          pointStyle: data.map((p) => (p.significant ? 'triangle' : 'circle')),
          // Monotone: a curve between close points never swings past their scores.
          cubicInterpolationMode: 'monotone',
        },
      ],
    },
    options: {
      ...scoreChartOptions(data, withTime),
      plugins: {
        legend: { labels: { filter: (item) => item.datasetIndex === 2 } },
        tooltip: {
          filter: (item) => item.datasetIndex === 2,
          callbacks: {
            title: (items) => dateLabel(Number(items[0]?.parsed.x ?? 0), true),
            label: (item) => {
              const p = data[item.dataIndex]!;
              const text = `${formatNumber(p.y, 2)} (${formatNumber(p.min, 2)}–${formatNumber(p.max, 2)})`;
              return p.significant ? `${text} — ${t('trends.significant')}` : text;
            },
          },
        },
      },
    },
    plugins: [tickRecorder],
  });
}

export function trendsView(): HTMLElement {
  const tr = state.trends;
  if (!tr.response && !tr.loading && !tr.error) void load();
  const attributeSelect = h(
    'select',
    { id: 'trend-attribute', 'data-testid': 'trend-attribute' },
    ATTRIBUTES.map((a) => h('option', { value: a, selected: a === tr.attribute }, t(`attr.${a}` as MessageKey))),
  );
  attributeSelect.addEventListener('change', () => {
    tr.attribute = attributeSelect.value as AttributeName;
    tr.response = undefined;
    tr.error = undefined;
    render();
  });
  const bucketSelect = h(
    'select',
    { id: 'trend-bucket', 'data-testid': 'trend-bucket' },
    (['NONE', 'DAY', 'WEEK', 'MONTH'] as const).map((b) =>
      h('option', { value: b, selected: b === tr.bucket }, t(`trends.bucket.${b}` as MessageKey)),
    ),
  );
  bucketSelect.addEventListener('change', () => {
    tr.bucket = bucketSelect.value as api.TrendBucketName;
    tr.response = undefined;
    tr.error = undefined;
    render();
  });

  const series = tr.response?.series?.[0];
  const points = series?.points ?? [];
  const perAnalysis = tr.bucket === 'NONE';
  const data = chartPoints(points);
  // Hours matter only when the analyses are close together.
  const withTime = labelsWithTime(data, perAnalysis);
  let body: Node;
  if (tr.error) body = errorBox(errorText(tr.error));
  else if (!tr.response) body = h('p', { class: 'muted' }, t('common.loading'));
  else if (points.length === 0) body = h('p', { class: 'muted', 'data-testid': 'trend-empty' }, t('trends.empty'));
  else {
    const canvas = h('canvas', {
      'data-testid': 'trend-chart',
      role: 'img',
      'aria-label': trendSummary(tr.attribute, data, withTime),
    });
    body = h('div', {}, h('div', { class: 'chart-box' }, canvas), trendTable(tr.attribute, data, perAnalysis));
    // Chart.js measures its container, so draw once the canvas is in the page.
    requestAnimationFrame(() => {
      if (canvas.isConnected) drawChart(canvas, tr.attribute, data, withTime);
    });
  }
  return h(
    'section',
    { class: 'panel trends', 'data-testid': 'trends' },
    h('h2', {}, t('trends.title')),
    h(
      'div',
      { class: 'controls' },
      h('label', { for: 'trend-attribute' }, t('trends.attribute')),
      attributeSelect,
      h('label', { for: 'trend-bucket' }, t('trends.bucket')),
      bucketSelect,
    ),
    body,
    points.length > 0 ? bandNote(points, tr.bucket === 'NONE') : null,
    tr.response?.truncated ? h('p', { class: 'hint' }, t('trends.truncated')) : null,
    points.length > 0 ? trendOverview() : null,
  );
}

/** What the shaded band means, and which changes are beyond noise, in words. */
function bandNote(points: TrendPoint[], perAnalysis: boolean): HTMLElement {
  const banded = points.some((p) => (p.bandUpper ?? 0) > (p.bandLower ?? 0));
  const changes = points.filter((p) => p.changeSignificant === true);
  return h(
    'div',
    { class: 'hint', 'data-testid': 'trend-band-note' },
    h('p', {}, banded ? t('trends.bandExplained') : t('trends.noBand')),
    banded
      ? h(
          'p',
          { 'data-testid': 'trend-significant' },
          changes.length === 0
            ? t('trends.noSignificant')
            : t('trends.significantList', {
                dates: chartPoints(changes)
                  .map((p) => dateLabel(p.x, perAnalysis))
                  .join(', '),
              }),
        )
      : null,
  );
}

/** Frees the chart when the page changes. */
export function destroyTrendChart(): void {
  chart?.destroy();
  chart = undefined;
  destroyOverviewChart();
}
