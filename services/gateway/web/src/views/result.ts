// One diagnosis drawn for a person: the five grades with what they mean, the
// regions each grade combines, the probability of each grade, photo-quality
// notes, and the Grad-CAM heatmaps (heatmaps.ts). Used right after an
// analysis (#/result) and for a record opened from history (#/history/<id>).

import { h } from '../dom';
import { qualityWarnings } from '../error_views';
import { formatList, formatNumber, formatTime, t, type MessageKey } from '../i18n';
import type { DecodedPhoto } from '../heatmap_image';
import { photoGrades, warningIssues, type Grade } from '../model';
import type { Diagnosis } from '../types';
import { gradeSummary } from './grade_summary';
import { heatmapSection } from './heatmaps';
import { attrLabel, regionLabel } from './labels';

function probabilityBar(grade: number, p: number, chosen: boolean): HTMLElement {
  const fill = h('span', { class: 'bar-fill' });
  // Sizes go through the CSSOM: style attributes would break the CSP.
  fill.style.width = `${Math.round(Math.min(1, Math.max(0, p)) * 100)}%`;
  return h(
    'li',
    { class: chosen ? 'prob chosen' : 'prob' },
    h('span', { class: 'prob-label' }, t('result.gradeLabel', { grade })),
    h(
      'span',
      {
        class: 'bar',
        role: 'meter',
        'aria-valuemin': 0,
        'aria-valuemax': 100,
        'aria-valuenow': Math.round(p * 100),
        'aria-label': t('result.gradeLabel', { grade }),
      },
      fill,
    ),
    h('span', { class: 'prob-value' }, `${formatNumber(p * 100, 0)}%`),
  );
}

/** The card of an attribute the model did not grade: says so, shows no grade. */
function abstainedCard(g: Grade): HTMLElement {
  return h(
    'article',
    { class: 'grade-card abstained', 'data-testid': 'grade-card', 'data-attribute': g.attribute, 'data-abstained': 'true', tabindex: -1 },
    h(
      'header',
      {},
      h('h3', {}, attrLabel(g.attribute)),
      h('span', { class: 'grade-badge none', 'data-testid': 'grade-value', title: t('result.cannotEstimate') }, '–'),
    ),
    h('p', { class: 'about' }, t(`attr.${g.attribute}.about` as MessageKey)),
    h('p', { class: 'meaning', 'data-testid': 'grade-abstained' }, h('strong', {}, t('result.cannotEstimate'))),
    h('p', { class: 'hint' }, t('result.cannotEstimateWhy')),
  );
}

function gradeCard(g: Grade): HTMLElement {
  if (g.abstained) return abstainedCard(g);
  return h(
    'article',
    { class: 'grade-card', 'data-testid': 'grade-card', 'data-attribute': g.attribute, tabindex: -1 },
    h(
      'header',
      {},
      h('h3', {}, attrLabel(g.attribute)),
      h(
        'span',
        { class: `grade-badge g${g.grade}`, 'data-testid': 'grade-value', title: t('result.grade', { grade: g.grade }) },
        String(g.grade),
      ),
    ),
    h('p', { class: 'about' }, t(`attr.${g.attribute}.about` as MessageKey)),
    h(
      'p',
      { class: 'meaning', 'data-testid': 'grade-meaning' },
      h('strong', {}, t('result.grade', { grade: g.grade })),
      ' — ',
      t(`grade.${g.attribute}.${g.grade}` as MessageKey),
    ),
    // Which regions the grade combines, so a region tile with another grade is no surprise.
    g.regions.length > 0
      ? h('p', { class: 'from-regions', 'data-testid': 'grade-regions' }, t('result.fromRegions', { regions: formatList(g.regions.map(regionLabel)) }))
      : null,
    h('p', { class: 'expected', 'data-testid': 'grade-score' }, t('result.expected', { score: formatNumber(g.expectedScore, 2) })),
    h(
      'details',
      { class: 'probabilities', open: true },
      h('summary', {}, t('result.probabilities')),
      h(
        'ul',
        { class: 'probs' },
        g.probabilities.map((p, k) => probabilityBar(k, p, k === g.grade)),
      ),
    ),
  );
}

/**
 * The result page content for `d`; `saved` is false when history could not
 * keep it. `photo`, when the page still has the analysed photo, is drawn
 * under the heatmaps.
 */
export function diagnosisView(d: Diagnosis, saved = true, photo?: DecodedPhoto): HTMLElement {
  const grades = photoGrades(d);
  return h(
    'div',
    { class: 'result', 'data-testid': 'result' },
    h(
      'header',
      { class: 'result-header' },
      h('h2', {}, t('result.title')),
      d.createTime ? h('p', { class: 'muted' }, t('result.takenAt', { time: formatTime(d.createTime) })) : null,
    ),
    // First, before notices and the long cards: the five grades at a glance.
    gradeSummary(grades),
    d.demoModel ? h('p', { class: 'notice demo', role: 'note', 'data-testid': 'result-demo' }, t('result.demoResult')) : null,
    saved ? null : h('p', { class: 'message error' }, t('result.notSaved')),
    qualityWarnings(warningIssues(d.quality)),
    h('p', { class: 'hint' }, t('result.meaningScale')),
    h('div', { class: 'grades', 'data-testid': 'grades' }, grades.map(gradeCard)),
    heatmapSection(d, photo, grades),
  );
}
