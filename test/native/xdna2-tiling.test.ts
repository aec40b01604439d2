/**
 * The XDNA2 host tiling (bf16 packing, zero padding, double-buffered submission, gathering
 * and the host epilogue) on the software device, against a plain float64 reference GEMM
 * written here: on shapes that are not multiples of the tile, and on every encoder
 * projection shape of tiny through large-v3.
 */
import { describe, expect, it } from 'vitest';

import { loadNativeAddon } from '../../src/native/binding.js';

const native = loadNativeAddon();

/** Round-to-nearest-even to bfloat16, returned as the float it represents. */
const scratchF = new Float32Array(1);
const scratchU = new Uint32Array(scratchF.buffer);
function bf16(x: number): number {
  scratchF[0] = x;
  scratchU[0] = ((scratchU[0]! + 0x7fff + ((scratchU[0]! >>> 16) & 1)) >>> 16) << 16;
  return scratchF[0]!;
}

/** erf to ~1e-12 by its Maclaurin series (|x| < 3) or continued fraction (beyond). */
function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 3) {
    let term = ax; let sum = ax;
    for (let n = 1; n < 200; n++) {
      term *= -ax * ax / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17) break;
    }
    return Math.sign(x) * sum * 2 / Math.sqrt(Math.PI);
  }
  let f = 0;
  for (let n = 60; n >= 1; n--) f = n / 2 / (ax + f);
  return Math.sign(x) * (1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f));
}

function filled(length: number, scale: number, rand: () => number): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = scale * rand();
  return out;
}

function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

interface Case { M: number; N: number; K: number; tile: { m: number; k: number; n: number }; slots: number; bias?: boolean; gelu?: boolean; residual?: boolean }

/** Reference entry (i, j) in float64 from bf16-rounded A and W, with the epilogue; and the sum of |terms| for the tolerance. */
function reference(A: Float32Array, W: Float32Array, K: number, i: number, j: number, c: Case, bias: Float32Array, residual: Float32Array, N: number): { value: number; scale: number } {
  let sum = 0; let scale = 0;
  for (let p = 0; p < K; p++) {
    const term = bf16(A[i * K + p]!) * bf16(W[j * K + p]!);
    sum += term; scale += Math.abs(term);
  }
  if (c.bias) sum += bias[j]!;
  if (c.gelu) sum = 0.5 * sum * (1 + erf(sum / Math.SQRT2));
  if (c.residual) sum += residual[i * N + j]!;
  return { value: sum, scale: scale + 1 };
}

async function check(c: Case, samples?: number): Promise<void> {
  const { M, N, K } = c;
  const rand = random(M * 7919 + N * 31 + K);
  const A = filled(M * K, 2, rand);
  const W = filled(N * K, 2 / Math.sqrt(K), rand);
  const bias = filled(N, 1, rand);
  const residual = filled(M * N, 1, rand);
  const out = await native.tiledLinear(A, W, {
    m: M, n: N, k: K, tile: c.tile, slots: c.slots, gelu: c.gelu ?? false, ...(c.bias && { bias }), ...(c.residual && { c: residual }),
  });
  const tiles = Math.ceil(M / c.tile.m) * Math.ceil(N / c.tile.n) * Math.ceil(K / c.tile.k);
  expect(out.tiles).toBe(tiles);
  expect(out.paddedMacs).toBe(tiles * c.tile.m * c.tile.n * c.tile.k);
  const pick = random(K + 1);
  const entries = samples === undefined
    ? Array.from({ length: M * N }, (_, e) => [Math.floor(e / N), e % N] as const)
    : Array.from({ length: samples }, (_, e) => e < 4
      ? [[0, 0], [0, N - 1], [M - 1, 0], [M - 1, N - 1]][e]! as [number, number] // the padded corners
      : [Math.floor((pick() + 0.5) * M), Math.floor((pick() + 0.5) * N)] as const);
  let worst = 0;
  for (const [i, j] of entries) {
    const { value, scale } = reference(A, W, K, i, j, c, bias, residual, N);
    // f32 accumulation of exact bf16 products: error within a few ulps of the sum of |terms|
    worst = Math.max(worst, Math.abs(out.c[i * N + j]! - value) / (scale * 2 ** -20));
  }
  expect(worst).toBeLessThanOrEqual(1);
}

describe('XDNA2 host tiling on the software device', () => {
  it.each<Case>([
    { M: 37, N: 45, K: 70, tile: { m: 16, k: 24, n: 32 }, slots: 2 },
    { M: 1, N: 1, K: 1, tile: { m: 8, k: 8, n: 8 }, slots: 2 },
    { M: 64, N: 64, K: 64, tile: { m: 32, k: 32, n: 32 }, slots: 1 },
    { M: 33, N: 17, K: 129, tile: { m: 32, k: 64, n: 16 }, slots: 3, bias: true },
    { M: 50, N: 40, K: 30, tile: { m: 24, k: 16, n: 24 }, slots: 2, bias: true, gelu: true },
    { M: 29, N: 31, K: 37, tile: { m: 16, k: 16, n: 16 }, slots: 2, bias: true, residual: true },
  ])('M $M, N $N, K $K in tiles $tile.m x $tile.k x $tile.n, $slots slot(s)', async (c) => {
    await check(c);
  });

  // Q/K/V stacked, output, MLP up and MLP down of each size's encoder, 1500 audio positions
  const sizes = [['tiny', 384], ['base', 512], ['small', 768], ['medium', 1024], ['large-v3', 1280]] as const;
  it.each(sizes.flatMap(([name, d]) => [
    { name, what: 'qkv', N: 3 * d, K: d }, { name, what: 'out', N: d, K: d },
    { name, what: 'mlp up', N: 4 * d, K: d }, { name, what: 'mlp down', N: d, K: 4 * d },
  ]))('$name $what: [1500, $K] x [$N, $K]^T in 128-cubed tiles', async ({ N, K }) => {
    await check({ M: 1500, N, K, tile: { m: 128, k: 128, n: 128 }, slots: 2, bias: true }, 400);
  });

  it('rejects a bad tile and mismatched shapes with ERR_INVALID_ARGUMENT', async () => {
    const a = new Float32Array(4);
    expect(() => native.tiledLinear(a, a, { m: 2, n: 2, k: 2, tile: { m: 0, k: 8, n: 8 } })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => native.tiledLinear(a, a, { m: 3, n: 2, k: 2 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => native.tiledLinear(a, a, { m: 2, n: 2, k: 2, slots: 9 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});
