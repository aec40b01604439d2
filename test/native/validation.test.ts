/** The native layer refuses bad input with typed errors and never crashes the process. */
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { parseGgmlModel } from '../../src/model/ggml-loader.js';
import { hparamsInFileOrder, loadNativeAddon } from '../../src/native/binding.js';
import { Transcriber } from '../../src/transcriber.js';
import { goldenF32, SYNTHETIC_MODEL } from '../helpers/shared.js';

const addon = loadNativeAddon();
const bytes = readFileSync(SYNTHETIC_MODEL);
const file = parseGgmlModel(bytes);

describe('native argument validation', () => {
  it('loadModel re-checks the tensor table: ranges outside the file, wrong shapes, missing tensors, bad types', async () => {
    const opts = { threads: 1, simd: true };
    const outside = file.tensors.map((t, i) => (i === 3 ? { ...t, offset: bytes.length - 10 } : t));
    await expect(addon.loadModel(bytes, { hparams: hparamsInFileOrder(file.dims), tensors: outside, ...opts })).rejects.toMatchObject({ code: 'ERR_MODEL_TRUNCATED' });
    const shape = file.tensors.map((t, i) => (i === 3 ? { ...t, ne: [3, 384, 383] } : t));
    await expect(addon.loadModel(bytes, { hparams: hparamsInFileOrder(file.dims), tensors: shape, ...opts })).rejects.toMatchObject({ code: 'ERR_MODEL_TENSOR_SHAPE' });
    await expect(addon.loadModel(bytes, { hparams: hparamsInFileOrder(file.dims), tensors: file.tensors.slice(1), ...opts })).rejects.toMatchObject({ code: 'ERR_MODEL_MISSING_TENSOR' });
    const typed = file.tensors.map((t, i) => (i === 3 ? { ...t, type: 8 } : t));
    await expect(addon.loadModel(bytes, { hparams: hparamsInFileOrder(file.dims), tensors: typed, ...opts })).rejects.toMatchObject({ code: 'ERR_MODEL_UNSUPPORTED_TENSOR_TYPE' });
    await expect(addon.loadModel(bytes, { hparams: hparamsInFileOrder({ ...file.dims, nAudioHead: 0 }), tensors: file.tensors, ...opts })).rejects.toMatchObject({ code: 'ERR_MODEL_BAD_HPARAMS' });
    expect(() => addon.loadModel(bytes, { hparams: hparamsInFileOrder(file.dims), tensors: file.tensors, ...{ threads: 0, simd: true } })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => addon.loadModel(42 as unknown as Buffer, { hparams: hparamsInFileOrder(file.dims), tensors: file.tensors, ...opts })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    await expect(addon.loadModel('/nonexistent/model.bin', { hparams: hparamsInFileOrder(file.dims), tensors: file.tensors, ...opts })).rejects.toMatchObject({ code: 'ERR_MODEL_NOT_FOUND' });
    // read from the path, tensor by tensor, the model equals the one built from memory
    const fromPath = await addon.loadModel(SYNTHETIC_MODEL, { hparams: hparamsInFileOrder(file.dims), tensors: file.tensors, ...opts });
    expect(fromPath.info().weightBytes).toBe((await addon.loadModel(bytes, { hparams: hparamsInFileOrder(file.dims), tensors: file.tensors, ...opts })).info().weightBytes);
  });

  it('encode and decoder calls with wrong shapes, types or tokens reject with codes', async () => {
    const model = await addon.loadModel(bytes, { hparams: hparamsInFileOrder(file.dims), tensors: file.tensors, ...{ threads: 2, simd: true } });
    expect(() => model.encode(new Float64Array(10) as unknown as Float32Array, { nMels: 80, nFrames: 3000, threads: 1 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => model.encode(new Float32Array(10), { nMels: 80, nFrames: 3000, threads: 1 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    await expect(model.encode(new Float32Array(80 * 2000), { nMels: 80, nFrames: 2000, threads: 1 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });

    const dec = model.createDecoder({ nSeq: 1 });
    await expect(dec.step(Int32Array.of(50257), { nNew: 1, positions: Int32Array.of(0), threads: 1 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await dec.setFeatures(goldenF32('encoder.f32'), { threads: 2 });
    await expect(dec.step(Int32Array.of(51864), { nNew: 1, positions: Int32Array.of(0), threads: 1 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(dec.step(Int32Array.of(-1), { nNew: 1, positions: Int32Array.of(0), threads: 1 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(dec.step(Int32Array.of(50257), { nNew: 1, positions: Int32Array.of(1), threads: 1 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    expect(() => dec.step(Int32Array.of(1, 2), { nNew: 1, positions: Int32Array.of(0), threads: 1 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => model.createDecoder({ nSeq: 0 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => dec.reorder(Int32Array.of(5))).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });

  it('two operations on one decoder at once: the second is refused with ERR_DECODER_BUSY', async () => {
    const model = await addon.loadModel(bytes, { hparams: hparamsInFileOrder(file.dims), tensors: file.tensors, ...{ threads: 2, simd: true } });
    const dec = model.createDecoder({ nSeq: 1 });
    const first = dec.setFeatures(goldenF32('encoder.f32'), { threads: 2 });
    expect(() => dec.step(Int32Array.of(50257), { nNew: 1, positions: Int32Array.of(0), threads: 1 })).toThrow(expect.objectContaining({ code: 'ERR_DECODER_BUSY' }));
    await first;
    await expect(dec.step(Int32Array.of(50257), { nNew: 1, positions: Int32Array.of(0), threads: 1 })).resolves.toBeInstanceOf(Float32Array);
  });

  it('a released decoder frees its caches and refuses further use with ERR_CLOSED', async () => {
    const t = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2 });
    const session = await t.decoder.session(goldenF32('encoder.f32'), 2);
    await session.step(Int32Array.of(50257, 50257), 1, Int32Array.of(0));
    session.close!();
    await expect(session.step(Int32Array.of(50257, 50257), 1, Int32Array.of(0))).rejects.toMatchObject({ code: 'ERR_CLOSED' });
    expect(() => session.close!()).toThrow(expect.objectContaining({ code: 'ERR_CLOSED' }));
  });

  it('the text context cannot overflow: ERR_CONTEXT_OVERFLOW past nTextCtx tokens', async () => {
    const t = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2 });
    const session = await t.decoder.session(goldenF32('encoder.f32'), 1);
    await session.step(new Int32Array(440).fill(220), 440, Int32Array.of(439));
    await expect(session.step(new Int32Array(9).fill(220), 9, Int32Array.of(8))).rejects.toMatchObject({ code: 'ERR_CONTEXT_OVERFLOW' });
    await expect(session.step(new Int32Array(8).fill(220), 8, Int32Array.of(7))).resolves.toBeInstanceOf(Float32Array);
  });

  it('an unloadable binding path gives ERR_NATIVE_LOAD with instructions', () => {
    expect(() => loadNativeAddon('/nonexistent/amanuensis.node')).toThrow(expect.objectContaining({ code: 'ERR_NATIVE_LOAD', message: expect.stringContaining('npm rebuild') }));
  });
});
