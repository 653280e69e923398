import { describe, expect, it } from 'vitest';
import { detectLanguage, setLanguage, t, TABLES } from './i18n';
import { ATTRIBUTES, REGIONS } from './types';

function placeholders(s: string): string[] {
  return [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();
}

describe('translation tables', () => {
  it('have the same keys, no empty text, and the same placeholders in both languages', () => {
    const en = TABLES.en;
    const ko = TABLES.ko;
    expect(Object.keys(ko).sort()).toEqual(Object.keys(en).sort());
    for (const key of Object.keys(en) as Array<keyof typeof en>) {
      expect(en[key].trim(), key).not.toBe('');
      expect(ko[key].trim(), key).not.toBe('');
      expect(placeholders(ko[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it('explain every grade 0..4 of every attribute, and name every region', () => {
    for (const a of ATTRIBUTES) {
      for (let g = 0; g <= 4; g++) expect(TABLES.ko).toHaveProperty(`grade.${a}.${g}`);
      expect(TABLES.ko).toHaveProperty(`attr.${a}`);
    }
    for (const r of REGIONS) expect(TABLES.ko).toHaveProperty(`region.${r}`);
  });
});

describe('detectLanguage', () => {
  it('prefers the saved choice', () => {
    expect(detectLanguage('en', ['ko-KR'])).toBe('en');
  });
  it('takes the first browser language it knows', () => {
    expect(detectLanguage(null, ['ko-KR', 'en-US'])).toBe('ko');
    expect(detectLanguage(null, ['fr-FR', 'en-GB', 'ko'])).toBe('en');
    expect(detectLanguage(null, ['fr-FR'])).toBe('en');
  });
});

describe('t', () => {
  it('fills placeholders in the chosen language', () => {
    setLanguage('ko');
    expect(t('result.grade', { grade: 3 })).toBe('3등급 (0–4 척도)');
    setLanguage('en');
    expect(t('result.grade', { grade: 3 })).toBe('Grade 3 on a 0–4 scale');
  });
  it('leaves unknown placeholders visible', () => {
    setLanguage('en');
    expect(t('result.grade')).toBe('Grade {grade} on a 0–4 scale');
  });
});
