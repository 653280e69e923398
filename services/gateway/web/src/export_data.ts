// "Export my data" as files: the history as the gateway's CSV (the same file
// as `skinctl export` and GET /v1/diagnoses:export), and as JSON, which the
// API has no file for, so it is every diagnosis of GET /v1/diagnoses (full
// view, all pages) in the API's own JSON mapping. The builders are pure and
// unit-tested in export_data.test.ts; download.ts saves the file.
//
//   const file = await exportCsv();     // { fileName, blob }
//   const file = await exportJson('mina');

import * as api from './api';
import { base64ToBytes } from './model';
import type { Diagnosis, ExportDiagnosesResponse } from './types';

export interface ExportFile {
  fileName: string;
  blob: Blob;
}

/** Most diagnoses one page of the list returns (the gateway reads larger sizes as 100). */
const PAGE_SIZE = 100;

/** "skinlens-history-2026-05-01.json": the naming of the gateway's CSV (UTC date). */
export function exportFileName(extension: 'csv' | 'json', now: Date = new Date()): string {
  return `skinlens-history-${now.toISOString().slice(0, 10)}.${extension}`;
}

/** The name to save a file as: the server's suggestion without path parts, else ours. */
export function safeFileName(suggested: string | undefined, fallback: string): string {
  const name = (suggested ?? '').replace(/^.*[\\/]/, '').replace(/[\u0000-\u001f"]/g, '').trim();
  return name && !name.startsWith('.') ? name : fallback;
}

/** The CSV file from the export response. */
export function csvFile(response: ExportDiagnosesResponse, now: Date = new Date()): ExportFile {
  const bytes = base64ToBytes(response.content ?? '');
  return {
    fileName: safeFileName(response.fileName, exportFileName('csv', now)),
    // A copy typed as backed by a plain ArrayBuffer, which Blob takes.
    blob: new Blob([new Uint8Array(bytes)], { type: response.contentType || 'text/csv; charset=utf-8' }),
  };
}

/** The JSON document of an export: who, when, and the diagnoses oldest first (as the CSV). */
export function jsonDocument(username: string, diagnoses: Diagnosis[], now: Date = new Date()): string {
  const oldestFirst = [...diagnoses].sort((a, b) => (a.createTime ?? '').localeCompare(b.createTime ?? ''));
  return `${JSON.stringify({ username, exportTime: now.toISOString(), diagnoses: oldestFirst }, null, 2)}\n`;
}

export async function exportCsv(): Promise<ExportFile> {
  return csvFile(await api.exportDiagnoses());
}

export async function exportJson(username: string): Promise<ExportFile> {
  const diagnoses: Diagnosis[] = [];
  let pageToken = '';
  do {
    const page = await api.listDiagnoses(pageToken, PAGE_SIZE, true);
    diagnoses.push(...(page.diagnoses ?? []));
    pageToken = page.nextPageToken ?? '';
  } while (pageToken);
  const now = new Date();
  return {
    fileName: exportFileName('json', now),
    blob: new Blob([jsonDocument(username, diagnoses, now)], { type: 'application/json' }),
  };
}
