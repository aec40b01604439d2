/**
 * ggml's 32-element block types written from random block contents, with the exact float32
 * values each block stands for: a quantized model file and its dequantized f32 twin, whose
 * outputs the native kernels must reproduce. Layouts as whisper.cpp's quantize tool writes them
 * (ggml-common.h): q4_0 {d, qs[16]}, q4_1 {d, m, qs[16]}, q5_0 {d, qh[4], qs[16]},
 * q5_1 {d, m, qh[4], qs[16]}, q8_0 {d, qs[32]}; d and m f16, byte j of a 4/5-bit qs holding
 * element j (low nibble) and j + 16 (high nibble), bit j of the little-endian qh the fifth bit of element j.
 */
import type { GgmlSpec } from './ggml-writer.js';

export type BlockType = 'q4_0' | 'q4_1' | 'q5_0' | 'q5_1' | 'q8_0';

interface BlockFormat {
  /** ggml_type of the tensors. */
  readonly ggmlType: number;
  /** whisper.cpp's header ftype for a file of this type (not the ggml_type: q8_0 is 7, q5_0 8, q5_1 9). */
  readonly ftype: number;
  readonly blockBytes: number;
  readonly hasMin: boolean;
  readonly highBits: boolean;
}

export const BLOCK_FORMATS: Readonly<Record<BlockType, BlockFormat>> = {
  q4_0: { ggmlType: 2, ftype: 2, blockBytes: 18, hasMin: false, highBits: false },
  q4_1: { ggmlType: 3, ftype: 3, blockBytes: 20, hasMin: true, highBits: false },
  q5_0: { ggmlType: 6, ftype: 8, blockBytes: 22, hasMin: false, highBits: true },
  q5_1: { ggmlType: 7, ftype: 9, blockBytes: 24, hasMin: true, highBits: true },
  q8_0: { ggmlType: 8, ftype: 7, blockBytes: 34, hasMin: false, highBits: false },
};

/** A normal f16 value from its fields (exponent biased by 15), as bits and as a number. */
function half(sign: number, exponent: number, mantissa: number): { bits: number; value: number } {
  return { bits: (sign << 15) | (exponent << 10) | mantissa, value: (sign ? -1 : 1) * (1 + mantissa / 1024) * 2 ** (exponent - 15) };
}

function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

/**
 * `n` elements (a multiple of 32) of random blocks of `type`: scales d in [2^-exp, 2^(1-exp)),
 * mins about minus half the block's range (so the weights are centred), every quant and high bit random. Returns the bytes and the values they stand for.
 */
export function randomBlocks(type: BlockType, n: number, exp: number, next: () => number): { bytes: Uint8Array; values: Float32Array } {
  const f = BLOCK_FORMATS[type];
  const bytes = new Uint8Array((n / 32) * f.blockBytes);
  const view = new DataView(bytes.buffer);
  const values = new Float32Array(n);
  for (let b = 0; b < n / 32; b++) {
    let at = b * f.blockBytes;
    const d = half(0, 15 - exp, next() % 1024);
    view.setUint16(at, d.bits, true);
    at += 2;
    let m = 0;
    if (f.hasMin) {
      const min = half(1, 15 - exp + (f.highBits ? 4 : 3), next() % 1024);
      view.setUint16(at, min.bits, true);
      m = min.value;
      at += 2;
    }
    let qh = 0;
    if (f.highBits) {
      qh = next() >>> 0;
      view.setUint32(at, qh, true);
      at += 4;
    }
    const y = values.subarray(b * 32, b * 32 + 32);
    if (type === 'q8_0') {
      for (let j = 0; j < 32; j++) {
        const q = (next() % 256) - 128;
        view.setInt8(at + j, q);
        y[j] = q * d.value;
      }
      continue;
    }
    // 4- and 5-bit types: unsigned quants, centred by -8 / -16 unless the block has a min
    const offset = f.hasMin ? 0 : f.highBits ? -16 : -8;
    for (let j = 0; j < 16; j++) {
      const byte = next() % 256;
      bytes[at + j] = byte;
      const lo = (byte & 15) | (f.highBits ? ((qh >>> j) & 1) << 4 : 0);
      const hi = (byte >> 4) | (f.highBits ? ((qh >>> (j + 16)) & 1) << 4 : 0);
      // q*d is exact in double (at most 16 significant bits), so one rounding to f32 as in C++
      y[j] = Math.fround((lo + offset) * d.value + m);
      y[j + 16] = Math.fround((hi + offset) * d.value + m);
    }
  }
  return { bytes, values };
}

/**
 * From an f32 GGML spec: the same model with every 2-D weight (the token embedding included,
 * as whisper.cpp's quantize tool does) replaced by random blocks of `type`, and its f32 twin
 * holding exactly the values those blocks stand for. Positional embeddings stay as they are.
 */
