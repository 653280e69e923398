import { describe, expect, it } from 'vitest';
import { tabKeyTarget } from './tab_keys';

describe('tabKeyTarget (WAI-ARIA tabs keys)', () => {
  it('moves right and left, wrapping at the ends', () => {
    expect(tabKeyTarget('ArrowRight', 0, 5)).toBe(1);
    expect(tabKeyTarget('ArrowRight', 4, 5)).toBe(0);
    expect(tabKeyTarget('ArrowLeft', 2, 5)).toBe(1);
    expect(tabKeyTarget('ArrowLeft', 0, 5)).toBe(4);
  });

  it('goes to the first tab on Home and the last on End', () => {
    expect(tabKeyTarget('Home', 3, 5)).toBe(0);
    expect(tabKeyTarget('End', 1, 5)).toBe(4);
  });

  it('ignores other keys (Tab leaves the tablist, Enter and Space are the button’s own)', () => {
    for (const key of ['Tab', 'Enter', ' ', 'ArrowUp', 'ArrowDown', 'a']) expect(tabKeyTarget(key, 2, 5)).toBeUndefined();
    expect(tabKeyTarget('ArrowRight', 0, 0)).toBeUndefined();
  });
});
