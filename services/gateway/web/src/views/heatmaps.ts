// The Grad-CAM heatmaps of a diagnosis: one tab per attribute (the WAI-ARIA
// tabs pattern), and in the tab's panel the whole-face map or one tile per
// region with that region's own grade. The region view says how the tiles
// relate to the card's grade (grade_story.ts), so a whole-face tile graded 3
// next to a card graded 1 is not read as a contradiction. The whole-face map
// is cut to the face where the response says where it is (face_crop.ts), and
// a legend (heatmap_legend.ts) says what its colours mean.

import { render, state } from '../app';
import { h } from '../dom';
import { formatList, t, type MessageKey } from '../i18n';
import { faceCropRect, faceBox, photoSize, type Rect } from '../face_crop';
import { faceHeatmapImageUrl } from '../face_heatmap_image';
import { heatmapImageUrl, type DecodedPhoto } from '../heatmap_image';
import { regionRole } from '../grade_story';
import { explanationStatus, photoHeatmap, regionGrade, regionHeatmaps, regionName, type Grade } from '../model';
import { tabKeyTarget } from '../tab_keys';
import { ATTRIBUTES, type AttributeName, type Diagnosis } from '../types';
import { heatmapLegend } from './heatmap_legend';
import { attrLabel, regionLabel } from './labels';

// Ids of the heatmap tabs and their panel (one diagnosis is shown per page).
const HEATMAP_PANEL_ID = 'heatmap-panel';
const HEATMAPS_TITLE_ID = 'heatmaps-title';
const heatmapTabId = (a: AttributeName) => `heatmap-tab-${a}`;

/** Shows attribute `a`'s heatmaps; `focus` moves focus to its tab (arrow keys). */
function selectHeatmapTab(a: AttributeName, focus: boolean): void {
  state.heatmapView.attribute = a;
  render();
  if (focus) document.getElementById(heatmapTabId(a))?.focus();
}

/** Attribute `a`'s whole-face image: cut to the face when the response has its box, else the whole photo. */
function wholeFaceImage(d: Diagnosis, a: AttributeName, photo: DecodedPhoto | undefined): { url?: string; crop?: Rect } {
  const ph = photoHeatmap(d, a);
  if (!ph) return {};
  const size = photoSize(d, ph);
  const crop = faceCropRect(faceBox(d), size);
  const url = crop && size ? faceHeatmapImageUrl(ph, crop, size.width, photo) : undefined;
  return url ? { url, crop } : { url: heatmapImageUrl(ph, photo) };
}

function tabList(d: Diagnosis, photo: DecodedPhoto | undefined): HTMLElement {
  const view = state.heatmapView;
  // The WAI-ARIA tabs pattern: one tab stop for the list (roving tabindex), arrow keys,
  // Home and End move between tabs and show each at once (the maps are already here).
  return h(
    'div',
    { class: 'heatmap-tabs', role: 'tablist', 'aria-labelledby': HEATMAPS_TITLE_ID },
    ATTRIBUTES.map((a, index) => {
      const { url } = wholeFaceImage(d, a, photo);
      const selected = view.attribute === a;
      return h(
        'button',
        {
          type: 'button',
          role: 'tab',
          id: heatmapTabId(a),
          class: 'heatmap-tab',
          'data-testid': 'heatmap-tab',
          'data-attribute': a,
          'aria-selected': String(selected),
          'aria-controls': HEATMAP_PANEL_ID,
          tabindex: selected ? '0' : '-1',
          onclick: () => selectHeatmapTab(a, false),
          onkeydown: (event: KeyboardEvent) => {
            const next = tabKeyTarget(event.key, index, ATTRIBUTES.length);
            if (next === undefined) return;
            event.preventDefault();
            selectHeatmapTab(ATTRIBUTES[next]!, true);
          },
        },
        url
          ? h('img', { class: 'heatmap-thumb', src: url, alt: '', 'data-heatmap-attribute': a })
          : h('span', { class: 'heatmap-thumb empty' }),
        h('span', {}, attrLabel(a)),
      );
    }),
  );
}

