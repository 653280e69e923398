// Keeps keyboard focus where it was when the page is drawn again. Views are
// rebuilt from state on every change (render()), so the focused element is
// replaced by a new one; without this, focus falls back to <body> and a
// keyboard or screen-reader user is thrown to the top of the page after, say,
// choosing a heatmap tab. The element is found again by what identifies it:
// its id, or its data-testid with the data-* attributes that tell similar
// elements apart, and its position among the elements of the same key.
//
//   const kept = rememberFocus(root);
//   replaceChildren(root, ...);
//   restoreFocus(root, kept, main);

/** Which element had focus: its key and its index among the elements of that key. */
export interface KeptFocus {
  key: string;
  index: number;
  selection?: [number, number];
}

const DISTINGUISHING = ['data-attribute', 'data-id', 'data-region', 'data-reason'];

function keyOf(el: Element): string | undefined {
  if (el.id) return `#${el.id}`;
  const testId = el.getAttribute('data-testid');
  if (!testId) return undefined;
  return [testId, ...DISTINGUISHING.map((a) => el.getAttribute(a) ?? '')].join('|');
}

function withKey(root: Element, key: string): Element[] {
  return [...root.querySelectorAll('[id], [data-testid]')].filter((el) => keyOf(el) === key);
}

/** The focused element inside `root`, if it can be found again after a redraw. */
export function rememberFocus(root: Element): KeptFocus | undefined {
  const active = document.activeElement;
  if (!active || active === document.body || !root.contains(active)) return undefined;
  const key = keyOf(active);
  if (!key) return { key: '', index: -1 };
  const kept: KeptFocus = { key, index: withKey(root, key).indexOf(active) };
  if (active instanceof HTMLInputElement || active instanceof HTMLTextAreaElement) {
    try {
      if (active.selectionStart !== null && active.selectionEnd !== null) kept.selection = [active.selectionStart, active.selectionEnd];
    } catch {
      // Inputs such as checkboxes have no selection.
    }
  }
  return kept;
}

/**
 * Focuses the element `kept` names again, without scrolling; when it is gone
 * (or can no longer take focus, e.g. disabled) focuses `fallback`, so focus
 * stays in the content rather than on <body>.
 */
export function restoreFocus(root: Element, kept: KeptFocus | undefined, fallback: HTMLElement): void {
  if (!kept) return;
  const again = kept.key ? withKey(root, kept.key)[Math.max(0, kept.index)] : undefined;
  if (again instanceof HTMLElement) {
    again.focus({ preventScroll: true });
    if (document.activeElement === again) {
      if (kept.selection && (again instanceof HTMLInputElement || again instanceof HTMLTextAreaElement)) {
        try {
          again.setSelectionRange(...kept.selection);
        } catch {
          // The new input has no selection (another type).
        }
      }
      return;
    }
  }
  fallback.focus({ preventScroll: true });
}
