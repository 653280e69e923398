// Vite build of the web app into dist/, which the gateway serves as static
// files under a Content-Security-Policy of `default-src 'self'; img-src 'self'
// data: blob:; media-src 'self' blob:`: everything is bundled into files of
// the same origin (no inline scripts or styles, no CDN, no inlined fonts).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Relative asset URLs, so the app also works when served under a prefix.
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Never inline assets as data: URLs (fonts would break the CSP).
    assetsInlineLimit: 0,
    // Browsers of the target all support modulepreload; the polyfill is not needed.
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
    // Vitest empties CSS imports unless told otherwise; the contrast test reads the stylesheet.
    css: { include: [/styles\.css/] },
  },
});
