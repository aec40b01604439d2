/**
 * Synthetic Whisper models with random weights, in GGML format, for fast tests and for
 * benchmarks at other dimensions (e.g. base: 512 wide, 8 heads, 6 + 6 layers). Weights
 * follow the shared tiny.en synthetic model's recipe: linear weights N(0, 1/fan_in), token
 * embedding N(0, 0.15^2), norms 1 and biases small; 1-D tensors, conv biases and positional
 * embeddings f32, the rest f16.
 */
import { readFileSync } from 'node:fs';

import { parseGgmlHeader } from '../../src/model/ggml-loader.js';
import { syntheticSpec, type TensorSpec, writeGgml } from './ggml-writer.js';
import { HEADER_ONLY_MULTI } from './shared.js';

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
  return new Uint8Array(values.buffer.slice(0));
}

function f16Data(values: Float32Array): Uint8Array {
  const out = Buffer.alloc(values.length * 2);
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  values.forEach((v, i) => {
    f[0] = v;
    const x = u[0]!;
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
    out.writeUInt16LE(h, 2 * i);
  });
  return out;
}

/** A GGML file of a Whisper model with the given dimensions and the real filterbank and vocabulary. */
export function makeSyntheticModel(dims: SyntheticDims): Buffer {
  const base = syntheticSpec();
  const [englishVocab, nAudioCtx, , , , nTextCtx] = base.hparams as [number, number, number, number, number, number, number, number, number, number, number];
  // whisper.cpp's header-only multilingual test file carries the multilingual vocabulary
  const multilingual = dims.multilingual === true ? parseGgmlHeader(readFileSync(HEADER_ONLY_MULTI)) : undefined;
  const nVocab = multilingual?.dims.nVocab ?? englishVocab;
  const filters = dims.filters ?? base.filters;
  const nMels = filters.nMels;
  const ftype = dims.ftype ?? 1;
  const n = dims.nState;
  const rand = gaussian(dims.seed ?? 1);
  const tensors: TensorSpec[] = [];
  const add = (name: string, ne: number[], kind: 'matrix' | 'vector' | 'embedding' | 'ones' | 'pos', fanIn = 1): void => {
    const count = ne.reduce((a, b) => a * b, 1);
    const v = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      v[i] = kind === 'ones' ? 1 : kind === 'matrix' ? rand() / Math.sqrt(fanIn) : kind === 'embedding' ? 0.15 * rand() : kind === 'pos' ? 0.02 * rand() : 0.02 * rand();
    }
    const half = ftype === 1 && kind !== 'vector' && kind !== 'ones' && kind !== 'pos' && ne.length > 1;
    tensors.push({ name, type: half ? 1 : 0, ne, data: half ? f16Data(v) : f32Data(v) });
  };
  const linear = (p: string, out: number, inp: number, bias = true): void => {
    add(`${p}.weight`, [inp, out], 'matrix', inp);
    if (bias) add(`${p}.bias`, [out], 'vector');
  };
  const norm = (p: string): void => {
    add(`${p}.weight`, [n], 'ones');
    add(`${p}.bias`, [n], 'vector');
  };
  const attention = (p: string): void => {
    linear(`${p}.query`, n, n);
    linear(`${p}.key`, n, n, false);
    linear(`${p}.value`, n, n);
    linear(`${p}.out`, n, n);
  };
  add('encoder.positional_embedding', [n, nAudioCtx], 'pos');
  add('encoder.conv1.weight', [3, nMels, n], 'matrix', 3 * nMels);
  add('encoder.conv1.bias', [1, n], 'vector');
  add('encoder.conv2.weight', [3, n, n], 'matrix', 3 * n);
  add('encoder.conv2.bias', [1, n], 'vector');
  for (let i = 0; i < dims.nAudioLayer; i++) {
    const p = `encoder.blocks.${i}`;
    norm(`${p}.attn_ln`);
    attention(`${p}.attn`);
    norm(`${p}.mlp_ln`);
    linear(`${p}.mlp.0`, 4 * n, n);
    linear(`${p}.mlp.2`, n, 4 * n);
  }
  norm('encoder.ln_post');
  add('decoder.positional_embedding', [n, nTextCtx], 'pos');
  add('decoder.token_embedding.weight', [n, nVocab], 'embedding');
  for (let i = 0; i < dims.nTextLayer; i++) {
    const p = `decoder.blocks.${i}`;
    norm(`${p}.attn_ln`);
    attention(`${p}.attn`);
    norm(`${p}.cross_attn_ln`);
    attention(`${p}.cross_attn`);
    norm(`${p}.mlp_ln`);
    linear(`${p}.mlp.0`, 4 * n, n);
    linear(`${p}.mlp.2`, n, 4 * n);
  }
  norm('decoder.ln');
  return writeGgml({
    hparams: [nVocab, nAudioCtx, n, dims.nHead, dims.nAudioLayer, nTextCtx, n, dims.nHead, dims.nTextLayer, nMels, ftype],
    filters,
    vocab: multilingual === undefined ? base.vocab : [...multilingual.vocab],
    tensors,
  });
}
