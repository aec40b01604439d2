/**
 * The ggml tensor types a whisper.cpp model file may use, with their storage sizes
 * (numbered as `enum ggml_type` in ggml.h).
 * @module
 */

/** Storage of one ggml type: `blockSize` elements take `typeSize` bytes. */
export interface GgmlTypeInfo {
  /** ggml's name, e.g. `F16`, `Q8_0`. */
  readonly name: string;
  /** Elements per block. */
  readonly blockSize: number;
  /** Bytes per block. */
  readonly typeSize: number;
  /** Whether amanuensis can compute with it today. */
  readonly supported: boolean;
}

/** Known ggml types by number. */
export const GGML_TYPES: ReadonlyMap<number, GgmlTypeInfo> = new Map([
  [0, { name: 'F32', blockSize: 1, typeSize: 4, supported: true }],
  [1, { name: 'F16', blockSize: 1, typeSize: 2, supported: true }],
  [2, { name: 'Q4_0', blockSize: 32, typeSize: 18, supported: true }],
  [3, { name: 'Q4_1', blockSize: 32, typeSize: 20, supported: true }],
  [6, { name: 'Q5_0', blockSize: 32, typeSize: 22, supported: true }],
  [7, { name: 'Q5_1', blockSize: 32, typeSize: 24, supported: true }],
  [8, { name: 'Q8_0', blockSize: 32, typeSize: 34, supported: true }],
  [10, { name: 'Q2_K', blockSize: 256, typeSize: 84, supported: false }],
  [11, { name: 'Q3_K', blockSize: 256, typeSize: 110, supported: false }],
  [12, { name: 'Q4_K', blockSize: 256, typeSize: 144, supported: false }],
  [13, { name: 'Q5_K', blockSize: 256, typeSize: 176, supported: false }],
  [14, { name: 'Q6_K', blockSize: 256, typeSize: 210, supported: false }],
  [30, { name: 'BF16', blockSize: 1, typeSize: 2, supported: false }],
]);
