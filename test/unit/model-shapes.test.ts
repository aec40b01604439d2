/**
 * Every official Whisper shape (tiny to large-v3-turbo) through the loader: whisper.cpp's
 * header-only test files reproduced byte for byte by the generator, each shape's header parsed to
 * its dimensions and refused for having no tensors, and each shape's full tensor table (f16 and as
 * whisper.cpp's quantize tool lays out q5_0 and q8_0 files) accepted. The tables are sparse files:
 * the loader indexes them without their gigabytes of weights.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { assertSupportedTypes, indexModelFile, parseGgmlHeader, parseGgmlModel } from '../../src/model/ggml-loader.js';
import { Tokenizer } from '../../src/tokenizer/tokenizer.js';
import { Transcriber } from '../../src/transcriber.js';
import { readNpz } from '../helpers/npz.js';
import { MEL_FILTERS_NPZ } from '../helpers/shared.js';
import { makeHeaderOnlyModel, type QuantizedFileType, shapeDims, writeModelLayout } from '../helpers/synthetic-model.js';
import { WHISPER_SHAPES, type WhisperShapeName } from '../helpers/whisper-shapes.js';

const dir = mkdtempSync(join(tmpdir(), 'amanuensis-model-shapes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SHAPES = Object.keys(WHISPER_SHAPES) as WhisperShapeName[];

/**
 * sha256 of whisper.cpp's header-only test files (ggml-org/whisper.cpp `models/`):
 * magic, hparams (ftype 1), the 80-band filterbank and the vocabulary strings, no tensors.
 * `large` is the header of large-v1 and large-v2 alike.
 */
const WHISPER_CPP_HEADER_FILES: readonly { shape: WhisperShapeName; file: string; sha256: string }[] = [
  { shape: 'tiny.en', file: 'for-tests-ggml-tiny.en.bin', sha256: 'dd6b7796204a1cdf7164666423034e6e1a7a3e9f5c22327b4b7974c4584bd82d' },
  { shape: 'tiny', file: 'for-tests-ggml-tiny.bin', sha256: 'c486fb9f14a28b1c1dc252741a431646cc573450c900b9d9c406e10294aa01e6' },
  { shape: 'base.en', file: 'for-tests-ggml-base.en.bin', sha256: '1bc042ca584ff1895897e95bffb34ccf357be46c1fca97cf7fbe32f2060aa9e8' },
  { shape: 'base', file: 'for-tests-ggml-base.bin', sha256: 'ddf6ff3e5f9e0da794fee41652559af1efaa6118f3cc699f250991c515b6af2a' },
  { shape: 'small.en', file: 'for-tests-ggml-small.en.bin', sha256: '5618c8b3cf34b1fa4493789eb92c9ff68796fb789a58180a8c4b3fb5b28789e2' },
  { shape: 'small', file: 'for-tests-ggml-small.bin', sha256: 'e3cd79f6d818b13aea6427e0c56ca97d6d82274585efb8bd25187a37b944024b' },
  { shape: 'medium.en', file: 'for-tests-ggml-medium.en.bin', sha256: '52c051196f9b2737679722239bc7f649f4a3b0a84d418be0adfd7aed72480827' },
  { shape: 'medium', file: 'for-tests-ggml-medium.bin', sha256: 'f676437ddef445443e95fc77d88d59013e9f6dc05d25ebcbabd89abeefc5565b' },
  { shape: 'large-v1', file: 'for-tests-ggml-large.bin', sha256: 'bf987facca89f2d75a843d5467d91668fba5c23debf66a0644df53f0accf0cfb' },
  { shape: 'large-v2', file: 'for-tests-ggml-large.bin', sha256: 'bf987facca89f2d75a843d5467d91668fba5c23debf66a0644df53f0accf0cfb' },
];

function expectedDims(shape: WhisperShapeName, ftype: number): Record<string, number> {
  const s = WHISPER_SHAPES[shape];
  return {
    nVocab: s.nVocab, nAudioCtx: 1500, nAudioState: s.nState, nAudioHead: s.nHead, nAudioLayer: s.nAudioLayer,
    nTextCtx: 448, nTextState: s.nState, nTextHead: s.nHead, nTextLayer: s.nTextLayer, nMels: s.nMels, ftype,
  };
}

