// A heatmap as a layer of RGBA pixels to draw over a photo with the canvas's
// own compositing (source-over), so it can be scaled and cut like any image:
// the whole-face view cuts the face from a whole-photo map. Over a photo the
// alpha is blendHeatmap's weight, so the result matches the maps blended
// pixel by pixel (model.ts). No DOM, unit-tested in heat_layer.test.ts.

import { heatColor } from './model';

/** RGBA pixels of `values` (0..255 each); 0 stays transparent (no evidence). */
export function heatLayer(values: Uint8Array, overPhoto: boolean): Uint8ClampedArray<ArrayBuffer> {
  const rgba = new Uint8ClampedArray(values.length * 4);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === 0) continue;
    const [r, g, b, alpha] = heatColor(v);
    const o = i * 4;
    rgba[o] = r;
    rgba[o + 1] = g;
    rgba[o + 2] = b;
    // Over the photo: at most 60 % heat, so the skin stays visible.
    rgba[o + 3] = overPhoto ? Math.round(255 * (0.25 + 0.35 * (v / 255))) : alpha;
  }
  return rgba;
}
