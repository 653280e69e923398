// The whole-face heatmap image: a whole-photo map (PhotoHeatmap) cut to the
// face (face_crop.ts) and drawn over the person's photo at the photo's own
// resolution where the page still has it, so the face fills the view instead
// of being a small square in the full picture. The map is scaled as a layer
// (heat_layer.ts) rather than blended at its coarse preview size.
//
//   const url = faceHeatmapImageUrl(photoHeatmap, rect, photo) ?? heatmapImageUrl(photoHeatmap, photo);

import type { Rect } from './face_crop';
import type { DecodedPhoto } from './heatmap_image';
import { heatLayer } from './heat_layer';
import { base64ToBytes } from './model';
import type { PhotoHeatmap } from './types';

/** Longest side of the drawn face: about the widest the view shows it. */
export const MAX_FACE_SIDE = 640;

// Drawn images by map and photo (see heatmap_image.ts): tab clicks re-render.
const drawn = new WeakMap<object, Map<object | null, string>>();

function draw(map: PhotoHeatmap, rect: Rect, photoWidth: number, photo: DecodedPhoto | undefined): string | undefined {
  const w = map.width ?? 0;
  const hgt = map.height ?? 0;
  if (!map.values || w <= 0 || hgt <= 0 || photoWidth <= 0) return undefined;
  const values = base64ToBytes(map.values);
  if (values.length !== w * hgt) return undefined;
  // Map pixels per oriented-photo pixel: the server's, else from the widths.
  const mapScale = map.scale && map.scale > 0 ? map.scale : w / photoWidth;
  const side = Math.max(rect.width, rect.height);
  // Output pixels per photo pixel: the photo's detail where there is a photo
  // (never finer than MAX_FACE_SIDE), the map's own otherwise.
  const k = photo ? Math.max(mapScale, Math.min(photo.scale, MAX_FACE_SIDE / side)) : mapScale;
  const out = document.createElement('canvas');
  out.width = Math.max(1, Math.round(rect.width * k));
  out.height = Math.max(1, Math.round(rect.height * k));
  const layer = document.createElement('canvas');
  layer.width = w;
  layer.height = hgt;
  const octx = out.getContext('2d');
  const lctx = layer.getContext('2d');
  if (!octx || !lctx) return undefined;
  lctx.putImageData(new ImageData(heatLayer(values, photo !== undefined), w, hgt), 0, 0);
  if (photo) {
    const s = photo.scale;
    octx.drawImage(photo.bitmap, rect.x * s, rect.y * s, rect.width * s, rect.height * s, 0, 0, out.width, out.height);
  }
  octx.imageSmoothingEnabled = true;
  octx.drawImage(layer, rect.x * mapScale, rect.y * mapScale, rect.width * mapScale, rect.height * mapScale, 0, 0, out.width, out.height);
  // As heatmap_image.ts: JPEG over a photo (no transparency to keep), else PNG.
  return photo ? out.toDataURL('image/jpeg', 0.85) : out.toDataURL('image/png');
}

/**
 * An image URL of `map` cut at `rect` (oriented-photo pixels of a photo
 * `photoWidth` wide), over `photo` when given. Undefined when the map has no
 * values to draw (e.g. only a server overlay: the caller shows that whole).
 */
export function faceHeatmapImageUrl(map: PhotoHeatmap, rect: Rect, photoWidth: number, photo?: DecodedPhoto): string | undefined {
  if (map.overlay) return undefined;
  let byPhoto = drawn.get(map);
  if (!byPhoto) {
    byPhoto = new Map();
    drawn.set(map, byPhoto);
  }
  const key = photo ?? null;
  if (!byPhoto.has(key)) {
    const url = draw(map, rect, photoWidth, photo);
    if (url === undefined) return undefined;
    byPhoto.set(key, url);
  }
  return byPhoto.get(key);
}
