// Where the whole-face heatmap view cuts the photo: the face box the server
// found (the FULL_FACE region, in oriented-photo pixels) grown by a margin so
// hair line and jaw stay in view, clamped to the photo. A photo-level map
// shown whole makes the face a small square in a large picture; cut here the
// face fills the view. No DOM, unit-tested in face_crop.test.ts.
//
//   const rect = faceCropRect(faceBox(diagnosis), photoSize(diagnosis, map));
//   if (rect) ctx.drawImage(photo, rect.x, rect.y, rect.width, rect.height, ...);

import { regionName } from './model';
import type { Diagnosis, PhotoHeatmap, RegionBox } from './types';

/** An axis-aligned rectangle in oriented-photo pixels. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Size {
  width: number;
  height: number;
}

/** Margin on each side, as a fraction of the face box's longer side. */
export const FACE_MARGIN = 0.25;

/**
 * The face box of a diagnosis: the FULL_FACE region's box (regions, else the
 * FULL_FACE region heatmap's). Undefined when the response has none.
 */
export function faceBox(d: Diagnosis): RegionBox | undefined {
  const usable = (b: RegionBox | undefined) => (b && (b.width ?? 0) > 0 && (b.height ?? 0) > 0 ? b : undefined);
  for (const r of d.regions ?? []) if (regionName(r.region) === 'full_face' && usable(r.box)) return r.box;
  for (const m of d.heatmaps ?? []) if (regionName(m.region) === 'full_face' && usable(m.box)) return m.box;
  return undefined;
}

/**
 * The oriented photo's size: the diagnosis's own, else the photo heatmap's
 * size over its scale (it covers the whole photo at that scale).
 */
export function photoSize(d: Diagnosis, map: PhotoHeatmap): Size | undefined {
  if ((d.photoWidth ?? 0) > 0 && (d.photoHeight ?? 0) > 0) return { width: d.photoWidth!, height: d.photoHeight! };
  const scale = map.scale ?? 0;
  if (scale > 0 && (map.width ?? 0) > 0 && (map.height ?? 0) > 0) {
    return { width: Math.round(map.width! / scale), height: Math.round(map.height! / scale) };
  }
  return undefined;
}

/**
 * The face box (rotated boxes by their bounding rectangle) grown by `margin`
 * times its longer side on every side, then clamped to the photo. Undefined
 * when there is no box or photo size, or nothing of the box is on the photo.
 */
export function faceCropRect(box: RegionBox | undefined, photo: Size | undefined, margin = FACE_MARGIN): Rect | undefined {
  if (!box || !photo || photo.width <= 0 || photo.height <= 0) return undefined;
  const bw = box.width ?? 0;
  const bh = box.height ?? 0;
  if (bw <= 0 || bh <= 0) return undefined;
  const theta = ((box.rotationDegrees ?? 0) * Math.PI) / 180;
  const cos = Math.abs(Math.cos(theta));
  const sin = Math.abs(Math.sin(theta));
  // Half extents of the rotated box's bounding rectangle.
  const hw = (bw * cos + bh * sin) / 2;
  const hh = (bw * sin + bh * cos) / 2;
  const grow = margin * Math.max(bw, bh);
  const cx = box.centerX ?? 0;
  const cy = box.centerY ?? 0;
  const x0 = Math.max(0, Math.floor(cx - hw - grow));
  const y0 = Math.max(0, Math.floor(cy - hh - grow));
  const x1 = Math.min(photo.width, Math.ceil(cx + hw + grow));
  const y1 = Math.min(photo.height, Math.ceil(cy + hh + grow));
  if (x1 <= x0 || y1 <= y0) return undefined;
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}
