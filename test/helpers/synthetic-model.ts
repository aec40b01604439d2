/**
 * Synthetic Whisper models with random weights, in GGML format, for fast tests and for
 * benchmarks at other dimensions (every official shape: test/helpers/whisper-shapes.ts). Weights
 * follow the shared tiny.en synthetic model's recipe: linear weights N(0, 1/fan_in), token
 * embedding N(0, 0.15^2), norms 1 and biases small; 1-D tensors, conv biases and positional
 * embeddings f32, the rest f16. The filterbank and vocabulary are the real ones: whisper.cpp's
 * header-only test files carry both (the shared synthetic tiny.en has the very bytes of
 * `for-tests-ggml-tiny.en.bin` between its hparams and its tensors), and openai's `mel_128` for
 * 128-band models. Deterministic: the same dimensions and seed give the same bytes.
 */
import { closeSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';

import { parseGgmlHeader } from '../../src/model/ggml-loader.js';
import { type GgmlSpec, ggmlHeaderBytes, ggmlTensorBytes, type TensorSpec } from './ggml-writer.js';
import { readNpz } from './npz.js';
import { HEADER_ONLY_EN, HEADER_ONLY_MULTI, MEL_FILTERS_NPZ } from './shared.js';
import { WHISPER_SHAPES, type WhisperShapeName } from './whisper-shapes.js';

export interface SyntheticDims {
  nState: number;
  nHead: number;
  nAudioLayer: number;
  nTextLayer: number;
  /** 0 = all f32, 1 = matrices f16. */
  ftype?: 0 | 1;
  seed?: number;
  /** Another mel filterbank (e.g. openai's 128-band one for large-v3); default the shared model's 80 bands. */
  filters?: { nMels: number; nFreq: number; data: Float32Array };
  /** A multilingual model (51865 tokens, whisper.cpp's multilingual vocabulary, language tokens); default English-only. */
  multilingual?: boolean;
  /** The vocabulary size, overriding `multilingual`: 51864 English-only, 51865 multilingual, 51866 large-v3's (the same stored strings, one more language). */
  nVocab?: 51864 | 51865 | 51866;
}

/** Every official model has these contexts (30 s of audio frames after the stride-2 conv; 448 text positions). */
const N_AUDIO_CTX = 1500;
const N_TEXT_CTX = 448;

/** A synthetic model of an official shape (`WHISPER_SHAPES`), with openai's 128-band filterbank where the shape has 128 mels. */
export function shapeDims(name: WhisperShapeName, options: { ftype?: 0 | 1; seed?: number } = {}): SyntheticDims {
  const s = WHISPER_SHAPES[name];
  const filters = s.nMels === 128 ? melFilters128() : undefined;
  return { nState: s.nState, nHead: s.nHead, nAudioLayer: s.nAudioLayer, nTextLayer: s.nTextLayer, nVocab: s.nVocab, filters, ...options };
}

/** openai/whisper's `mel_128` filterbank (assets/mel_filters.npz), [128, 201]. */
export function melFilters128(): { nMels: number; nFreq: number; data: Float32Array } {
  const mel = readNpz(MEL_FILTERS_NPZ).mel_128!;
  return { nMels: mel.shape[0]!, nFreq: mel.shape[1]!, data: mel.data };
}

function gaussian(seed: number): () => number {
  let s = seed >>> 0 || 1;
  const uniform = (): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

function f32Data(values: Float32Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

function f16Data(values: Float32Array): Uint8Array {
  const out = new Uint16Array(values.length);
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  for (let i = 0; i < values.length; i++) {
    const x = bits[i]!;
    const sign = (x >>> 16) & 0x8000;
    let exp = ((x >>> 23) & 0xff) - 127 + 15;
    let mant = x & 0x7fffff;
    let h: number;
    if (exp <= 0) h = sign; // tiny values flush to zero: fine for random weights
    else if (exp >= 31) h = sign | 0x7c00;
    else {
      mant += 0x1000; // round to nearest
      if (mant & 0x800000) { mant = 0; exp += 1; }
      h = exp >= 31 ? sign | 0x7c00 : sign | (exp << 10) | (mant >>> 13);
    }
    out[i] = h;
  }
  return new Uint8Array(out.buffer);
}

const headerFiles = new Map<string, ReturnType<typeof parseGgmlHeader>>();

function headerOnly(path: string): ReturnType<typeof parseGgmlHeader> {
  let h = headerFiles.get(path);
  if (h === undefined) headerFiles.set(path, (h = parseGgmlHeader(readFileSync(path))));
  return h;
}

function nVocabOf(dims: SyntheticDims): number {
  return dims.nVocab ?? (dims.multilingual === true ? 51865 : 51864);
}

/** Magic, hparams, filterbank and vocabulary of a model with these dimensions. */
function headerSpec(dims: SyntheticDims): Omit<GgmlSpec, 'tensors'> {
  const nVocab = nVocabOf(dims);
  // whisper.cpp's header-only test files: the English and the multilingual vocabulary (large-v3 stores the multilingual strings too)
  const source = headerOnly(nVocab === 51864 ? HEADER_ONLY_EN : HEADER_ONLY_MULTI);
  const filters = dims.filters ?? source.melFilters;
  const n = dims.nState;
  return {
    hparams: [nVocab, N_AUDIO_CTX, n, dims.nHead, dims.nAudioLayer, N_TEXT_CTX, n, dims.nHead, dims.nTextLayer, filters.nMels, dims.ftype ?? 1],
    filters,
    vocab: [...source.vocab],
  };
}

/**
 * The header of a model with these dimensions and no tensors: the layout of whisper.cpp's
 * `models/for-tests-ggml-*.bin` (with ftype 1, 80 mels and the shapes of base, small, medium or
 * large it reproduces those files byte for byte).
 */
export function makeHeaderOnlyModel(dims: SyntheticDims): Buffer {
  return ggmlHeaderBytes(headerSpec(dims));
}

type Kind = 'matrix' | 'vector' | 'embedding' | 'ones' | 'pos';

/** One tensor of the layout: name, ggml shape, how its values are drawn, and the fan-in of a matrix. */
interface TensorLayout {
  readonly name: string;
  readonly ne: number[];
  readonly kind: Kind;
  readonly fanIn: number;
}

/** The tensors of a Whisper model of these dimensions, in whisper.cpp's converter order. */
function* tensorLayout(dims: SyntheticDims): Generator<TensorLayout> {
  const nVocab = nVocabOf(dims);
  const nMels = (dims.filters ?? headerOnly(HEADER_ONLY_EN).melFilters).nMels;
  const n = dims.nState;
  const t = (name: string, ne: number[], kind: Kind, fanIn = 1): TensorLayout => ({ name, ne, kind, fanIn });
  function* linear(p: string, out: number, inp: number, bias = true): Generator<TensorLayout> {
    yield t(`${p}.weight`, [inp, out], 'matrix', inp);
    if (bias) yield t(`${p}.bias`, [out], 'vector');
  }
  function* norm(p: string): Generator<TensorLayout> {
    yield t(`${p}.weight`, [n], 'ones');
    yield t(`${p}.bias`, [n], 'vector');
  }
  function* attention(p: string): Generator<TensorLayout> {
    yield* linear(`${p}.query`, n, n);
    yield* linear(`${p}.key`, n, n, false);
    yield* linear(`${p}.value`, n, n);
    yield* linear(`${p}.out`, n, n);
  }
  yield t('encoder.positional_embedding', [n, N_AUDIO_CTX], 'pos');
  yield t('encoder.conv1.weight', [3, nMels, n], 'matrix', 3 * nMels);
  yield t('encoder.conv1.bias', [1, n], 'vector');
  yield t('encoder.conv2.weight', [3, n, n], 'matrix', 3 * n);
  yield t('encoder.conv2.bias', [1, n], 'vector');
  for (let i = 0; i < dims.nAudioLayer; i++) {
    const p = `encoder.blocks.${i}`;
    yield* norm(`${p}.attn_ln`);
    yield* attention(`${p}.attn`);
    yield* norm(`${p}.mlp_ln`);
    yield* linear(`${p}.mlp.0`, 4 * n, n);
    yield* linear(`${p}.mlp.2`, n, 4 * n);
  }
  yield* norm('encoder.ln_post');
  yield t('decoder.positional_embedding', [n, N_TEXT_CTX], 'pos');
  yield t('decoder.token_embedding.weight', [n, nVocab], 'embedding');
  for (let i = 0; i < dims.nTextLayer; i++) {
    const p = `decoder.blocks.${i}`;
    yield* norm(`${p}.attn_ln`);
    yield* attention(`${p}.attn`);
    yield* norm(`${p}.cross_attn_ln`);
    yield* attention(`${p}.cross_attn`);
    yield* norm(`${p}.mlp_ln`);
    yield* linear(`${p}.mlp.0`, 4 * n, n);
    yield* linear(`${p}.mlp.2`, n, 4 * n);
  }
  yield* norm('decoder.ln');
}

/** Whether the generator stores this tensor in f16 (ftype 1): matrices, conv weights and the token embedding. */
function storedHalf(l: TensorLayout, ftype: 0 | 1): boolean {
  return ftype === 1 && (l.kind === 'matrix' || l.kind === 'embedding') && l.ne.length > 1;
}

/** The tensors with their random values, each made only when asked for (a large model's weights never sit in memory together). */
function* syntheticTensors(dims: SyntheticDims): Generator<TensorSpec> {
  const ftype = dims.ftype ?? 1;
  const rand = gaussian(dims.seed ?? 1);
  for (const l of tensorLayout(dims)) {
    const count = l.ne.reduce((a, b) => a * b, 1);
    const v = new Float32Array(count);
    const scale = l.kind === 'embedding' ? 0.15 : 0.02;
    const root = Math.sqrt(l.fanIn);
    for (let i = 0; i < count; i++) v[i] = l.kind === 'ones' ? 1 : l.kind === 'matrix' ? rand() / root : scale * rand();
    const half = storedHalf(l, ftype);
    yield { name: l.name, type: half ? 1 : 0, ne: l.ne, data: half ? f16Data(v) : f32Data(v) };
  }
}

/** ggml's 32-element block types as whisper.cpp's quantize tool writes them: ggml_type and bytes per block. */
const QUANT_BLOCKS = { q4_0: [2, 18], q4_1: [3, 20], q5_0: [6, 22], q5_1: [7, 24], q8_0: [8, 34] } as const;

/** A type whisper.cpp's quantize tool makes: `ftype` (header) is its whisper.cpp file type. */
export type QuantizedFileType = keyof typeof QUANT_BLOCKS;
const QUANT_FTYPE: Record<QuantizedFileType, number> = { q4_0: 2, q4_1: 3, q5_0: 8, q5_1: 9, q8_0: 7 };

/**
 * Writes the file layout of a model with these dimensions without its weights: header and every
 * tensor record, each tensor's data left as a hole of the right size (a sparse file: a large-v3
 * takes its 3 GB of address but no disk). With `quantized`, the types and header ftype are what
 * whisper.cpp's quantize tool writes (every 2-D weight in blocks, conv weights f16, the rest
 * f32); otherwise those of the f16 generator. For the loader's table checks; the weights read as zeros.
 * @returns the file's size in bytes
 */
export function writeModelLayout(path: string, dims: SyntheticDims, quantized?: QuantizedFileType): number {
  const ftype = quantized === undefined ? (dims.ftype ?? 1) : 2000 + QUANT_FTYPE[quantized];
  const header = ggmlHeaderBytes(headerSpec({ ...dims, ftype: 1 }));
  header.writeInt32LE(ftype, 4 + 10 * 4);
  const fd = openSync(path, 'w');
  let at = 0;
  try {
    const put = (b: Uint8Array): void => {
      writeSync(fd, b, 0, b.length, at);
      at += b.length;
    };
    put(header);
    for (const l of tensorLayout(dims)) {
      const count = l.ne.reduce((a, b) => a * b, 1);
      const weight = l.ne.length === 2 && l.name.endsWith('.weight');
      const [type, nbytes] = quantized !== undefined && weight
        ? [QUANT_BLOCKS[quantized][0], (count / 32) * QUANT_BLOCKS[quantized][1]]
        : storedHalf(l, quantized === undefined ? (dims.ftype ?? 1) : 1) ? [1, 2 * count] : [0, 4 * count];
      const [head, name] = ggmlTensorBytes({ name: l.name, type, ne: l.ne, data: new Uint8Array(0) });
      put(head!);
      put(name!);
      at += nbytes;
    }
    ftruncateSync(fd, at);
  } finally {
    closeSync(fd);
  }
  return at;
}

/** A GGML file of a Whisper model with the given dimensions and the real filterbank and vocabulary. */
export function makeSyntheticModel(dims: SyntheticDims): Buffer {
  const parts = [ggmlHeaderBytes(headerSpec(dims))];
  for (const t of syntheticTensors(dims)) parts.push(...ggmlTensorBytes(t));
  return Buffer.concat(parts);
}

/**
 * Writes the same bytes as {@link makeSyntheticModel} to `path`, one tensor at a time, so that a
 * large model (large-v3 f16: about 3 GB) never sits in memory whole. Returns the bytes written.
 */
export function writeSyntheticModel(path: string, dims: SyntheticDims): number {
  const fd = openSync(path, 'w');
  let written = 0;
  try {
    const put = (b: Uint8Array): void => {
      for (let at = 0; at < b.length;) at += writeSync(fd, b, at, Math.min(b.length - at, 1 << 30));
      written += b.length;
    };
    put(ggmlHeaderBytes(headerSpec(dims)));
    for (const t of syntheticTensors(dims)) ggmlTensorBytes(t).forEach(put);
  } finally {
    closeSync(fd);
  }
  return written;
}
