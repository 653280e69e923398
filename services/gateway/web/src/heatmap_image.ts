// Heatmap images drawn in the browser from the 8-bit values the gateway sends,
// over the person's own photo when the page still has it (right after an
// analysis) and on their own otherwise (a record opened from history keeps
// only small maps). The server sends no overlay images: the values compress
// to a fraction of the size and cost it no image encoding.
//
//   const loading = loadPhoto(blob);              // starts while the photo uploads
//   const photo = await loading;                  // once the result is there
//   img.src = heatmapImageUrl(photoHeatmap, photo) ?? '';
//   img.src = heatmapImageUrl(regionHeatmap, photo) ?? '';   // cut at its box

import { base64ToBytes, blendHeatmap, cropTransform, overlayDataUrl } from './model';
import type { Heatmap, PhotoHeatmap } from './types';

type AnyHeatmap = Heatmap | PhotoHeatmap;

/** The analysed photo, decoded and oriented, at most MAX_PHOTO_SIDE on its longer side. */
export interface DecodedPhoto {
  bitmap: ImageBitmap;
  /** bitmap pixels per oriented-photo pixel (at most 1). */
  scale: number;
}

/**
 * Longest side the photo is kept at: region crops are a fraction of the face
 * and whole-photo maps at most 512 px, so more detail is never drawn, and
 * drawing a 12 MP bitmap for every map would cost tens of milliseconds each.
 */
export const MAX_PHOTO_SIDE = 1280;

// Drawn images by heatmap object: the page re-renders on every tab click and
// the same maps must not be encoded again each time.
const drawn = new WeakMap<object, Map<object | null, string>>();

/**
 * Decodes the photo with its EXIF orientation applied, as the server applies
 * it, and scales it down to MAX_PHOTO_SIDE. Undefined when the browser cannot
 * decode it (the maps are then drawn on their own).
 */
export async function loadPhoto(photo: Blob): Promise<DecodedPhoto | undefined> {
  try {
    const full = await createImageBitmap(photo, { imageOrientation: 'from-image' });
    const width = full.width;
    const scale = Math.min(1, MAX_PHOTO_SIDE / Math.max(width, full.height));
    if (scale === 1) return { bitmap: full, scale };
    const bitmap = await createImageBitmap(full, {
      resizeWidth: Math.max(1, Math.round(width * scale)),
      resizeHeight: Math.max(1, Math.round(full.height * scale)),
      resizeQuality: 'medium',
    });
    full.close();
    return { bitmap, scale: bitmap.width / width };
  } catch {
    return undefined;
  }
}

function isRegionHeatmap(h: AnyHeatmap): h is Heatmap {
  return 'box' in h && h.box !== undefined;
}

function draw(h: AnyHeatmap, photo: DecodedPhoto | undefined): string | undefined {
  const w = h.width ?? 0;
  const hgt = h.height ?? 0;
  if (!h.values || w <= 0 || hgt <= 0) return undefined;
  const values = base64ToBytes(h.values);
  if (values.length !== w * hgt) return undefined;
  const canvas = document.createElement('canvas');
  canvas.width = w;
  canvas.height = hgt;
  const ctx = canvas.getContext('2d');
  if (!ctx) return undefined;
  if (photo) {
    if (isRegionHeatmap(h)) {
      // The crop the region heatmap was computed on, cut from the photo at its box.
      // The bitmap is drawn at the photo's own size, so photo coordinates apply.
      const { bitmap, scale } = photo;
      ctx.setTransform(...cropTransform(h.box!, w, hgt));
      ctx.drawImage(bitmap, 0, 0, bitmap.width / scale, bitmap.height / scale);
      ctx.setTransform(1, 0, 0, 1, 0, 0);
    } else {
      // A whole-photo map covers the photo preview, i.e. the whole photo scaled.
      ctx.drawImage(photo.bitmap, 0, 0, w, hgt);
    }
  }
  const image = ctx.getImageData(0, 0, w, hgt);
  blendHeatmap(image.data, values, photo !== undefined);
  ctx.putImageData(image, 0, 0);
  // Over a photo there is no transparency to keep, and JPEG encodes several
  // times faster than PNG at these sizes.
  return photo ? canvas.toDataURL('image/jpeg', 0.85) : canvas.toDataURL('image/png');
}

/**
 * An image URL for a heatmap: the server's overlay when it sent one (older
 * records, gRPC-style clients), else the values drawn here, over `photo`
 * when given. Undefined when the heatmap has nothing to draw.
 */
export function heatmapImageUrl(h: AnyHeatmap, photo?: DecodedPhoto): string | undefined {
  const overlay = overlayDataUrl(h);
  if (overlay) return overlay;
  let byPhoto = drawn.get(h);
  if (!byPhoto) {
    byPhoto = new Map();
    drawn.set(h, byPhoto);
  }
  const key = photo ?? null;
  if (!byPhoto.has(key)) {
    const url = draw(h, photo);
    if (url === undefined) return undefined;
    byPhoto.set(key, url);
  }
  return byPhoto.get(key);
}
