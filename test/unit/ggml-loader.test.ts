import { readFileSync } from 'node:fs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { AmanuensisError } from '../../src/errors.js';
import { assertSupportedTypes, indexModelFile, parseGgmlHeader, parseGgmlModel } from '../../src/model/ggml-loader.js';
import { modelIdentity } from '../../src/model/model-identity.js';
import { Tokenizer } from '../../src/tokenizer/tokenizer.js';
import { Transcriber } from '../../src/transcriber.js';
import { syntheticSpec, writeGgml } from '../helpers/ggml-writer.js';
import { HEADER_ONLY_EN, HEADER_ONLY_MULTI, SYNTHETIC_MODEL } from '../helpers/shared.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AmanuensisError);
    return (err as AmanuensisError).code;
  }
  return undefined;
}

describe('1. reading real whisper.cpp files', () => {
  it('parses the synthetic tiny.en model: hparams, filterbank, vocabulary, 167 tensors', () => {
    const m = parseGgmlModel(readFileSync(SYNTHETIC_MODEL));
    expect(m.dims).toEqual({
      nVocab: 51864, nAudioCtx: 1500, nAudioState: 384, nAudioHead: 6, nAudioLayer: 4,
      nTextCtx: 448, nTextState: 384, nTextHead: 6, nTextLayer: 4, nMels: 80, ftype: 1,
    });
    expect(m.melFilters.nMels).toBe(80);
    expect(m.melFilters.nFreq).toBe(201);
    expect(m.vocab.length).toBe(50257);
    // 2 conv + 2 conv bias + pos + ln_post(2) + 4 enc blocks * 15 + dec pos + tok emb + ln(2) + 4 dec blocks * 24
    expect(m.tensors.length).toBe(5 + 2 + 4 * 15 + 2 + 2 + 4 * 24);
    const last = m.tensors[m.tensors.length - 1]!;
    expect(last.offset + last.nbytes).toBe(m.fileSize);
    expect(m.tensors.find((t) => t.name === 'encoder.conv1.bias')!.ne).toEqual([1, 384]);
    expect(m.tensors.find((t) => t.name === 'decoder.token_embedding.weight')).toMatchObject({ type: 1, ne: [384, 51864] });
  });

  it('reads the header of whisper.cpp\'s own header-only files and refuses them for having no tensors', () => {
    for (const [file, nVocab, eot] of [[HEADER_ONLY_EN, 51864, 50256], [HEADER_ONLY_MULTI, 51865, 50257]] as const) {
      const bytes = readFileSync(file);
      const header = parseGgmlHeader(bytes);
      expect(header.dims.nVocab).toBe(nVocab);
      expect(header.dims.nAudioState).toBe(384);
      expect(header.melFilters.data.length).toBe(80 * 201);
      expect(header.tensorsOffset).toBe(bytes.length);
      // the stored vocabulary decodes: a tokenizer over it knows its special tokens
      const tok = Tokenizer.fromVocab(header.vocab, header.dims.nVocab);
      expect(tok.special.eot).toBe(eot);
      expect(tok.decode(tok.encode(' And so my fellow Americans'))).toBe(' And so my fellow Americans');
      expect(codeOf(() => parseGgmlModel(bytes))).toBe('ERR_MODEL_NO_TENSORS');
    }
  });

  it('indexing the file on disk (tensor data skipped) gives the same table and identity as parsing it in memory', async () => {
    const bytes = readFileSync(SYNTHETIC_MODEL);
    const inMemory = parseGgmlModel(bytes);
    const indexed = await indexModelFile(SYNTHETIC_MODEL);
    expect(indexed.tensors).toEqual(inMemory.tensors);
    expect(indexed.dims).toEqual(inMemory.dims);
    expect(indexed.vocab).toEqual(inMemory.vocab);
    expect(indexed.identity).toBe(modelIdentity(inMemory, (o, n) => bytes.subarray(o, o + n)));
    await expect(indexModelFile(HEADER_ONLY_EN)).rejects.toMatchObject({ code: 'ERR_MODEL_NO_TENSORS' });
  });

  it('Transcriber.load refuses a header-only file with ERR_MODEL_NO_TENSORS', async () => {
    await expect(Transcriber.load(HEADER_ONLY_EN)).rejects.toMatchObject({ code: 'ERR_MODEL_NO_TENSORS' });
  });

  it('Transcriber.load refuses a missing file with ERR_MODEL_NOT_FOUND', async () => {
    await expect(Transcriber.load(join(tmpdir(), 'no-such-model.bin'))).rejects.toMatchObject({ code: 'ERR_MODEL_NOT_FOUND' });
  });
});

