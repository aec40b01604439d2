/**
 * Reading quantized whisper.cpp files: the q8_0 and q5_1 files of whisper.cpp's own quantize
 * tool are accepted as they are, and malformed or unsupported quantized files are refused with
 * their codes, from memory and from disk alike.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { AmanuensisError } from '../../src/errors.js';
import { assertSupportedTypes, parseGgmlModel } from '../../src/model/ggml-loader.js';
import { Transcriber } from '../../src/transcriber.js';
import { specOf, syntheticSpec, writeGgml } from '../helpers/ggml-writer.js';
import { SYNTHETIC_MODEL_Q5_1, SYNTHETIC_MODEL_Q8_0 } from '../helpers/shared.js';
import { makeSyntheticModel } from '../helpers/synthetic-model.js';

function errorOf(fn: () => unknown): AmanuensisError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AmanuensisError);
    return err as AmanuensisError;
  }
  throw new Error('no error thrown');
}

const dir = mkdtempSync(join(tmpdir(), 'amanuensis-quantized-'));

function onDisk(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe('quantized model files', () => {
  it.each([
    { weights: 'q8_0', file: SYNTHETIC_MODEL_Q8_0, ftype: 7, type: 8, blockBytes: 34 },
    { weights: 'q5_1', file: SYNTHETIC_MODEL_Q5_1, ftype: 9, type: 7, blockBytes: 24 },
  ])('reads the $weights file of whisper.cpp\'s quantize tool: ftype modulo 1000, each tensor\'s own type and block-sized data', ({ file, ftype, type, blockBytes }) => {
    const m = parseGgmlModel(readFileSync(file));
    expect(m.dims.ftype).toBe(ftype);
    expect(m.quantizationVersion).toBe(2);
    const byName = new Map(m.tensors.map((t) => [t.name, t]));
    // every 2-D weight quantized, the token embedding included; conv weights f16; vectors and positions f32
    expect(byName.get('decoder.token_embedding.weight')!.type).toBe(type);
    expect(byName.get('decoder.token_embedding.weight')!.nbytes).toBe((51864 * 384 / 32) * blockBytes);
    expect(byName.get('encoder.blocks.3.mlp.2.weight')!.type).toBe(type);
    expect(byName.get('encoder.conv2.weight')!.type).toBe(1);
    expect(byName.get('decoder.positional_embedding')!.type).toBe(0);
    expect(byName.get('decoder.ln.bias')!.type).toBe(0);
    const last = m.tensors[m.tensors.length - 1]!;
    expect(last.offset + last.nbytes).toBe(m.fileSize);
    expect(() => assertSupportedTypes(m)).not.toThrow();
  });

  it('a quantized weight whose rows are not a whole number of 32-element blocks: ERR_MODEL_TENSOR_SHAPE naming the row length and type', async () => {
    // a model 48 wide: every weight row has 48 or 192 elements
    const spec = specOf(makeSyntheticModel({ nState: 48, nHead: 1, nAudioLayer: 1, nTextLayer: 1 }));
    const t = spec.tensors.find((x) => x.name === 'encoder.blocks.0.mlp.0.weight')!;
    expect(t.ne).toEqual([48, 192]);
    t.type = 8;
    t.data = new Uint8Array((48 * 192 / 32) * 34);
    const bytes = writeGgml(spec);
    const err = errorOf(() => parseGgmlModel(bytes));
    expect(err.code).toBe('ERR_MODEL_TENSOR_SHAPE');
    expect(err.message).toMatch(/encoder\.blocks\.0\.mlp\.0\.weight.*row length 48.*Q8_0 block size 32/);
    await expect(Transcriber.load(onDisk('rows48.bin', bytes))).rejects.toMatchObject({ code: 'ERR_MODEL_TENSOR_SHAPE' });
  });

  it('a quantized tensor cut short by the end of the file: ERR_MODEL_TRUNCATED naming it', async () => {
    const bytes = readFileSync(SYNTHETIC_MODEL_Q5_1);
    const t = parseGgmlModel(bytes).tensors.find((x) => x.type === 7)!;
    // one byte short of the tensor's last block
    const cut = bytes.subarray(0, t.offset + t.nbytes - 1);
    const err = errorOf(() => parseGgmlModel(cut));
    expect(err.code).toBe('ERR_MODEL_TRUNCATED');
    expect(err.message).toContain(t.name);
    await expect(Transcriber.load(onDisk('cut.bin', cut))).rejects.toMatchObject({ code: 'ERR_MODEL_TRUNCATED' });
  });

  it.each([
    { type: 12, name: 'Q4_K', bytes: (1536 * 384 / 256) * 144 },
    { type: 14, name: 'Q6_K', bytes: (1536 * 384 / 256) * 210 },
    { type: 30, name: 'BF16', bytes: 1536 * 384 * 2 },
  ])('a $name tensor parses, then is refused with ERR_MODEL_UNSUPPORTED_TENSOR_TYPE naming $name', async ({ type, name, bytes }) => {
    const spec = syntheticSpec();
    // rows of 1536 elements: six 256-element K-quant super-blocks
    const t = spec.tensors.find((x) => x.name === 'encoder.blocks.1.mlp.2.weight')!;
    expect(t.ne).toEqual([1536, 384]);
    t.type = type;
    t.data = new Uint8Array(bytes);
    const file = writeGgml(spec);
    const err = errorOf(() => assertSupportedTypes(parseGgmlModel(file)));
    expect(err.code).toBe('ERR_MODEL_UNSUPPORTED_TENSOR_TYPE');
    expect(err.message).toContain(`'encoder.blocks.1.mlp.2.weight' is ${name}`);
    await expect(Transcriber.load(onDisk(`${name}.bin`, file))).rejects.toMatchObject({
      code: 'ERR_MODEL_UNSUPPORTED_TENSOR_TYPE', message: expect.stringContaining(name),
    });
  });

  it('quantized tensors of another block layout version than 2 (header ftype 1007, or an f16 header): refused', () => {
    const spec = specOf(readFileSync(SYNTHETIC_MODEL_Q8_0));
    spec.hparams[10] = 1007;
    const err = errorOf(() => assertSupportedTypes(parseGgmlModel(writeGgml(spec))));
    expect(err.code).toBe('ERR_MODEL_UNSUPPORTED_TENSOR_TYPE');
    expect(err.message).toMatch(/Q8_0 in quantization format version 1/);
    spec.hparams[10] = 1;
    expect(errorOf(() => assertSupportedTypes(parseGgmlModel(writeGgml(spec)))).message).toMatch(/version 0/);
  });
});
