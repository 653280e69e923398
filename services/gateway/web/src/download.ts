// Saves a file the page made (a Blob) through the browser's download, with
// the given file name: a temporary blob: link with `download`, clicked.
//
//   saveFile(blob, 'skinlens-history-2026-05-01.csv');

/** How long the blob: URL stays valid after the click (the download reads it asynchronously). */
const REVOKE_AFTER_MS = 60_000;

export function saveFile(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
}
