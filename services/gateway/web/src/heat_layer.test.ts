import { describe, expect, it } from 'vitest';
import { heatLayer } from './heat_layer';
import { blendHeatmap } from './model';

/** Source-over of one RGBA pixel onto an opaque one, as a canvas composites it. */
function over(dst: number[], src: ArrayLike<number>): number[] {
  const a = src[3]! / 255;
  return [0, 1, 2].map((k) => dst[k]! * (1 - a) + src[k]! * a);
}

describe('heatLayer', () => {
  it('leaves value 0 transparent', () => {
    expect([...heatLayer(new Uint8Array([0]), true)]).toEqual([0, 0, 0, 0]);
  });

  it('over a photo, composites to what blendHeatmap draws', () => {
    const photo = [120, 90, 60];
    for (const v of [1, 64, 128, 200, 255]) {
      const blended = new Uint8ClampedArray([...photo, 255]);
      blendHeatmap(blended, new Uint8Array([v]), true);
      const composited = over(photo, heatLayer(new Uint8Array([v]), true));
      composited.forEach((c, k) => expect(Math.abs(c - blended[k]!), `value ${v}`).toBeLessThanOrEqual(1));
    }
  });

  it('on its own, matches blendHeatmap on a transparent image', () => {
    const values = new Uint8Array([10, 128, 250]);
    const blended = new Uint8ClampedArray(12);
    blendHeatmap(blended, values, false);
    expect([...heatLayer(values, false)]).toEqual([...blended]);
  });
});