export function quantizedTwins(f32: GgmlSpec, type: BlockType, seed = 1): { quantized: GgmlSpec; dequantized: GgmlSpec } {
  const next = xorshift(seed);
  const f = BLOCK_FORMATS[type];
  const quantized: GgmlSpec = { ...f32, hparams: [...f32.hparams], tensors: [] };
  const dequantized: GgmlSpec = { ...f32, hparams: [...f32.hparams], tensors: [] };
  quantized.hparams[10] = 2000 + f.ftype;
  dequantized.hparams[10] = 0;
  for (const t of f32.tensors) {
    if (t.ne.length !== 2 || !t.name.endsWith('.weight')) {
      quantized.tensors.push(t);
      dequantized.tensors.push(t);
      continue;
    }
    const n = t.ne[0]! * t.ne[1]!;
    // scales near 1/sqrt(fan in) for the weights, larger for the token embedding
    // (values of about d times 4.6, 9 and 74 for the 4-bit, 5-bit and 8-bit quants)
    const range = type === 'q8_0' ? 4 : f.highBits ? 1 : 0;
    const exp = range + (t.name === 'decoder.token_embedding.weight' ? 5 : Math.round(Math.log2(Math.sqrt(t.ne[0]!) * 5)));
    const { bytes, values } = randomBlocks(type, n, exp, next);
    quantized.tensors.push({ ...t, type: f.ggmlType, data: bytes });
    dequantized.tensors.push({ ...t, type: 0, data: new Uint8Array(values.buffer) });
  }
  return { quantized, dequantized };
}

/** ggml's f16 to f32 (ggml_fp16_to_fp32): subnormals, infinities and NaN included. */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** The block type of a ggml_type id, or undefined for f32, f16 and the types the loader refuses. */
export function blockTypeOf(ggmlType: number): BlockType | undefined {
  return (Object.keys(BLOCK_FORMATS) as BlockType[]).find((t) => BLOCK_FORMATS[t].ggmlType === ggmlType);
}

/**
 * The f32 values that the blocks of `type` in `bytes` stand for, as ggml's dequantize_row_*
 * computes them (ggml-quants.c): (q - 8) d, (q - 16) d, q d + m and q d for q4_0, q5_0, q4_1 /
 * q5_1 and q8_0, in the layouts described at the top of this file. Also returns each block's
 * scale d and min m (0 for the types without one).
 */
export function dequantizeBlocks(type: BlockType, bytes: Uint8Array): { values: Float32Array; scales: Float32Array; mins: Float32Array } {
  const f = BLOCK_FORMATS[type];
  const nBlocks = bytes.length / f.blockBytes;
  if (!Number.isInteger(nBlocks)) throw new Error(`${bytes.length} bytes are not whole ${type} blocks`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = new Float32Array(nBlocks * 32);
  const scales = new Float32Array(nBlocks);
  const mins = new Float32Array(nBlocks);
  for (let b = 0; b < nBlocks; b++) {
    let at = b * f.blockBytes;
    const d = halfToFloat(view.getUint16(at, true));
    at += 2;
    const m = f.hasMin ? halfToFloat(view.getUint16(at, true)) : 0;
    if (f.hasMin) at += 2;
    const qh = f.highBits ? view.getUint32(at, true) : 0;
    if (f.highBits) at += 4;
    scales[b] = d;
    mins[b] = m;
    const y = values.subarray(b * 32, b * 32 + 32);
    if (type === 'q8_0') {
      for (let j = 0; j < 32; j++) y[j] = view.getInt8(at + j) * d;
      continue;
    }
    const offset = f.hasMin ? 0 : f.highBits ? -16 : -8;
    for (let j = 0; j < 16; j++) {
      const byte = bytes[at + j]!;
      const lo = (byte & 15) | (f.highBits ? ((qh >>> j) & 1) << 4 : 0);
      const hi = (byte >> 4) | (f.highBits ? ((qh >>> (j + 16)) & 1) << 4 : 0);
      // the product is exact in double, so one rounding to f32 as in ggml's float arithmetic
      y[j] = Math.fround((lo + offset) * d + m);
      y[j + 16] = Math.fround((hi + offset) * d + m);
    }
  }
  return { values, scales, mins };
}

let halfTable: Float32Array | undefined;

/** f16 tensor data widened to f32 (exact). */
export function halfData(bytes: Uint8Array): Float32Array {
  halfTable ??= Float32Array.from({ length: 65536 }, (_, bits) => halfToFloat(bits));
  const out = new Float32Array(bytes.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = halfTable[bytes[2 * i]! | (bytes[2 * i + 1]! << 8)]!;
  return out;
}

/**
 * The f32 model that a quantized whisper.cpp file stands for: every block tensor dequantized,
 * the f16 conv weights widened (whisper.cpp's f32 layout: header ftype 0 makes it expect every
 * matrix, the convolutions included, in f32), the rest as it is. whisper.cpp runs such a file
 * with f32 weights and f32 activations.
 */
export function dequantizedModel(spec: GgmlSpec): GgmlSpec {
  const hparams = [...spec.hparams];
  hparams[10] = 0;
  const tensors = spec.tensors.map((t) => {
    const block = blockTypeOf(t.type);
    if (block !== undefined) return { ...t, type: 0, data: new Uint8Array(dequantizeBlocks(block, t.data).values.buffer) };
    if (t.type === 1) return { ...t, type: 0, data: new Uint8Array(halfData(t.data).buffer) };
    return t;
  });
  return { ...spec, hparams, tensors };
}
