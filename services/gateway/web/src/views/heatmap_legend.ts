// The key to the heatmaps' colours: cold to warm is less to more influence on
// the chosen grade. People read red on a face as "bad skin here", so the
// legend says in words that it is not.

import { h } from '../dom';
import { t } from '../i18n';

export function heatmapLegend(): HTMLElement {
  return h(
    'div',
    { class: 'heatmap-legend', 'data-testid': 'heatmap-legend' },
    h(
      'div',
      { class: 'legend-scale' },
      h('span', {}, t('heatmap.legendLow')),
      // The bar repeats the words either side of it; screen readers skip it.
      h('span', { class: 'legend-bar', 'aria-hidden': 'true' }),
      h('span', {}, t('heatmap.legendHigh')),
    ),
    h('p', { 'data-testid': 'heatmap-legend-text' }, t('heatmap.legendText')),
  );
}
