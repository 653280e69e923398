// The five grades in one compact row at the top of a result, so on a phone the
// key facts are on the first screen before the long cards and heatmaps; each
// item jumps to its card (a button, not a link: "#..." is the router's).

import { h } from '../dom';
import { t } from '../i18n';
import type { Grade } from '../model';
import { attrLabel } from './labels';

function jumpToCard(attribute: string): void {
  const card = document.querySelector<HTMLElement>(`[data-testid="grade-card"][data-attribute="${attribute}"]`);
  if (!card) return;
  card.scrollIntoView({ block: 'start' });
  // Keyboard and screen-reader users land on the card too, not only the eyes.
  card.focus({ preventScroll: true });
}

function summaryItem(g: Grade): HTMLElement {
  const value = g.abstained ? t('result.cannotEstimate') : t('result.gradeLabel', { grade: g.grade });
  return h(
    'li',
    {},
    h(
      'button',
      {
        type: 'button',
        class: 'summary-item',
        'data-testid': 'summary-grade',
        'data-attribute': g.attribute,
        onclick: () => jumpToCard(g.attribute),
      },
      h('span', { class: 'summary-name' }, attrLabel(g.attribute)),
      // The badge is the visual; the hidden words say the grade (or "cannot estimate") in full.
      h('span', { class: g.abstained ? 'grade-badge small none' : `grade-badge small g${g.grade}`, 'aria-hidden': 'true' }, g.abstained ? '–' : String(g.grade)),
      h('span', { class: 'visually-hidden' }, value),
    ),
  );
}

export function gradeSummary(grades: Grade[]): HTMLElement {
  return h(
    'nav',
    { class: 'grade-summary', 'aria-label': t('result.summary'), 'data-testid': 'grade-summary' },
    h('ul', {}, grades.map(summaryItem)),
  );
}
