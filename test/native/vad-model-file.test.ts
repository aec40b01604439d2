/**
 * Loading whisper.cpp's GGML Silero VAD files: the bundled v6.2.0, the v5.1.2 layouts
 * whisper.cpp's converter has written (written here from the real file's weights with the TS
 * writer of test/helpers), and a typed error for every malformed variant.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Vad } from '../../src/vad/vad.js';
import { SILERO_VAD_MODEL, SYNTHETIC_MODEL, jfkSamplesReference } from '../helpers/shared.js';
import { type VadFile, readVadFile, writeVadFile } from '../helpers/silero-vad-file.js';

const real = readVadFile(SILERO_VAD_MODEL);
const jfk = jfkSamplesReference();
const BASIS = '_model.stft.forward_basis_buffer';

/** A copy of the real file's structure with `change` applied. */
function variant(change: (f: VadFile) => void): Buffer {
  const f: VadFile = structuredClone(real);
  change(f);
  return writeVadFile(f);
}

const loadBytes = (bytes: Uint8Array): Promise<Vad> => Vad.load(bytes, { threads: 1 });

async function probabilitiesOf(model: string | Uint8Array): Promise<Float32Array> {
  const vad = await Vad.load(model, { threads: 2 });
  try {
    return await vad.probabilities(jfk);
  } finally {
    vad.close();
  }
}

