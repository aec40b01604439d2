/**
 * The native model keeps quantized weights as the file's blocks (its memory follows the file's
 * size, not f16's) and re-checks the tensor table's quantized types itself.
 */
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { parseGgmlModel } from '../../src/model/ggml-loader.js';
import { hparamsInFileOrder, loadNativeAddon } from '../../src/native/binding.js';
import { SYNTHETIC_MODEL, SYNTHETIC_MODEL_Q5_1, SYNTHETIC_MODEL_Q8_0 } from '../helpers/shared.js';

const addon = loadNativeAddon();
const opts = { threads: 1, simd: true };

async function weightBytes(path: string): Promise<{ native: number; tensors: number }> {
  const file = parseGgmlModel(readFileSync(path));
  const model = await addon.loadModel(path, { hparams: hparamsInFileOrder(file.dims), tensors: file.tensors, ...opts });
  return { native: model.info().weightBytes, tensors: file.tensors.reduce((sum, t) => sum + t.nbytes, 0) };
}

describe('quantized weights in native memory', () => {
  it('the q8_0 and q5_1 models take about their tensors\' bytes in the file, the f16 model 1.8 and 2.4 times more', async () => {
    const f16 = await weightBytes(SYNTHETIC_MODEL);
    const q8 = await weightBytes(SYNTHETIC_MODEL_Q8_0);
    const q5 = await weightBytes(SYNTHETIC_MODEL_Q5_1);
    for (const m of [f16, q8, q5]) {
      // the arena holds every tensor as stored (plus 64-byte alignment and the zero key biases), nothing widened
      expect(m.native).toBeGreaterThanOrEqual(m.tensors);
      expect(m.native).toBeLessThan(m.tensors * 1.005);
    }
    // q5_1: 0.75 bytes a weight against f16's 2 (all but the f16 convolutions and f32 vectors)
    expect(f16.native / q5.native).toBeGreaterThan(2.4);
    expect(f16.native / q8.native).toBeGreaterThan(1.75);
  });

  it('the native loader refuses quantized types it cannot hold: mixed query/key/value types, a quantized convolution or norm', async () => {
    const bytes = readFileSync(SYNTHETIC_MODEL_Q8_0);
    const file = parseGgmlModel(bytes);
    const load = (edit: (t: (typeof file.tensors)[number]) => (typeof file.tensors)[number]) =>
      addon.loadModel(bytes, { hparams: hparamsInFileOrder(file.dims), tensors: file.tensors.map(edit), ...opts });
    // the key weight declared q5_1 (its bytes still inside the file): q, k, v can no longer be stacked
    await expect(load((t) => (t.name === 'decoder.blocks.1.attn.key.weight' ? { ...t, type: 7, nbytes: (384 * 384 / 32) * 24 } : t)))
      .rejects.toMatchObject({ code: 'ERR_MODEL_UNSUPPORTED_TENSOR_TYPE', message: expect.stringMatching(/Q8_0, Q5_1 and Q8_0/) });
    // blocks along a conv kernel's 3 taps cannot be rows of the weight matrix
    await expect(load((t) => (t.name === 'encoder.conv2.weight' ? { ...t, type: 8, nbytes: (3 * 384 * 384 / 32) * 34 } : t)))
      .rejects.toMatchObject({ code: 'ERR_MODEL_UNSUPPORTED_TENSOR_TYPE', message: expect.stringContaining('Q8_0') });
    await expect(load((t) => (t.name === 'decoder.ln.weight' ? { ...t, type: 8, nbytes: (384 / 32) * 34 } : t)))
      .rejects.toMatchObject({ code: 'ERR_MODEL_UNSUPPORTED_TENSOR_TYPE', message: expect.stringContaining('Q8_0') });
    // a K-quant slipped past the TypeScript reader
    await expect(load((t) => (t.name === 'encoder.blocks.0.mlp.2.weight' ? { ...t, type: 12 } : t)))
      .rejects.toMatchObject({ code: 'ERR_MODEL_UNSUPPORTED_TENSOR_TYPE' });
  });
});
