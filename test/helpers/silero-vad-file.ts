/**
 * Reads and writes whisper.cpp's GGML Silero VAD files for tests (layout: magic, model type
 * length and bytes, version, 19 int32 hyperparameters, then tensor records n_dims, name length,
 * type, ne[], name, data until the end of the file), so tests can write malformed variants and
 * other layouts of the real file. Independent of the native reader under test.
 */
import { readFileSync } from 'node:fs';

import { SILERO_GOLDEN_DIR } from './shared.js';

export interface VadTensor {
  name: string;
  type: number;
  ne: number[];
  data: Uint8Array;
}

export interface VadFile {
  magic: number;
  modelType: string;
  version: number[];
  /** window, context, n layers, (in, out, kernel) per layer, LSTM in, LSTM hidden, final in, final out. */
  hparams: number[];
  tensors: VadTensor[];
}

export function readVadFile(path: string): VadFile {
  const b = readFileSync(path);
  let at = 0;
  const i32 = (): number => {
    const v = b.readInt32LE(at);
    at += 4;
    return v;
  };
  const magic = b.readUInt32LE(0);
  at = 4;
  const typeLength = i32();
  const modelType = b.toString('utf8', at, at + typeLength);
  at += typeLength;
  const version = [i32(), i32(), i32()];
  const hparams: number[] = [];
  for (let i = 0; i < 3; i++) hparams.push(i32());
  for (let i = 0; i < 3 * hparams[2]! + 4; i++) hparams.push(i32());
  const tensors: VadTensor[] = [];
  while (at < b.length) {
    const nDims = i32();
    const nameLength = i32();
    const type = i32();
    const ne = Array.from({ length: nDims }, i32);
    const name = b.toString('utf8', at, at + nameLength);
    at += nameLength;
    const bytes = ne.reduce((n, e) => n * e, 1) * (type === 1 ? 2 : 4);
    tensors.push({ name, type, ne, data: new Uint8Array(b.subarray(at, at + bytes)) });
    at += bytes;
  }
  return { magic, modelType, version, hparams, tensors };
}

export function writeVadFile(f: VadFile): Buffer {
  const parts: Buffer[] = [];
  const i32 = (...v: number[]): void => {
    const b = Buffer.alloc(4 * v.length);
    v.forEach((x, i) => b.writeInt32LE(x, 4 * i));
    parts.push(b);
  };
  const magic = Buffer.alloc(4);
  magic.writeUInt32LE(f.magic >>> 0);
  parts.push(magic);
  const type = Buffer.from(f.modelType, 'utf8');
  i32(type.length);
  parts.push(type);
  i32(...f.version, ...f.hparams);
  for (const t of f.tensors) {
    const name = Buffer.from(t.name, 'utf8');
    i32(t.ne.length, name.length, t.type, ...t.ne);
    parts.push(name, Buffer.from(t.data));
  }
  return Buffer.concat(parts);
}

/** probs.f32 of the Silero golden set: the float64 reference's per-frame probabilities on jfk.wav. */
export function sileroGoldenProbabilities(): Float32Array {
  const b = readFileSync(`${SILERO_GOLDEN_DIR}/probs.f32`);
  return Float32Array.from({ length: b.length / 4 }, (_, i) => b.readFloatLE(4 * i));
}

export interface SileroGoldenSegments {
  params: { threshold: number; min_speech_duration_ms: number; max_speech_duration_s: number | null; min_silence_duration_ms: number; speech_pad_ms: number; neg_threshold: number };
  segments: { start: number; end: number; start_s: number; end_s: number }[];
}

/** meta.json of the Silero golden set. */
export function sileroGoldenMeta(): {
  n_frames: number;
  audio: { n_samples: number };
  segments: { silero_defaults: SileroGoldenSegments; faster_whisper_defaults: SileroGoldenSegments };
} {
  return JSON.parse(readFileSync(`${SILERO_GOLDEN_DIR}/meta.json`, 'utf8'));
}

/** A golden parameter set as speech segment options. */
export function goldenOptions(p: SileroGoldenSegments['params']): {
  threshold: number; negThreshold: number; minSpeechDurationMs: number; maxSpeechDurationS: number; minSilenceDurationMs: number; speechPadMs: number;
} {
  return {
    threshold: p.threshold, negThreshold: p.neg_threshold, minSpeechDurationMs: p.min_speech_duration_ms,
    maxSpeechDurationS: p.max_speech_duration_s ?? Infinity, minSilenceDurationMs: p.min_silence_duration_ms, speechPadMs: p.speech_pad_ms,
  };
}