describe('VAD model files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'amanuensis-vad-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the bundled model is the shared Silero VAD v6.2.0, byte for byte, and loads by default', async () => {
    const vad = await Vad.load(undefined, { threads: 1 });
    expect(vad.version).toBe('6.2.0');
    vad.close();
    const bundled = readFileSync(new URL('../../models/silero-vad/ggml-silero-v6.2.0.bin', import.meta.url));
    expect(createHash('sha256').update(bundled).digest('hex')).toBe('2aa269b785eeb53a82983a20501ddf7c1d9c48e33ab63a41391ac6c9f7fb6987');
  });

  it('our TS writer reproduces the real file exactly (so the variants below differ only where they say)', () => {
    expect(writeVadFile(real).equals(readFileSync(SILERO_VAD_MODEL))).toBe(true);
  });

  describe('v5.1.2 layouts (version 5.1.2, same tensors), with the v6.2.0 weights: the same probabilities', () => {
    let reference: Float32Array;
    beforeAll(async () => {
      reference = await probabilitiesOf(SILERO_VAD_MODEL);
    });
    it.each([
      ['the converter of today: basis ne [256, 1, 258]', [256, 1, 258]],
      ['whisper.cpp\'s first v5.1.2 files: basis ne [258, 1, 256], values in the same order', [258, 1, 256]],
    ])('%s', async (_, ne) => {
      const bytes = variant((f) => {
        f.version = [5, 1, 2];
        f.tensors.find((t) => t.name === BASIS)!.ne = ne;
      });
      const vad = await loadBytes(bytes);
      expect(vad.version).toBe('5.1.2');
      vad.close();
      expect(await probabilitiesOf(bytes)).toEqual(reference);
    });

    it('an f16 weight stored as f32 (the same values) loads and computes the same', async () => {
      const bytes = variant((f) => {
        const t = f.tensors.find((x) => x.name === '_model.encoder.0.reparam_conv.weight')!;
        const halves = new Uint16Array(t.data.buffer, t.data.byteOffset, t.data.length / 2);
        const wide = new Float32Array(halves.length);
        for (let i = 0; i < halves.length; i++) wide[i] = halfToFloat(halves[i]!);
        t.type = 0;
        t.data = new Uint8Array(wide.buffer);
      });
      expect(await probabilitiesOf(bytes)).toEqual(reference);
    });
  });

  const truncatedAt = (n: number): Buffer => readFileSync(SILERO_VAD_MODEL).subarray(0, n);
  const header = variant((f) => { f.tensors = []; });

  it.each([
    ['an empty file', 'ERR_MODEL_TRUNCATED', Buffer.alloc(0)],
    ['3 bytes', 'ERR_MODEL_TRUNCATED', truncatedAt(3)],
    ['another magic', 'ERR_MODEL_BAD_MAGIC', variant((f) => { f.magic = 0x67676a74; })],
    ['a Whisper model file', 'ERR_MODEL_BAD_HPARAMS', readFileSync(SYNTHETIC_MODEL).subarray(0, 4096)],
    ['another model type', 'ERR_MODEL_BAD_HPARAMS', variant((f) => { f.modelType = 'silero-8k'; })],
    ['version 4.0.0', 'ERR_MODEL_BAD_HPARAMS', variant((f) => { f.version = [4, 0, 0]; })],
    ['a window of 256', 'ERR_MODEL_BAD_HPARAMS', variant((f) => { f.hparams[0] = 256; })],
    ['3 encoder layers', 'ERR_MODEL_BAD_HPARAMS', variant((f) => { f.hparams[2] = 3; })],
    ['an LSTM of 64', 'ERR_MODEL_BAD_HPARAMS', variant((f) => { f.hparams[16] = 64; })],
    ['the end inside the model type', 'ERR_MODEL_TRUNCATED', truncatedAt(10)],
    ['the end inside the hyperparameters', 'ERR_MODEL_TRUNCATED', truncatedAt(40)],
    ['the end inside a tensor record header', 'ERR_MODEL_TRUNCATED', Buffer.concat([header, Buffer.alloc(6)])],
    ['the end inside the last tensor', 'ERR_MODEL_TRUNCATED', truncatedAt(885098 - 1)],
    ['the end inside the first tensor', 'ERR_MODEL_TRUNCATED', truncatedAt(header.length + 100)],
    ['a header and no tensors', 'ERR_MODEL_NO_TENSORS', header],
    ['a missing tensor', 'ERR_MODEL_MISSING_TENSOR', variant((f) => { f.tensors.splice(9, 1); })],
    ['a tensor twice', 'ERR_MODEL_DUPLICATE_TENSOR', variant((f) => { f.tensors.push(f.tensors[1]!); })],
    ['a tensor of another shape', 'ERR_MODEL_TENSOR_SHAPE', variant((f) => { f.tensors[0]!.ne = [3, 128, 129]; })],
    ['a 1-D final conv bias of 2', 'ERR_MODEL_TENSOR_SHAPE', variant((f) => { const t = f.tensors.find((x) => x.name.endsWith('decoder.2.bias'))!; t.ne = [2]; t.data = new Uint8Array(8); })],
    ['a tensor no Silero VAD has', 'ERR_MODEL_TENSOR_SHAPE', variant((f) => { f.tensors[1]!.name = '_model.encoder.9.reparam_conv.bias'; })],
    ['5 dimensions', 'ERR_MODEL_TENSOR_SHAPE', variant((f) => { f.tensors[1]!.ne = [128, 1, 1, 1, 1]; })],
    ['an empty tensor name', 'ERR_MODEL_TENSOR_SHAPE', variant((f) => { f.tensors[1]!.name = ''; })],
    ['a quantized tensor (q8_0)', 'ERR_MODEL_UNSUPPORTED_TENSOR_TYPE', variant((f) => { f.tensors[0]!.type = 8; })],
    ['a tensor type no ggml has', 'ERR_MODEL_UNKNOWN_TENSOR_TYPE', variant((f) => { f.tensors[0]!.type = 99; })],
  ] as [string, string, Uint8Array][])('%s: %s', async (_, code, bytes) => {
    await expect(loadBytes(bytes)).rejects.toMatchObject({ name: 'AmanuensisError', code });
  });

  it('a Whisper model file by path: ERR_MODEL_BAD_HPARAMS from its header; a VAD header before megabytes of more: ERR_MODEL_TENSOR_SHAPE', async () => {
    await expect(Vad.load(SYNTHETIC_MODEL)).rejects.toMatchObject({ code: 'ERR_MODEL_BAD_HPARAMS' });
    const padded = join(dir, 'padded.bin');
    writeFileSync(padded, Buffer.concat([readFileSync(SILERO_VAD_MODEL), Buffer.alloc(5 << 20)]));
    await expect(Vad.load(padded)).rejects.toMatchObject({ code: 'ERR_MODEL_TENSOR_SHAPE' });
    // the same bytes in memory are read to the end: the zeros are a tensor record of 0 dimensions and an empty name
    await expect(loadBytes(readFileSync(padded))).rejects.toMatchObject({ code: 'ERR_MODEL_TENSOR_SHAPE' });
  });

  it('a missing path, a directory: ERR_MODEL_NOT_FOUND; a bad argument: ERR_INVALID_ARGUMENT', async () => {
    await expect(Vad.load(join(dir, 'absent.bin'))).rejects.toMatchObject({ code: 'ERR_MODEL_NOT_FOUND' });
    await expect(Vad.load(dir)).rejects.toMatchObject({ code: 'ERR_MODEL_NOT_FOUND' });
    await expect(Vad.load('')).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(Vad.load(42 as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(Vad.load(undefined, { threads: 0 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });

  it.each([Number.NaN, Infinity])('a weight that is %s: ERR_NUMERIC at load (not garbage probabilities later)', async (value) => {
    const bytes = variant((f) => {
      const t = f.tensors.find((x) => x.name === '_model.decoder.rnn.bias_hh')!;
      new DataView(t.data.buffer, t.data.byteOffset).setFloat32(0, value, true);
    });
    await expect(loadBytes(bytes)).rejects.toMatchObject({ code: 'ERR_NUMERIC' });
  });
});

/** IEEE binary16 bits to a number (test-side, independent of the native conversion). */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? Number.NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}