describe('header-only files of every official shape', () => {
  it.each(WHISPER_CPP_HEADER_FILES)('the generator writes whisper.cpp\'s $file byte for byte ($shape)', ({ shape, sha256 }) => {
    const bytes = makeHeaderOnlyModel(shapeDims(shape));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(sha256);
  });

  it.each(SHAPES)('%s: the header parses to the shape\'s dimensions, its vocabulary has the shape\'s special tokens, and loading refuses it with ERR_MODEL_NO_TENSORS', async (shape) => {
    const bytes = makeHeaderOnlyModel(shapeDims(shape));
    const header = parseGgmlHeader(bytes);
    expect(header.dims).toEqual(expectedDims(shape, 1));
    expect(header.tensorsOffset).toBe(bytes.length);
    expect(header.melFilters.data.length).toBe(WHISPER_SHAPES[shape].nMels * 201);
    const tok = Tokenizer.fromVocab(header.vocab, header.dims.nVocab);
    // 1501 timestamps end every vocabulary; large-v3's adds a 100th language (Cantonese)
    expect(tok.special.timestampBegin).toBe(header.dims.nVocab - 1501);
    expect(tok.multilingual).toBe(WHISPER_SHAPES[shape].nVocab > 51864);
    expect(tok.languageCodes.length).toBe(WHISPER_SHAPES[shape].nVocab === 51866 ? 100 : 99);
    expect(tok.languageToken('yue') !== undefined).toBe(WHISPER_SHAPES[shape].nVocab === 51866);
    expect(() => parseGgmlModel(bytes)).toThrow(expect.objectContaining({ code: 'ERR_MODEL_NO_TENSORS' }));
    const path = join(dir, `header-only-${shape}.bin`);
    writeFileSync(path, bytes);
    await expect(Transcriber.load(path)).rejects.toMatchObject({ code: 'ERR_MODEL_NO_TENSORS' });
  });

  it('large-v3 and large-v3-turbo carry openai\'s 128-band filterbank exactly', () => {
    const mel128 = readNpz(MEL_FILTERS_NPZ).mel_128!.data;
    for (const shape of ['large-v3', 'large-v3-turbo'] as const) {
      expect(parseGgmlHeader(makeHeaderOnlyModel(shapeDims(shape))).melFilters.data).toEqual(mel128);
    }
  });
});

describe('the full tensor table of every official shape', () => {
  const layouts: readonly { type: 'f16' | QuantizedFileType; ftype: number }[] = [{ type: 'f16', ftype: 1 }, { type: 'q5_0', ftype: 8 }, { type: 'q8_0', ftype: 7 }];

  it.each(SHAPES.flatMap((shape) => layouts.map((l) => ({ shape, ...l }))))('$shape $type: indexed from disk with the shape\'s dimensions and every tensor, of types amanuensis computes with', async ({ shape, type, ftype }) => {
    const s = WHISPER_SHAPES[shape];
    const path = join(dir, `${shape}-${type}.bin`);
    const size = writeModelLayout(path, shapeDims(shape), type === 'f16' ? undefined : type);
    try {
      const m = await indexModelFile(path);
      expect(m.dims).toEqual(expectedDims(shape, ftype));
      expect(m.quantizationVersion).toBe(type === 'f16' ? 0 : 2);
      expect(m.fileSize).toBe(size);
      // positional embedding, conv weights and biases, 15 per encoder block, ln_post; positional and token embeddings, 24 per decoder block, ln
      expect(m.tensors.length).toBe(5 + 15 * s.nAudioLayer + 2 + 2 + 24 * s.nTextLayer + 2);
      expect(m.tensors.find((t) => t.name === 'decoder.token_embedding.weight')!.ne).toEqual([s.nState, s.nVocab]);
      expect(m.tensors.find((t) => t.name === 'encoder.conv1.weight')!.ne).toEqual([3, s.nMels, s.nState]);
      expect(() => assertSupportedTypes(m)).not.toThrow();
    } finally {
      rmSync(path);
    }
  });
});
