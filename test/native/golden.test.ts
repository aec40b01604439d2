/**
 * The native encoder and decoder against the float64 PyTorch reference on the synthetic
 * tiny.en model (../shared/golden), on both kernel paths.
 */
import { describe, expect, it } from 'vitest';

import { argmax } from '../../src/decoder/math.js';
import { loadNativeAddon } from '../../src/native/binding.js';
import { Transcriber } from '../../src/transcriber.js';
import { diffStats, goldenF32, goldenMeta, SYNTHETIC_MODEL } from '../helpers/shared.js';

const simdAvailable = loadNativeAddon().cpuInfo().simdKernels;
const paths = [{ simd: false, name: 'portable' }, ...(simdAvailable ? [{ simd: true, name: 'avx2-fma-f16c' }] : [])];

describe.each(paths)('$name kernels', ({ simd }) => {
  let t: Transcriber;
  const features = goldenF32('encoder.f32');

  it('load', async () => {
    t = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2, simd });
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
    expect(diffStats(out.subarray(0, v), one.subarray(2 * v, 3 * v)).max).toBeLessThan(1e-4);
    expect(diffStats(out.subarray(2 * v, 3 * v), one.subarray(2 * v, 3 * v)).max).toBeLessThan(1e-4);
    expect(diffStats(out.subarray(v, 2 * v), one.subarray(2 * v, 3 * v)).max).toBeGreaterThan(1e-2);
  });
});
