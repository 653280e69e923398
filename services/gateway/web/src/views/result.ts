// One diagnosis drawn for a person: the five grades with what they mean and
// the probability of each grade, photo-quality notes, and the Grad-CAM
// heatmaps per attribute (whole face, or each region). Used right after an
// analysis (#/result) and for a record opened from history (#/history/<id>).

import { render, state } from '../app';
import { h } from '../dom';
import { qualityWarnings } from '../error_views';
import { formatNumber, formatTime, t, type MessageKey } from '../i18n';
import { heatmapImageUrl, type DecodedPhoto } from '../heatmap_image';
import {
  explanationStatus,
  photoGrades,
  photoHeatmap,
  regionGrade,
  regionHeatmaps,
  regionName,
  warningIssues,
  type Grade,
} from '../model';
import { ATTRIBUTES, REGIONS, type AttributeName, type Diagnosis } from '../types';

function attrLabel(a: AttributeName): string {
  return t(`attr.${a}` as MessageKey);
}

function regionLabel(region: string): string {
  return (REGIONS as readonly string[]).includes(region) ? t(`region.${region}` as MessageKey) : region;
}

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
    { class: 'grade-card abstained', 'data-testid': 'grade-card', 'data-attribute': g.attribute, 'data-abstained': 'true' },
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
    { class: 'grade-card', 'data-testid': 'grade-card', 'data-attribute': g.attribute },
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
    h('p', { class: 'expected' }, t('result.expected', { score: formatNumber(g.expectedScore, 2) })),
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

function heatmapSection(d: Diagnosis, photo: DecodedPhoto | undefined): HTMLElement {
  const status = explanationStatus(d);
  const section = h('section', { class: 'panel heatmaps', 'data-testid': 'heatmaps' }, h('h2', {}, t('result.heatmaps')));
  const hasAny = (d.photoHeatmaps?.length ?? 0) > 0 || (d.heatmaps?.length ?? 0) > 0;
  if (!hasAny) {
    let text: string;
    // explanationError is the server's own diagnostic (it names internal stages), not for people.
    if (status === 'FAILED') text = t('result.heatmapsFailed');
    else if (status === 'NOT_REQUESTED') text = t('result.heatmapsNotRequested');
    else text = t('result.heatmapsNotStored');
    section.append(h('p', { class: 'message', 'data-testid': 'heatmaps-missing' }, text));
    return section;
  }
  section.append(h('p', { class: 'hint' }, t('result.heatmapsIntro')));

  const view = state.heatmapView;
  const tabs = h(
    'div',
    { class: 'heatmap-tabs', role: 'tablist' },
    ATTRIBUTES.map((a) => {
      const ph = photoHeatmap(d, a);
      const url = ph ? heatmapImageUrl(ph, photo) : undefined;
      return h(
        'button',
        {
          type: 'button',
          role: 'tab',
          class: 'heatmap-tab',
          'data-testid': 'heatmap-tab',
          'data-attribute': a,
          'aria-selected': String(view.attribute === a),
          onclick: () => {
            state.heatmapView.attribute = a;
            render();
          },
        },
        url
          ? h('img', { class: 'heatmap-thumb', src: url, alt: '', 'data-heatmap-attribute': a })
          : h('span', { class: 'heatmap-thumb empty' }),
        h('span', {}, attrLabel(a)),
      );
    }),
  );
  const modes = h(
    'div',
    { class: 'segmented' },
    h(
      'button',
      {
        type: 'button',
        'data-testid': 'view-whole',
        'aria-pressed': String(view.mode === 'whole'),
        onclick: () => {
          state.heatmapView.mode = 'whole';
          render();
        },
      },
      t('result.wholeFace'),
    ),
    h(
      'button',
      {
        type: 'button',
        'data-testid': 'view-region',
        'aria-pressed': String(view.mode === 'region'),
        onclick: () => {
          state.heatmapView.mode = 'region';
          render();
        },
      },
      t('result.byRegion'),
    ),
  );
  section.append(tabs, modes);

  if (view.mode === 'whole') {
    const ph = photoHeatmap(d, view.attribute);
    const url = ph ? heatmapImageUrl(ph, photo) : undefined;
    section.append(
      url
        ? h(
            'figure',
            { class: 'heatmap-main' },
            h('img', {
              src: url,
              alt: `${t('result.heatmaps')}: ${attrLabel(view.attribute)}`,
              'data-testid': 'heatmap-main',
              'data-attribute': view.attribute,
            }),
            h('figcaption', {}, `${attrLabel(view.attribute)} — ${t('result.wholeFace')}`),
          )
        : h('p', { class: 'message' }, t('result.noHeatmap')),
    );
  } else {
    const maps = regionHeatmaps(d, view.attribute);
    section.append(
      maps.length === 0
        ? h('p', { class: 'message' }, t('result.noHeatmap'))
        : h(
            'div',
            { class: 'region-grid' },
            maps.map((m) => {
              const region = regionName(m.region);
              const url = heatmapImageUrl(m, photo);
              const grade = regionGrade(d, region, view.attribute);
              return h(
                'figure',
                { class: 'region-heatmap' },
                url
                  ? h('img', { src: url, alt: regionLabel(region), 'data-testid': 'region-heatmap', 'data-region': region })
                  : h('span', { class: 'heatmap-thumb empty' }),
                h(
                  'figcaption',
                  {},
                  grade !== undefined ? t('result.regionGrade', { region: regionLabel(region), grade }) : regionLabel(region),
                ),
              );
            }),
          ),
    );
  }
  return section;
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
    d.demoModel ? h('p', { class: 'notice demo', role: 'note', 'data-testid': 'result-demo' }, t('result.demoResult')) : null,
    saved ? null : h('p', { class: 'message error' }, t('result.notSaved')),
    qualityWarnings(warningIssues(d.quality)),
    h('p', { class: 'hint' }, t('result.meaningScale')),
    h('div', { class: 'grades', 'data-testid': 'grades' }, grades.map(gradeCard)),
    heatmapSection(d, photo),
  );
}
