import { describe, expect, it } from 'vitest';
import { csvFile, exportFileName, jsonDocument, safeFileName } from './export_data';

const NOW = new Date('2026-05-01T23:30:00Z');

describe('export file names', () => {
  it('follow the gateway CSV naming, by UTC date', () => {
    expect(exportFileName('csv', NOW)).toBe('skinlens-history-2026-05-01.csv');
    expect(exportFileName('json', NOW)).toBe('skinlens-history-2026-05-01.json');
  });

  it('keep the server suggestion without path parts or quotes, else ours', () => {
    expect(safeFileName('skinlens-history-2026-04-30.csv', 'x.csv')).toBe('skinlens-history-2026-04-30.csv');
    expect(safeFileName('../../etc/"passwd"', 'x.csv')).toBe('passwd');
    expect(safeFileName('', 'x.csv')).toBe('x.csv');
    expect(safeFileName('.hidden', 'x.csv')).toBe('x.csv');
    expect(safeFileName(undefined, 'x.csv')).toBe('x.csv');
  });
});

describe('csvFile', () => {
  it('decodes the base64 content with its type and name', async () => {
    const csv = 'diagnosis_id,create_time\r\nd1,2026-05-01T10:00:00Z\r\n';
    const file = csvFile(
      { contentType: 'text/csv; charset=utf-8', fileName: 'skinlens-history-2026-05-01.csv', content: btoa(csv) },
      NOW,
    );
    expect(file.fileName).toBe('skinlens-history-2026-05-01.csv');
    expect(file.blob.type).toBe('text/csv; charset=utf-8');
    expect(await file.blob.text()).toBe(csv);
  });

  it('names and types an empty history sensibly (the JSON mapping leaves out empty fields)', async () => {
    const file = csvFile({}, NOW);
    expect(file.fileName).toBe('skinlens-history-2026-05-01.csv');
    expect(file.blob.type).toBe('text/csv; charset=utf-8');
    expect(file.blob.size).toBe(0);
  });
});

describe('jsonDocument', () => {
  it('holds the user, the time and the diagnoses oldest first', () => {
    const doc = JSON.parse(
      jsonDocument('mina', [
        { id: 'd2', createTime: '2026-04-02T00:00:00Z' },
        { id: 'd1', createTime: '2026-04-01T00:00:00Z' },
      ], NOW),
    );
    expect(doc).toEqual({
      username: 'mina',
      exportTime: '2026-05-01T23:30:00.000Z',
      diagnoses: [
        { id: 'd1', createTime: '2026-04-01T00:00:00Z' },
        { id: 'd2', createTime: '2026-04-02T00:00:00Z' },
      ],
    });
  });
});