describe('2. malformed files get specific codes', () => {
  it('wrong magic', () => {
    const spec = syntheticSpec();
    expect(codeOf(() => parseGgmlModel(writeGgml({ ...spec, magic: 0x46554747 })))).toBe('ERR_MODEL_BAD_MAGIC');
    expect(codeOf(() => parseGgmlModel(Buffer.from('RIFF....WAVEfmt ')))).toBe('ERR_MODEL_BAD_MAGIC');
  });

  it('truncated anywhere: in the magic, the hparams, the filterbank, the vocabulary, a tensor header or tensor data', () => {
    const bytes = readFileSync(SYNTHETIC_MODEL);
    const m = parseGgmlModel(bytes);
    const firstTensor = m.tensors[0]!;
    const cuts = [0, 2, 4 + 20, 48 + 4, 48 + 8 + 1000, 48 + 8 + 80 * 201 * 4 + 10, firstTensor.offset - 3, firstTensor.offset + 100, bytes.length - 1];
    for (const cut of cuts) {
      expect(codeOf(() => parseGgmlModel(bytes.subarray(0, cut))), `cut at ${cut}`).toBe('ERR_MODEL_TRUNCATED');
    }
  });

  it('unknown tensor type', () => {
    const spec = syntheticSpec();
    spec.tensors[3]!.type = 99;
    expect(codeOf(() => parseGgmlModel(writeGgml(spec)))).toBe('ERR_MODEL_UNKNOWN_TENSOR_TYPE');
  });

  it('a quantized tensor in a file whose header gives no quantization version (an f16 ftype) parses, then is refused', () => {
    const spec = syntheticSpec();
    const t = spec.tensors.find((x) => x.name === 'encoder.blocks.0.mlp.0.weight')!;
    // Q8_0: blocks of 32 values in 34 bytes
    t.type = 8;
    t.data = new Uint8Array((t.ne[0]! * t.ne[1]! / 32) * 34);
    const m = parseGgmlModel(writeGgml(spec));
    expect(codeOf(() => assertSupportedTypes(m))).toBe('ERR_MODEL_UNSUPPORTED_TENSOR_TYPE');
  });

  it('missing tensor', () => {
    const spec = syntheticSpec();
    spec.tensors = spec.tensors.filter((t) => t.name !== 'decoder.blocks.2.cross_attn.value.bias');
    expect(codeOf(() => parseGgmlModel(writeGgml(spec)))).toBe('ERR_MODEL_MISSING_TENSOR');
  });

  it('mis-shaped tensor (data size kept consistent)', () => {
    const spec = syntheticSpec();
    const t = spec.tensors.find((x) => x.name === 'encoder.blocks.1.attn.query.weight')!;
    t.ne = [192, 768];
    expect(codeOf(() => parseGgmlModel(writeGgml(spec)))).toBe('ERR_MODEL_TENSOR_SHAPE');
  });

  it('a tensor that belongs to no Whisper model, and a duplicated tensor', () => {
    const extra = syntheticSpec();
    extra.tensors.push({ name: 'encoder.blocks.9.attn.query.bias', type: 0, ne: [384], data: new Uint8Array(384 * 4) });
    expect(codeOf(() => parseGgmlModel(writeGgml(extra)))).toBe('ERR_MODEL_TENSOR_SHAPE');
    const dup = syntheticSpec();
    dup.tensors.push(dup.tensors[5]!);
    expect(codeOf(() => parseGgmlModel(writeGgml(dup)))).toBe('ERR_MODEL_DUPLICATE_TENSOR');
  });

  it('absurd or inconsistent dimensions', () => {
    const cases: [number, number][] = [[3, 0], [3, 7], [1, -5], [0, 2_000_000_000], [9, 100_000], [2, 512]];
    for (const [field, value] of cases) {
      const spec = syntheticSpec();
      spec.hparams[field] = value;
      expect(codeOf(() => parseGgmlModel(writeGgml(spec))), `hparam ${field} = ${value}`).toBe('ERR_MODEL_BAD_HPARAMS');
    }
  });

  it('a tensor with an absurd rank or name length', () => {
    const spec = syntheticSpec();
    const bytes = writeGgml(spec);
    const m = parseGgmlModel(bytes);
    const headerAt = m.tensors[0]!.offset - 4 * 3 - 4 * 2 - 'encoder.positional_embedding'.length;
    const rank = Buffer.from(bytes);
    rank.writeInt32LE(9, headerAt);
    expect(codeOf(() => parseGgmlModel(rank))).toBe('ERR_MODEL_TENSOR_SHAPE');
    const name = Buffer.from(bytes);
    name.writeInt32LE(1 << 30, headerAt + 4);
    expect(codeOf(() => parseGgmlModel(name))).toBe('ERR_MODEL_TENSOR_SHAPE');
  });

  it('Transcriber.load reports the same codes for files on disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'amanuensis-'));
    const spec = syntheticSpec();
    spec.tensors.pop();
    const path = join(dir, 'missing.bin');
    writeFileSync(path, writeGgml(spec));
    await expect(Transcriber.load(path)).rejects.toMatchObject({ code: 'ERR_MODEL_MISSING_TENSOR' });
    const truncated = join(dir, 'truncated.bin');
    writeFileSync(truncated, readFileSync(SYNTHETIC_MODEL).subarray(0, 5_000_000));
    await expect(Transcriber.load(truncated)).rejects.toMatchObject({ code: 'ERR_MODEL_TRUNCATED' });
  });
});
