/**
 * The native encoder and decoder against the float64 PyTorch reference on the synthetic
 * tiny.en model (../shared/golden), on both kernel paths.
 */
import { describe, expect, it } from 'vitest';

import { argmax } from '../../src/decoder/math.js';
import { Transcriber } from '../../src/transcriber.js';
import { KERNEL_PATHS } from '../helpers/kernel-paths.js';
import { diffStats, goldenF32, goldenMeta, SYNTHETIC_MODEL } from '../helpers/shared.js';

describe.each(KERNEL_PATHS)('$name kernels', ({ simd, avx512 }) => {
  let t: Transcriber;
  const features = goldenF32('encoder.f32');

  it('load', async () => {
    t = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2, simd, avx512 });
  });

  it('encoder output for mel30 matches encoder.f32: max |d| <= 5e-3, mean |d| <= 5e-4', async () => {
    const out = await t.encoder.encode({ data: goldenF32('mel30.f32'), nMels: 80, nFrames: 3000 });
    expect(out.length).toBe(1500 * 384);
    const d = diffStats(out, features);
    expect(d.max).toBeLessThanOrEqual(5e-3);
    expect(d.mean).toBeLessThanOrEqual(5e-4);
  });

  it('teacher-forced decoder logits match logits.f32: max |d| <= 2e-2', async () => {
    const meta = goldenMeta();
    const logits = await t.decoder.logits(meta.forced_tokens, features);
    expect(logits.length).toBe(6 * 51864);
    expect(diffStats(logits, goldenF32('logits.f32')).max).toBeLessThanOrEqual(2e-2);
  });

  it('incremental greedy decoding (KV cache, one token a step) reproduces greedy_tokens exactly', async () => {
    const meta = goldenMeta();
    const session = await t.decoder.session(features, 1);
    const tokens = [meta.greedy_tokens[0]!];
    for (let i = 0; i < meta.greedy_tokens.length - 1; i++) {
      const logits = await session.step(Int32Array.of(tokens[tokens.length - 1]!), 1, Int32Array.of(0));
      tokens.push(argmax(logits));
    }
    expect(tokens).toEqual(meta.greedy_tokens);
  });

  it('a batch of sequences decodes each as if alone', async () => {
    const meta = goldenMeta();
    const one = await t.decoder.logits(meta.forced_tokens.slice(0, 3), features);
    const session = await t.decoder.session(features, 3);
    const block = Int32Array.from([...meta.forced_tokens.slice(0, 3), 50257, 50363, 1332, ...meta.forced_tokens.slice(0, 3)]);
    const out = await session.step(block, 3, Int32Array.of(2));
    const v = 51864;
    // the batch's 9 cross-attention queries go through the blocked GEMM path, one sequence's 3 through
    // direct dot products: the same f16 keys and values, summed in another order
    expect(diffStats(out.subarray(0, v), one.subarray(2 * v, 3 * v)).max).toBeLessThan(5e-4);
    expect(diffStats(out.subarray(2 * v, 3 * v), one.subarray(2 * v, 3 * v)).max).toBeLessThan(5e-4);
    expect(diffStats(out.subarray(v, 2 * v), one.subarray(2 * v, 3 * v)).max).toBeGreaterThan(1e-2);
  });
});

describe('kernel paths on partial GEMM tiles', () => {
  it('a 101-token teacher-forced block (row-split GEMM, the vocabulary product ending in a partial tile) agrees across paths', async () => {
    const meta = goldenMeta();
    const features = goldenF32('encoder.f32');
    // 101 rows: not a multiple of the 6-row micro-tile; 51864 columns end 24 into a 32-wide tile
    const tokens = [...meta.forced_tokens, ...Array.from({ length: 101 - meta.forced_tokens.length }, (_, i) => 220 + (i * 37) % 5000)];
    const logits = [];
    for (const p of KERNEL_PATHS) {
      const t = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2, simd: p.simd, avx512: p.avx512 });
      logits.push(await t.decoder.logits(tokens, features));
    }
    const portable = logits[0]!;
    // the first rows are the reference's forced tokens: every path matches the float64 reference there
    const forced = meta.forced_tokens.length * 51864;
    for (const l of logits) {
      expect(diffStats(l.subarray(0, forced), goldenF32('logits.f32')).max).toBeLessThanOrEqual(2e-2);
      expect(diffStats(l, portable).max).toBeLessThan(2e-3);
    }
  });
});
