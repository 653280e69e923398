// The "export my data" panel of the account page: the history downloaded as
// CSV or JSON (export_data.ts builds the files).

import { h } from '../dom';
import { saveFile } from '../download';
import { errorBox } from '../error_views';
import { errorText } from '../errors';
import { exportCsv, exportJson, type ExportFile } from '../export_data';
import { t } from '../i18n';

export function exportPanel(username: string): HTMLElement {
  const status = h('div', { class: 'form-message', 'aria-live': 'polite' });
  const csv = h('button', { type: 'button', 'data-testid': 'export-csv' }, t('account.exportCsv'));
  const json = h('button', { type: 'button', 'data-testid': 'export-json' }, t('account.exportJson'));
  const run = async (make: () => Promise<ExportFile>) => {
    csv.disabled = json.disabled = true;
    status.replaceChildren(h('p', { class: 'muted' }, t('account.exporting')));
    try {
      const file = await make();
      saveFile(file.blob, file.fileName);
      const done = t('account.exported', { file: file.fileName });
      status.replaceChildren(h('p', { class: 'message', role: 'status', 'data-testid': 'export-done' }, done));
    } catch (e) {
      status.replaceChildren(errorBox(errorText(e)));
    } finally {
      csv.disabled = json.disabled = false;
    }
  };
  csv.addEventListener('click', () => void run(exportCsv));
  json.addEventListener('click', () => void run(() => exportJson(username)));
  return h(
    'section',
    { class: 'panel', 'data-testid': 'export' },
    h('h3', {}, t('account.exportTitle')),
    h('p', {}, t('account.exportIntro')),
    h('div', { class: 'actions' }, csv, json),
    status,
  );
}
