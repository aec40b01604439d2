/**
 * The XDNA2 encoder on the software device (the NPU kernel's tiles and bf16 arithmetic on the
 * CPU) against the float64 PyTorch reference (../shared/golden) and against the f32 CPU
 * encoder layer by layer.
 *
 * Tolerance, derived for bf16: every GEMM input is rounded to 8 significant bits, a relative
 * error uniform in ±2^-9 (standard deviation 2^-9/√3 ≈ 1.1e-3); a product of two rounded
 * inputs carries about √2 × that, 1.6e-3, and over a K-term sum of independent errors the
 * output's relative RMS error stays ≈ 1.6e-3 (error and signal both grow as √K). A block has
 * four projections in sequence (QKV, out, MLP up, MLP down) whose errors add in quadrature and
 * feed the residual stream, so after L blocks the expected relative RMS error is about
 * 1.6e-3 × √(4L) ≈ 6.4e-3 for tiny's 4 blocks; layer norm and GELU keep it from compounding.
 * We allow 4× that (2.5e-2) as relative RMS error, which is a cosine similarity of at least
 * 1 − (2.5e-2)² / 2 ≈ 0.9997 (we require 0.999), and max |Δ| ≤ 12 × the RMS error
 * (Gaussian-like tails over 576 000 values reach about 5σ).
 */
import { describe, expect, it } from 'vitest';

import { argmax } from '../../src/decoder/math.js';
import { Xdna2Encoder } from '../../src/encoder/xdna2-encoder.js';
import { loadNativeAddon } from '../../src/native/binding.js';
import { Transcriber } from '../../src/transcriber.js';
import { goldenF32, goldenMeta, SYNTHETIC_MODEL, SYNTHETIC_MODEL_Q8_0 } from '../helpers/shared.js';

/** Relative RMS error, cosine similarity and max/mean |a - b| of `a` against the reference `b`. */
function compare(a: Float32Array, b: Float32Array): { relRms: number; cosine: number; max: number; mean: number } {
  let dd = 0; let bb = 0; let ab = 0; let aa = 0; let max = 0; let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    dd += d * d; bb += b[i]! * b[i]!; aa += a[i]! * a[i]!; ab += a[i]! * b[i]!;
    max = Math.max(max, Math.abs(d)); sum += Math.abs(d);
  }
  return { relRms: Math.sqrt(dd / bb), cosine: ab / Math.sqrt(aa * bb), max, mean: sum / a.length };
}

describe('XDNA2 encoder on the software device (bf16 tiles)', () => {
  let t: Transcriber;
  let encoder: Xdna2Encoder;
  const mel = { data: goldenF32('mel30.f32'), nMels: 80, nFrames: 3000 };

  it('loads with encoder xdna2 and device software', async () => {
    t = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2, encoder: 'xdna2', xdna2: { device: 'software' } });
    expect(t.encoder.name).toBe('xdna2-software');
    encoder = t.encoder as Xdna2Encoder;
  });

  it('matches encoder.f32 within the bf16 tolerance, and each block matches the f32 CPU encoder', async () => {
    const { features, layers } = await encoder.encodeLayers(mel);
    const golden = compare(features, goldenF32('encoder.f32'));
    const native = loadNativeAddon();
    const model = (t.decoder as unknown as { model: Parameters<typeof native.createXdna2Encoder>[0] }).model;
    const cpu = await model.encode(mel.data, { nMels: 80, nFrames: 3000, threads: 2, layers: true });
    const perLayer = layers.map((l, i) => compare(l, cpu.layers![i]!));
    console.log(`xdna2 software device vs golden encoder.f32: max |d| ${golden.max.toExponential(2)}, mean |d| ${golden.mean.toExponential(2)}, ` +
      `relative RMS ${golden.relRms.toExponential(2)}, cosine ${golden.cosine.toFixed(6)}; tiles ${encoder.lastReport!.tiles}, ` +
      `padding ${(encoder.lastReport!.padding * 100).toFixed(1)}%`);
    perLayer.forEach((c, i) => console.log(`  block ${i} vs f32 CPU: max |d| ${c.max.toExponential(2)}, mean |d| ${c.mean.toExponential(2)}, ` +
      `relative RMS ${c.relRms.toExponential(2)}, cosine ${c.cosine.toFixed(6)}`));
    expect(golden.relRms).toBeLessThanOrEqual(2.5e-2);
    expect(golden.cosine).toBeGreaterThanOrEqual(0.999);
    expect(golden.max).toBeLessThanOrEqual(12 * golden.relRms * Math.sqrt(Array.from(features).reduce((s, v) => s + v * v, 0) / features.length));
    expect(layers.length).toBe(4);
    for (const c of perLayer) {
      expect(c.relRms).toBeLessThanOrEqual(2.5e-2);
      expect(c.cosine).toBeGreaterThanOrEqual(0.999);
    }
    // bf16 really was used: the result is not the f32 one
    expect(compare(features, cpu.features).max).toBeGreaterThan(1e-4);
  });

  it('its features still decode to greedy_tokens', async () => {
    const meta = goldenMeta();
    const features = await encoder.encode(mel);
    const session = await t.decoder.session(features, 1);
    const tokens = [meta.greedy_tokens[0]!];
    for (let i = 0; i < meta.greedy_tokens.length - 1; i++) {
      const logits = await session.step(Int32Array.of(tokens[tokens.length - 1]!), 1, Int32Array.of(0));
      tokens.push(argmax(logits));
    }
    session.close?.();
    expect(tokens).toEqual(meta.greedy_tokens);
  });

  it('every result reports the backend that ran each window', async () => {
    const result = await t.transcribe(new Float32Array(16000 * 2).map((_, i) => 0.1 * Math.sin(i / 7)), { temperature: 0 });
    expect(result.timings.windows.map((w) => w.encoder)).toEqual(['xdna2-software']);
  });
});

describe('XDNA2 encoder on the software device with a quantized model', () => {
  it('packs the q8_0 weights (dequantized at load) and matches the q8_0 golden encoder.f32 within the bf16 tolerance', async () => {
    const t = await Transcriber.load(SYNTHETIC_MODEL_Q8_0, { threads: 2, encoder: 'xdna2', xdna2: { device: 'software' } });
    try {
      const features = await t.encoder.encode({ data: goldenF32('mel30.f32', '-q8_0'), nMels: 80, nFrames: 3000 });
      const golden = compare(features, goldenF32('encoder.f32', '-q8_0'));
      expect(golden.relRms).toBeLessThanOrEqual(2.5e-2);
      expect(golden.cosine).toBeGreaterThanOrEqual(0.999);
      // and not the f16 model's features: the q8_0 weights were really used
      expect(compare(features, goldenF32('encoder.f32')).relRms).toBeGreaterThan(golden.relRms);
    } finally {
      t.close();
    }
  });
});