function modeSwitch(): HTMLElement {
  const view = state.heatmapView;
  const button = (mode: 'whole' | 'region', key: MessageKey) =>
    h(
      'button',
      {
        type: 'button',
        'data-testid': `view-${mode}`,
        'aria-pressed': String(view.mode === mode),
        onclick: () => {
          state.heatmapView.mode = mode;
          render();
        },
      },
      t(key),
    );
  return h('div', { class: 'segmented' }, button('whole', 'result.wholeFace'), button('region', 'result.byRegion'));
}

function wholeFace(d: Diagnosis, photo: DecodedPhoto | undefined): HTMLElement {
  const attribute = state.heatmapView.attribute;
  const { url, crop } = wholeFaceImage(d, attribute, photo);
  if (!url) return h('p', { class: 'message' }, t('result.noHeatmap'));
  return h(
    'figure',
    { class: 'heatmap-main' },
    h('img', {
      src: url,
      alt: `${t('result.heatmaps')}: ${attrLabel(attribute)}`,
      'data-testid': 'heatmap-main',
      'data-attribute': attribute,
      // Which part of the photo is shown (oriented-photo pixels), for tests and debugging.
      'data-crop': crop ? `${crop.x},${crop.y},${crop.width},${crop.height}` : undefined,
    }),
    h('figcaption', {}, `${attrLabel(attribute)} — ${t('result.wholeFace')}`),
  );
}

/** How the tiles below relate to the card: which regions its grade combines, or that it has none. */
function regionsIntro(card: Grade | undefined): HTMLElement | null {
  if (!card) return null;
  const attribute = attrLabel(card.attribute);
  if (card.abstained) return h('p', { class: 'hint', 'data-testid': 'regions-intro' }, t('result.regionsIntroAbstained', { attribute }));
  if (card.regions.length === 0) return null;
  return h(
    'p',
    { class: 'hint', 'data-testid': 'regions-intro' },
    t('result.regionsIntro', { attribute, regions: formatList(card.regions.map(regionLabel)) }),
  );
}

function byRegion(d: Diagnosis, photo: DecodedPhoto | undefined, card: Grade | undefined): HTMLElement {
  const attribute = state.heatmapView.attribute;
  const maps = regionHeatmaps(d, attribute);
  if (maps.length === 0) return h('p', { class: 'message' }, t('result.noHeatmap'));
  const tiles = maps.map((m) => {
    const region = regionName(m.region);
    const url = heatmapImageUrl(m, photo);
    const grade = regionGrade(d, region, attribute);
    const role = regionRole(card, region);
    let caption = regionLabel(region);
    if (grade !== undefined) {
      const key = role === 'own' && !card?.abstained ? 'result.regionOwnGrade' : 'result.regionGrade';
      caption = t(key, { region: regionLabel(region), grade });
    }
    return h(
      'figure',
      { class: role === 'own' ? 'region-heatmap own' : 'region-heatmap', 'data-testid': 'region-tile', 'data-region': region, 'data-role': role },
      url
        ? h('img', { src: url, alt: regionLabel(region), 'data-testid': 'region-heatmap', 'data-region': region })
        : h('span', { class: 'heatmap-thumb empty' }),
      h('figcaption', {}, caption),
    );
  });
  return h('div', {}, regionsIntro(card), h('div', { class: 'region-grid' }, tiles));
}

/** The heatmaps section of the result page; `grades` are the cards' (photoGrades). */
export function heatmapSection(d: Diagnosis, photo: DecodedPhoto | undefined, grades: Grade[]): HTMLElement {
  const status = explanationStatus(d);
  const section = h(
    'section',
    { class: 'panel heatmaps', 'data-testid': 'heatmaps' },
    h('h2', { id: HEATMAPS_TITLE_ID }, t('result.heatmaps')),
  );
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
  const card = grades.find((g) => g.attribute === view.attribute);
  // The panel holds the view switch and the maps of the selected tab.
  const panel = h(
    'div',
    { role: 'tabpanel', id: HEATMAP_PANEL_ID, 'aria-labelledby': heatmapTabId(view.attribute), 'data-testid': 'heatmap-panel' },
    modeSwitch(),
    view.mode === 'whole' ? wholeFace(d, photo) : byRegion(d, photo, card),
    heatmapLegend(),
  );
  section.append(tabList(d, photo), panel);
  return section;
}
