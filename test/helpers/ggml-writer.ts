/**
 * Writes whisper.cpp GGML model files for tests: malformed variants of a real file and
 * small synthetic models. The layout is whisper.cpp's: magic, 11 int32 hparams, mel
 * filterbank, vocabulary, then tensors (n_dims, name length, type, ne[], name, data).
 */
import { readFileSync } from 'node:fs';

import { parseGgmlModel } from '../../src/model/ggml-loader.js';
import { SYNTHETIC_MODEL } from './shared.js';

export interface TensorSpec {
  name: string;
  type: number;
  ne: number[];
  data: Uint8Array;
}

export interface GgmlSpec {
  magic?: number;
  hparams: number[];
  filters: { nMels: number; nFreq: number; data: Float32Array };
  vocab: Uint8Array[];
  tensors: TensorSpec[];
}

/** The bytes before the tensors: magic, hparams, filterbank and vocabulary. */
export function ggmlHeaderBytes(spec: Omit<GgmlSpec, 'tensors'>): Buffer {
  const parts: Buffer[] = [];
  const i32 = (...v: number[]): void => {
    const b = Buffer.alloc(4 * v.length);
    v.forEach((x, i) => b.writeInt32LE(x, 4 * i));
    parts.push(b);
  };
  const u32 = (v: number): void => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0);
    parts.push(b);
  };
  u32(spec.magic ?? 0x67676d6c);
  i32(...spec.hparams);
  i32(spec.filters.nMels, spec.filters.nFreq);
  const f = Buffer.alloc(spec.filters.data.length * 4);
  spec.filters.data.forEach((v, i) => f.writeFloatLE(v, 4 * i));
  parts.push(f);
  i32(spec.vocab.length);
  for (const t of spec.vocab) {
    u32(t.length);
    parts.push(Buffer.from(t));
  }
  return Buffer.concat(parts);
}

/** One tensor's record: its header (n_dims, name length, type, ne[], name), then its data (not copied). */
export function ggmlTensorBytes(t: TensorSpec): Buffer[] {
  const name = Buffer.from(t.name, 'utf8');
  const head = Buffer.alloc(4 * (3 + t.ne.length));
  [t.ne.length, name.length, t.type, ...t.ne].forEach((x, i) => head.writeInt32LE(x, 4 * i));
  return [head, name, Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)];
}

export function writeGgml(spec: GgmlSpec): Buffer {
  return Buffer.concat([ggmlHeaderBytes(spec), ...spec.tensors.flatMap(ggmlTensorBytes)]);
}

/** An editable spec of a GGML file's bytes (tensor data are views into `bytes`). */
export function specOf(bytes: Buffer): GgmlSpec {
  const m = parseGgmlModel(bytes);
  const d = m.dims;
  const ftype = d.ftype + 1000 * m.quantizationVersion;
  return {
    hparams: [d.nVocab, d.nAudioCtx, d.nAudioState, d.nAudioHead, d.nAudioLayer, d.nTextCtx, d.nTextState, d.nTextHead, d.nTextLayer, d.nMels, ftype],
    filters: m.melFilters,
    vocab: [...m.vocab],
    tensors: m.tensors.map((t) => ({ name: t.name, type: t.type, ne: [...t.ne], data: bytes.subarray(t.offset, t.offset + t.nbytes) })),
  };
}

let cached: GgmlSpec | undefined;

/** The synthetic tiny.en model as an editable spec (tensor data are views into the file). */
export function syntheticSpec(): GgmlSpec {
  cached ??= specOf(readFileSync(SYNTHETIC_MODEL));
  const s = cached;
  return { ...s, hparams: [...s.hparams], vocab: [...s.vocab], tensors: s.tensors.map((t) => ({ ...t, ne: [...t.ne] })) };
}
