// The trend chart's text alternative: its points as a table that screen
// readers read and the screen does not show (class visually-hidden), with the
// date, the score, the shaded range (noise band or lowest-highest), the number
// of analyses of a grouped point, and the changes beyond repeat-scan noise.

import { h } from '../dom';
import { formatNumber, t, type MessageKey } from '../i18n';
import { dateLabel, rangeText, type ChartPoint } from '../trend_points';
import type { AttributeName } from '../types';

export function trendTable(attribute: AttributeName, data: ChartPoint[], perAnalysis: boolean): HTMLElement {
  const banded = data.some((p) => p.banded);
  const headers = [
    t('trends.colDate'),
    t('trends.colScore'),
    banded ? t('trends.band') : t('trends.range'),
    perAnalysis ? null : t('trends.colCount'),
    banded ? t('trends.colChange') : null,
  ];
  const rows = data.map((p) =>
    h(
      'tr',
      {},
      // Per analysis, several points can fall on one day: the time tells them apart.
      h('th', { scope: 'row' }, dateLabel(p.x, perAnalysis)),
      h('td', {}, formatNumber(p.y, 2)),
      h('td', {}, rangeText(p)),
      perAnalysis ? null : h('td', {}, String(p.count)),
      banded ? h('td', {}, p.significant ? t('trends.changeYes') : t('trends.changeNo')) : null,
    ),
  );
  // Hidden by a wrapper: a table grows to its content whatever width it is given.
  return h(
    'div',
    { class: 'visually-hidden', 'data-testid': 'trend-table' },
    h(
      'table',
      {},
      h('caption', {}, t('trends.tableCaption', { attribute: t(`attr.${attribute}` as MessageKey) })),
      h('thead', {}, h('tr', {}, headers.filter((x) => x !== null).map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, rows),
    ),
  );
}
