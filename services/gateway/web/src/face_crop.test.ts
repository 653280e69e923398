import { describe, expect, it } from 'vitest';
import { faceBox, faceCropRect, photoSize } from './face_crop';

describe('faceCropRect', () => {
  const photo = { width: 512, height: 512 };

  it('grows the face box by the margin on every side', () => {
    // 80 x 80 at (200, 150), 25 % of 80 = 20 px on each side.
    expect(faceCropRect({ centerX: 200, centerY: 150, width: 80, height: 80 }, photo)).toEqual({ x: 140, y: 90, width: 120, height: 120 });
  });

  it('clamps the rectangle to the photo', () => {
    expect(faceCropRect({ centerX: 30, centerY: 500, width: 100, height: 60 }, photo)).toEqual({ x: 0, y: 445, width: 105, height: 67 });
  });

  it('takes a rotated box by its bounding rectangle', () => {
    const r = faceCropRect({ centerX: 256, centerY: 256, width: 100, height: 100, rotationDegrees: 45 }, photo, 0)!;
    // A square turned 45 degrees spans its diagonal, 141.4 px.
    expect(r.width).toBeGreaterThanOrEqual(142);
    expect(r.width).toBeLessThanOrEqual(143);
    expect(r.width).toBe(r.height);
  });

  it('is undefined without a box, a size, or overlap with the photo', () => {
    expect(faceCropRect(undefined, photo)).toBeUndefined();
    expect(faceCropRect({ centerX: 10, centerY: 10, width: 0, height: 10 }, photo)).toBeUndefined();
    expect(faceCropRect({ centerX: 10, centerY: 10, width: 10, height: 10 }, undefined)).toBeUndefined();
    expect(faceCropRect({ centerX: 900, centerY: 900, width: 10, height: 10 }, photo)).toBeUndefined();
  });
});

describe('faceBox and photoSize', () => {
  const box = { centerX: 1, centerY: 2, width: 3, height: 4 };

  it('reads the FULL_FACE region, else its heatmap, else nothing', () => {
    expect(faceBox({ regions: [{ region: 'FACE_REGION_NOSE', box: { ...box, width: 9 } }, { region: 'FACE_REGION_FULL_FACE', box }] })).toBe(box);
    expect(faceBox({ heatmaps: [{ region: 'FACE_REGION_FULL_FACE', box }] })).toBe(box);
    expect(faceBox({ regions: [{ region: 'FACE_REGION_NOSE', box }] })).toBeUndefined();
    expect(faceBox({})).toBeUndefined();
  });

  it('takes the diagnosis photo size, else the map size over its scale', () => {
    expect(photoSize({ photoWidth: 640, photoHeight: 480 }, { width: 10, height: 10, scale: 1 })).toEqual({ width: 640, height: 480 });
    expect(photoSize({}, { width: 128, height: 96, scale: 0.25 })).toEqual({ width: 512, height: 384 });
    expect(photoSize({}, { width: 128, height: 96 })).toBeUndefined();
  });
});
