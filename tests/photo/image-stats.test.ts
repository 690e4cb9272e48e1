import { describe, expect, it } from 'vitest';
import { clampRect, laplacianVariance, lumaPlane, meanStd } from '../../apps/agent/src/photo/image-stats.js';
import { backdropMask, estimateBackdrop } from '../../apps/agent/src/photo/backdrop.js';

describe('photo image statistics', () => {
  it('computes BT.601 luma', () => {
    expect([...lumaPlane(new Uint8Array([255, 255, 255, 255, 0, 0, 0, 255, 0, 0, 0, 255]), 4, 1)]).toEqual([255, 76, 149, 29]);
  });

  it('mean and spread of a region, clipped to the image', () => {
    const luma = new Uint8Array([0, 100, 200, 100]);
    expect(meanStd(luma, 2, 2, { left: 0, top: 0, width: 2, height: 2 })).toMatchObject({ mean: 100, n: 4 });
    expect(meanStd(luma, 2, 2, { left: 1, top: -5, width: 10, height: 6 }).n).toBe(1);
    expect(clampRect({ left: -3.5, top: 1.2, width: 10, height: 1 }, 4, 4)).toEqual({ left: 0, top: 1, width: 4, height: 2 });
  });

  it('variance of the Laplacian: zero on a flat image, large on fine detail', () => {
    const flat = new Uint8Array(32 * 32).fill(128);
    expect(laplacianVariance(flat, 32, 32, { left: 0, top: 0, width: 32, height: 32 })).toBe(0);
    const checker = new Uint8Array(32 * 32).map((_, i) => (((i % 32) + Math.floor(i / 32)) % 2 ? 255 : 0));
    expect(laplacianVariance(checker, 32, 32, { left: 0, top: 0, width: 32, height: 32 })).toBeGreaterThan(100_000);
  });

  it('finds the backdrop connected to the border, not the same colour inside the person', () => {
    // 9×9 light image with a dark ring (the person's outline) enclosing light pixels (a white shirt).
    const w = 9;
    const rgb = new Uint8Array(w * w * 3).fill(235);
    for (let y = 2; y <= 6; y++)
      for (let x = 2; x <= 6; x++)
        if (y === 2 || y === 6 || x === 2 || x === 6) rgb.fill(30, (y * w + x) * 3, (y * w + x) * 3 + 3);
    expect(estimateBackdrop(rgb, w, w)).toEqual([235, 235, 235]);
    const mask = backdropMask(rgb, w, w, [235, 235, 235]);
    expect(mask[0]).toBeGreaterThan(240);
    // The enclosed light centre is not backdrop (the feather may blur its edge, not its middle).
    expect(mask[4 * w + 4]).toBe(0);
  });
});
