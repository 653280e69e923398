// The history page (#/history): the user's analyses, newest first, a page at
// a time, each with its five grades and its time to the second (history_time.ts);
// open one (#/history/<id>) or delete it.

import * as api from '../api';
import { navigate, render, showFlash, state } from '../app';
import { h } from '../dom';
import { errorBox } from '../error_views';
import { errorText } from '../errors';
import { formatTime, language, t, type MessageKey } from '../i18n';
import { historyTime } from '../history_time';
import { ApiError, photoGrades } from '../model';
import type { Diagnosis } from '../types';
import { diagnosisView } from './result';

async function loadPage(first: boolean): Promise<void> {
  const hist = state.history;
  if (hist.loading) return;
  hist.loading = true;
  hist.error = undefined;
  render();
  try {
    const page = await api.listDiagnoses(first ? '' : hist.nextPageToken);
    hist.items = first ? page.diagnoses ?? [] : [...hist.items, ...(page.diagnoses ?? [])];
    hist.nextPageToken = page.nextPageToken ?? '';
    hist.loaded = true;
  } catch (e) {
    hist.error = e as ApiError;
    hist.loaded = true;
  } finally {
    hist.loading = false;
    render();
  }
}

async function remove(d: Diagnosis): Promise<void> {
  if (!d.id) return;
  if (!window.confirm(t('history.confirmDelete', { time: formatTime(d.createTime) }))) return;
  try {
    await api.deleteDiagnosis(d.id);
    state.history.items = state.history.items.filter((x) => x.id !== d.id);
    state.trends.response = undefined;
    state.trends.overview = undefined;
    showFlash('info', t('history.deleted'));
  } catch (e) {
    // Already gone elsewhere: drop it from the list too.
    if (e instanceof ApiError && e.httpStatus === 404) {
      state.history.items = state.history.items.filter((x) => x.id !== d.id);
    }
    showFlash('error', errorText(e));
  }
  render();
}

/** The row's time to the second and how long ago, so analyses minutes apart are told apart. */
function historyWhen(d: Diagnosis): HTMLElement {
  const when = historyTime(d.createTime, Date.now(), language());
  if (!when) return h('div', { class: 'history-when' }, formatTime(d.createTime));
  return h(
    'div',
    { class: 'history-when', 'data-testid': 'history-when' },
    h('time', { datetime: d.createTime }, when.absolute),
    h('span', { class: 'history-ago', 'data-testid': 'history-ago' }, when.relative),
  );
}

function historyItem(d: Diagnosis): HTMLElement {
  return h(
    'li',
    { class: 'history-item', 'data-testid': 'history-item', 'data-id': d.id ?? '' },
    historyWhen(d),
    h(
      'ul',
      { class: 'chips' },
      photoGrades(d).map((g) =>
        g.abstained
          ? h('li', { class: 'chip none', 'data-attribute': g.attribute, title: t('result.cannotEstimate') }, `${t(`attr.${g.attribute}` as MessageKey)} –`)
          : h('li', { class: `chip g${g.grade}`, 'data-attribute': g.attribute }, `${t(`attr.${g.attribute}` as MessageKey)} ${g.grade}`),
      ),
    ),
    h(
      'div',
      { class: 'history-actions' },
      h('button', { type: 'button', 'data-testid': 'history-open', onclick: () => navigate(`#/history/${encodeURIComponent(d.id ?? '')}`) }, t('history.open')),
      h('button', { type: 'button', class: 'danger', 'data-testid': 'history-delete', onclick: () => void remove(d) }, t('history.delete')),
    ),
  );
}

export function historyView(): HTMLElement {
  const hist = state.history;
  if (!hist.loaded && !hist.loading) void loadPage(true);
  return h(
    'section',
    { class: 'panel history', 'data-testid': 'history' },
    h('h2', {}, t('history.title')),
    hist.error ? errorBox(errorText(hist.error)) : null,
    hist.loaded && hist.items.length === 0 && !hist.error ? h('p', { class: 'muted', 'data-testid': 'history-empty' }, t('history.empty')) : null,
    h('ul', { class: 'history-list' }, hist.items.map(historyItem)),
    hist.loading ? h('p', { class: 'muted' }, t('common.loading')) : null,
    hist.nextPageToken && !hist.loading
      ? h('button', { type: 'button', 'data-testid': 'history-more', onclick: () => void loadPage(false) }, t('history.more'))
      : null,
  );
}

async function loadOne(id: string): Promise<void> {
  try {
    const response = await api.getDiagnosis(id);
    if (state.opened?.id === id) state.opened.diagnosis = response.diagnosis ?? {};
  } catch (e) {
    if (state.opened?.id === id) state.opened.error = e as ApiError;
  }
  render();
}

/** #/history/<id>: one record, as the result page draws it. */
export function openedView(id: string): HTMLElement {
  if (state.opened?.id !== id) {
    state.opened = { id };
    state.heatmapView = { attribute: 'oil', mode: 'whole' };
    void loadOne(id);
  }
  const opened = state.opened;
  return h(
    'div',
    {},
    h('p', {}, h('a', { href: '#/history', 'data-testid': 'back-to-history' }, `← ${t('history.title')}`)),
    opened.error
      ? errorBox(errorText(opened.error))
      : opened.diagnosis
        ? diagnosisView(opened.diagnosis)
        : h('p', { class: 'muted' }, t('common.loading')),
  );
}
