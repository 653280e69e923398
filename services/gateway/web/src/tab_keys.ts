// The keys of the WAI-ARIA tabs pattern (a horizontal tablist): Left and
// Right move to the previous or next tab, wrapping around; Home and End to
// the first and last. Kept apart from the DOM so the rule is tested alone.
//
//   const next = tabKeyTarget(event.key, current, tabs.length);
//   if (next !== undefined) { event.preventDefault(); select(next); }

/** The index of the tab `key` moves to from `current` among `count` tabs; undefined for other keys. */
export function tabKeyTarget(key: string, current: number, count: number): number | undefined {
  if (count <= 0) return undefined;
  switch (key) {
    case 'ArrowRight':
      return (current + 1) % count;
    case 'ArrowLeft':
      return (current - 1 + count) % count;
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return undefined;
  }
}
