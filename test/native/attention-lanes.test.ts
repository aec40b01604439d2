/**
 * On AVX-512, a block of 9 to 32 queries attending to all of a window's keys (word alignment's
 * teacher-forced pass, a prompt) keeps its attention scores with the queries in the lanes
 * (attention_lanes_avx512.cc); fewer queries take the decode step's dot products, more the
 * general GEMM. The decoder's logits for such blocks match the portable kernels', which share
 * none of that code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Transcriber } from '../../src/transcriber.js';
import { KERNEL_PATHS } from '../helpers/kernel-paths.js';
import { diffStats, goldenF32, SYNTHETIC_MODEL } from '../helpers/shared.js';

const avx512 = KERNEL_PATHS.find((k) => k.avx512 && !k.int8Activations);

describe.runIf(avx512 !== undefined)('cross-attention of a block of queries with the scores in the lanes (AVX-512)', () => {
  let wide: Transcriber;
  let portable: Transcriber;
  beforeAll(async () => {
    [wide, portable] = await Promise.all([
      Transcriber.load(SYNTHETIC_MODEL, { threads: 2, simd: true, avx512: true, int8Activations: false }),
      Transcriber.load(SYNTHETIC_MODEL, { threads: 2, simd: false }),
    ]);
  });
  afterAll(() => {
    wide.close();
    portable.close();
  });

  it.each([9, 20, 31, 32])('a block of %i tokens gives the portable path\'s logits (max |d| <= 2e-3)', async (n) => {
    const features = goldenF32('encoder.f32');
    const tokens = [50257, 50362, ...Array.from({ length: n - 2 }, (_, i) => 220 + ((i * 7919) % 40000))];
    const [a, b] = await Promise.all([wide.decoder.logits(tokens, features), portable.decoder.logits(tokens, features)]);
    expect(a.length).toBe(n * 51864);
    expect(diffStats(a, b).max).toBeLessThanOrEqual(2e-3);
  });
});
