/**
 * The encoder's products of many rows share one packing of the weight between the threads. A
 * weight whose packing would exceed 4 MB (small's MLP and up; large-v3's is 25 MB in f32) is packed
 * a depth chunk at a time, each chunk's sums added to C: the bias, the GELU and the residual must
 * still apply once, to the whole sum. Held against a float64 product computed here, on every
 * kernel path, for f32 weights and for quantized blocks (whose chunks start inside a row's blocks).
 */
import { describe, expect, it } from 'vitest';

import { loadNativeAddon } from '../../src/native/binding.js';
import { KERNEL_PATHS } from '../helpers/kernel-paths.js';
import { BLOCK_FORMATS, randomBlocks } from '../helpers/quantized-blocks.js';

const addon = loadNativeAddon();

// 100 rows take the threads' shared packing (more than 64 rows, the row-block kernel's limit);
// a [1536, 1024] f32 packing is 6 MB: two chunks of 512 deep
const M = 100;
const N = 1536;
const K = 1024;

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}

function uniform(n: number, next: () => number, scale: number): Float32Array {
  return Float32Array.from({ length: n }, () => ((next() / 2 ** 32) * 2 - 1) * scale);
}

/** The exact GELU, x Φ(x), as torch.nn.GELU() computes it, in float64. */
function gelu(x: number): number {
  return 0.5 * x * (1 + erf(x / Math.SQRT2));
}

/**
 * erf in float64: its Taylor series below 2.5 (the terms stay small, no cancellation), above it
 * 1 - erfc by Laplace's continued fraction, evaluated from the tail.
 */
function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let sum = 0;
    let term = ax;
    for (let n = 0; n < 100; n++) {
      sum += term / (2 * n + 1);
      term *= (-ax * ax) / (n + 1);
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  // erfc(x) = exp(-x^2) / sqrt(pi) / (x + (1/2) / (x + 1 / (x + (3/2) / (x + ...))))
  let tail = ax;
  for (let n = 80; n >= 1; n--) tail = ax + n / 2 / tail;
  return Math.sign(x) * (1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / tail);
}

/** C = prior + A W^T + bias, then GELU, in float64. */
function reference(a: Float32Array, w: Float32Array, bias: Float32Array | undefined, withGelu: boolean, prior?: Float32Array): Float64Array {
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += a[i * K + k]! * w[j * K + k]!;
      let v = (prior?.[i * N + j] ?? 0) + s + (bias?.[j] ?? 0);
      if (withGelu) v = gelu(v);
      out[i * N + j] = v;
    }
  }
  return out;
}

function maxAbsDiff(a: Float32Array, b: Float64Array): { max: number; scale: number } {
  let max = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    max = Math.max(max, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return { max, scale };
}

const next = lcg(7);
const a = uniform(M * K, next, 1);
const bias = uniform(N, next, 0.5);
const prior = uniform(M * N, next, 1);
const w32 = uniform(N * K, next, 0.05);
const q = randomBlocks('q8_0', N * K, 5, next);
const q5 = randomBlocks('q5_1', N * K, 5, next);

describe('a product whose weight is packed in depth chunks', () => {
  const plain = reference(a, w32, bias, true);
  const residual = reference(a, w32, undefined, false, prior);
  const quantized = reference(a, q.values, bias, true);
  const quantized5 = reference(a, q5.values, undefined, false, prior);

  it.each(KERNEL_PATHS.filter((p) => !p.int8Activations))('$name kernels: bias and GELU once, on the whole sum; the residual added once', async ({ simd, avx512 }) => {
    const dims = { m: M, n: N, k: K, threads: 2, simd, avx512 };
    const cases = [
      [await addon.linearProduct(a, w32, { ...dims, bias, gelu: true }), plain],
      [await addon.linearProduct(a, w32, { ...dims, c: prior }), residual],
      [await addon.linearProduct(a, q.bytes, { ...dims, ggmlType: BLOCK_FORMATS.q8_0.ggmlType, bias, gelu: true }), quantized],
      [await addon.linearProduct(a, q5.bytes, { ...dims, ggmlType: BLOCK_FORMATS.q5_1.ggmlType, c: prior }), quantized5],
    ] as const;
    for (const [got, want] of cases) {
      const { max, scale } = maxAbsDiff(got, want);
      expect(scale).toBeGreaterThan(0.5);
      expect(max).toBeLessThanOrEqual(2e-5 * scale);
    }
  });

  it('refuses a W of the wrong size or type with ERR_INVALID_ARGUMENT', () => {
    expect(() => addon.linearProduct(a, w32.subarray(1), { m: M, n: N, k: K })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => addon.linearProduct(a, q.bytes, { m: M, n: N, k: K, ggmlType: 10 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});
