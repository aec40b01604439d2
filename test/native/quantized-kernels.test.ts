/**
 * Every block type the loader accepts (q4_0, q4_1, q5_0, q5_1, q8_0) through every kernel path
 * this CPU has: a model made of random blocks gives the outputs of its exactly dequantized f32
 * twin (test/helpers/quantized-blocks.ts), since the kernels dequantize to f32 and then compute
 * as for f32 weights (on the 8-bit-activation path, the few-row products within the golden
 * README's 8-bit bound instead; pairs of blocks with an odd last one). 96 wide, so rows of 3 and 12 blocks (odd counts, rows at unaligned byte
 * offsets); the decoder's products run both as a few-row gemv (6 tokens) and, for 20 tokens, as
 * the row-block kernel on the AVX-512 paths (weight rows dequantized a tile at a time) or the
 * blocked GEMM on the others (the token embedding packed panel by panel).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { argmax } from '../../src/decoder/math.js';
import { Transcriber } from '../../src/transcriber.js';
import { specOf, writeGgml } from '../helpers/ggml-writer.js';
import { KERNEL_PATHS } from '../helpers/kernel-paths.js';
import { type BlockType, quantizedTwins } from '../helpers/quantized-blocks.js';
import { diffStats, goldenF32, goldenMeta } from '../helpers/shared.js';
import { makeSyntheticModel } from '../helpers/synthetic-model.js';

const dir = mkdtempSync(join(tmpdir(), 'amanuensis-quantized-kernels-'));
const base = specOf(makeSyntheticModel({ nState: 96, nHead: 2, nAudioLayer: 1, nTextLayer: 2, ftype: 0 }));
const mel = goldenF32('mel30.f32');
const forced = goldenMeta().forced_tokens;

function maxAbs(a: Float32Array): number {
  return a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

/**
 * `a` equals `reference` to f32 rounding: within 1e-5 of the reference's largest magnitude; or,
 * where activations are quantized to 8 bits, within the golden README's 8-bit bound on logits (0.4).
 */
function expectSame(a: Float32Array, reference: Float32Array, eightBit = false): void {
  const scale = maxAbs(reference);
  expect(Number.isFinite(scale) && scale > 0.1).toBe(true);
  expect(diffStats(a, reference).max).toBeLessThanOrEqual(eightBit ? 0.4 : 1e-5 * scale);
}

const TYPES: readonly BlockType[] = ['q4_0', 'q4_1', 'q5_0', 'q5_1', 'q8_0'];

describe.each(TYPES)('%s blocks', (type) => {
  const { quantized, dequantized } = quantizedTwins(base, type, TYPES.indexOf(type) + 1);
  const quantizedPath = join(dir, `${type}.bin`);
  const dequantizedPath = join(dir, `${type}-f32.bin`);
  writeFileSync(quantizedPath, writeGgml(quantized));
  writeFileSync(dequantizedPath, writeGgml(dequantized));

  it.each(KERNEL_PATHS)('$name kernels: encoder output, logits of 6 and 20 tokens and a greedy step equal the dequantized f32 model\'s', async ({ simd, avx512, int8Activations }) => {
    const options = { threads: 2, simd, avx512, int8Activations };
    const q = await Transcriber.load(quantizedPath, options);
    const f = await Transcriber.load(dequantizedPath, options);
    try {
      const features = await f.encoder.encode({ data: mel, nMels: 80, nFrames: 3000 });
      expectSame(await q.encoder.encode({ data: mel, nMels: 80, nFrames: 3000 }), features);
      const twenty = [...forced, ...Array.from({ length: 14 }, (_, i) => 1000 + 977 * i)];
      // 6 and 12 rows take the few-row products (12: a full pass of 8 rows and a tail of 4), 20 the
      // row-block kernel (AVX-512) or the blocked GEMM
      for (const tokens of [forced, twenty.slice(0, 12), twenty]) {
        expectSame(await q.decoder.logits(tokens, features), await f.decoder.logits(tokens, features), int8Activations && tokens.length <= 16);
      }
      // one token a step through the KV cache (the token lookup dequantizes its row)
      const steps = await Promise.all([q, f].map(async (t) => {
        const session = await t.decoder.session(features, 1);
        const first = await session.step(Int32Array.of(forced[0]!), 1, Int32Array.of(0));
        const second = await session.step(Int32Array.of(argmax(first)), 1, Int32Array.of(0));
        return second;
      }));
      expectSame(steps[0]!, steps[1]!, int8Activations);
    } finally {
      q.close();
      f.close();
    }
  });
});
