/**
 * The quantized files of whisper.cpp's own quantize tool, read block by block as ggml lays them
 * out (ggml-common.h), against the f16 weights they were quantized from: the q4_0, q4_1 and q5_0
 * fixtures (from the generator's small model) and the shared q8_0 and q5_1 tiny.en files (from the
 * shared f16 tiny.en). The expected values are the source weights and the rounding bound of
 * ggml's reference quantizers (quantize_row_*_ref), not anything amanuensis computes: a misread
 * scale, min, nibble order or fifth bit lands whole quantization steps away.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { assertSupportedTypes, parseGgmlModel } from '../../src/model/ggml-loader.js';
import { specOf } from '../helpers/ggml-writer.js';
import { BLOCK_FORMATS, type BlockType, dequantizeBlocks, halfData } from '../helpers/quantized-blocks.js';
import { FIXTURE_SHA256, FIXTURE_SOURCE_DIMS, FIXTURE_TYPES, quantizedFixture } from '../helpers/quantized-fixtures.js';
import { SYNTHETIC_MODEL, SYNTHETIC_MODEL_Q5_1, SYNTHETIC_MODEL_Q8_0 } from '../helpers/shared.js';
import { makeSyntheticModel } from '../helpers/synthetic-model.js';

const F16_EPS = 2 ** -11;

/**
 * The largest error ggml's reference quantizer can leave in one block, from the stored scale d
 * and min m. The quantizer rounds with the f32 scale but stores it (and the min) as f16, which
 * adds up to |q| d 2^-11 (and |m| 2^-11). q4_0 and q5_0 take d = max / -8 (-16) from the signed
 * extreme and clip the opposite end at 15 (31): up to one whole step there. q4_1, q5_1 and q8_0
 * round to the nearest step: half a step.
 */
function blockBound(type: BlockType, d: number, m: number): number {
  const a = Math.abs(d);
  switch (type) {
    case 'q4_0': return a * (1 + 8 * F16_EPS);
    case 'q5_0': return a * (1 + 16 * F16_EPS);
    case 'q4_1': return a * (0.5 + 15 * F16_EPS) + Math.abs(m) * F16_EPS;
    case 'q5_1': return a * (0.5 + 31 * F16_EPS) + Math.abs(m) * F16_EPS;
    case 'q8_0': return a * (0.5 + 127 * F16_EPS);
  }
}

interface Comparison {
  readonly quantizedTensors: number;
  /** Largest error in units of each block's bound (≤ 1 when every block is within it). */
  readonly worstRatio: number;
  /** Mean |error| / |d|: about 1/4 for rounding to the nearest step, uniformly spread. */
  readonly meanErrorInSteps: number;
}

/** Compares every tensor of a quantized file with the same tensor of the f16 file it was made from. */
function compareWithSource(quantizedFile: Buffer, sourceFile: Buffer, type: BlockType): Comparison {
  const q = specOf(quantizedFile);
  const src = new Map(specOf(sourceFile).tensors.map((t) => [t.name, t]));
  expect(q.tensors.map((t) => t.name)).toEqual([...src.keys()]);
  let quantizedTensors = 0;
  let worstRatio = 0;
  let stepSum = 0;
  let count = 0;
  for (const t of q.tensors) {
    const s = src.get(t.name)!;
    expect(t.ne).toEqual(s.ne);
    if (t.type === 0 || t.type === 1) {
      // whisper.cpp copies what it does not quantize
      expect(t.type).toBe(s.type);
      expect(Buffer.compare(Buffer.from(t.data), Buffer.from(s.data))).toBe(0);
      continue;
    }
    expect(t.type).toBe(BLOCK_FORMATS[type].ggmlType);
    quantizedTensors++;
    const source = halfData(s.data);
    const { values, scales, mins } = dequantizeBlocks(type, t.data);
    expect(values.length).toBe(source.length);
    for (let b = 0; b < scales.length; b++) {
      const d = scales[b]!;
      const bound = blockBound(type, d, mins[b]!);
      for (let j = b * 32; j < b * 32 + 32; j++) {
        const err = Math.abs(values[j]! - source[j]!);
        worstRatio = Math.max(worstRatio, err / bound);
        stepSum += err / Math.abs(d);
        count++;
      }
    }
  }
  return { quantizedTensors, worstRatio, meanErrorInSteps: stepSum / count };
}

describe('whisper.cpp\'s quantized files against the f16 weights they were made from', () => {
  const fixtureSource = makeSyntheticModel(FIXTURE_SOURCE_DIMS);

  it.each(FIXTURE_TYPES)('the %s fixture: whisper.cpp\'s bytes (sha256), header ftype 2000 + type, every 2-D weight quantized', (type) => {
    const bytes = readFileSync(quantizedFixture(type));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(FIXTURE_SHA256[type]);
    const m = parseGgmlModel(bytes);
    expect(m.dims).toMatchObject({ nVocab: 51864, nAudioState: 32, nAudioHead: 1, nAudioLayer: 2, nTextLayer: 2, nMels: 80, ftype: BLOCK_FORMATS[type].ftype });
    expect(m.quantizationVersion).toBe(2);
    expect(() => assertSupportedTypes(m)).not.toThrow();
    for (const t of m.tensors) {
      const expected = t.ne.length === 2 && t.name.endsWith('.weight') ? BLOCK_FORMATS[type].ggmlType : t.name.startsWith('encoder.conv') && t.name.endsWith('.weight') ? 1 : 0;
      expect([t.name, t.type]).toEqual([t.name, expected]);
    }
  });

  it.each(FIXTURE_TYPES)('the %s fixture read as ggml\'s blocks: every weight within one quantization step of its source, rounding errors spread as rounding spreads them', (type) => {
    const c = compareWithSource(readFileSync(quantizedFixture(type)), fixtureSource, type);
    // 2 encoder blocks of 6 matrices, 2 decoder blocks of 10, the token embedding
    expect(c.quantizedTensors).toBe(2 * 6 + 2 * 10 + 1);
    expect(c.worstRatio).toBeLessThanOrEqual(1);
    expect(c.meanErrorInSteps).toBeGreaterThan(0.2);
    expect(c.meanErrorInSteps).toBeLessThan(0.3);
  });

  it.each([
    { type: 'q8_0' as const, file: SYNTHETIC_MODEL_Q8_0 },
    { type: 'q5_1' as const, file: SYNTHETIC_MODEL_Q5_1 },
  ])('the shared tiny.en $type file read as ggml\'s blocks: every weight within the bound of the shared f16 model\'s', ({ type, file }) => {
    const c = compareWithSource(readFileSync(file), readFileSync(SYNTHETIC_MODEL), type);
    expect(c.quantizedTensors).toBe(4 * 6 + 4 * 10 + 1);
    expect(c.worstRatio).toBeLessThanOrEqual(1);
    expect(c.meanErrorInSteps).toBeGreaterThan(0.2);
    expect(c.meanErrorInSteps).toBeLessThan(0.3);
  });
});
