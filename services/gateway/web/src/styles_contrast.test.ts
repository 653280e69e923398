// The stylesheet's text colours against their backgrounds, by the WCAG 2.1
// formula: at least 4.5:1 (AA for text of any size). The browser tests run
// axe-core on the screens too, but a screen shows only the grades its photo
// got; this checks every grade badge colour, whatever the model answers.

import { describe, expect, it } from 'vitest';
import css from './styles.css?raw';

const AA_TEXT = 4.5;

/** Relative luminance of a #rrggbb colour (WCAG 2.1). */
function luminance(hex: string): number {
  const channel = (i: number) => {
    const c = Number.parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** The value of custom property `name` in the first rule of `selector`. */
function customProperty(selector: string, name: string): string {
  const rule = css.match(new RegExp(`(^|\\n)${selector.replace(/[.:]/g, '\\$&')} \\{([^}]*)\\}`));
  const value = rule?.[2]?.match(new RegExp(`${name}:\\s*(#[0-9a-fA-F]{6})`))?.[1];
  if (!value) throw new Error(`no ${name} in ${selector}`);
  return value.toLowerCase();
}

const root = (name: string) => customProperty(':root', name);

describe('stylesheet contrast (WCAG 2.1 AA)', () => {
  it('computes the WCAG ratio (black on white is 21:1)', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
  });

  it('gives every grade badge (0-4) white text at 4.5:1 or more', () => {
    for (let grade = 0; grade <= 4; grade++) {
      const colour = customProperty(`.g${grade}`, '--grade-color');
      expect(contrast('#ffffff', colour), `grade ${grade} (${colour})`).toBeGreaterThanOrEqual(AA_TEXT);
    }
  });

  it('keeps body text, hints and messages readable on their backgrounds', () => {
    const pairs: Array<[string, string, string]> = [
      ['text on page', root('--text'), root('--bg')],
      ['hint on page', root('--muted'), root('--bg')],
      ['hint on panel', root('--muted'), root('--panel')],
      ['title on page', root('--accent'), root('--bg')],
      ['primary button', '#ffffff', root('--accent')],
      ['link on panel', root('--accent-dark'), root('--panel')],
      ['error message', root('--error'), root('--error-bg')],
      ['info message', root('--info'), root('--info-bg')],
      ['warning', root('--warn'), root('--warn-bg')],
    ];
    for (const [what, fg, bg] of pairs) {
      expect(contrast(fg, bg), `${what}: ${fg} on ${bg}`).toBeGreaterThanOrEqual(AA_TEXT);
    }
  });
});
