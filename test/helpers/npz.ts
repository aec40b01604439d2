/** Reads float32 arrays from a NumPy .npz archive (a zip of .npy files), for openai's mel_filters.npz. */
import { readFileSync } from 'node:fs';

import { unzipSync } from 'fflate';

export interface NpyArray {
  shape: number[];
  data: Float32Array;
}

/** Parses one .npy file: magic, version, header length, a Python dict header, then the data. */
function parseNpy(bytes: Uint8Array): NpyArray {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6]!;
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(headerStart, headerStart + headerLength));
  if (!header.includes("'descr': '<f4'") || header.includes("'fortran_order': True")) throw new Error(`unsupported npy header ${header}`);
  const shape = header.match(/'shape': \(([^)]*)\)/)![1]!.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const start = headerStart + headerLength;
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = view.getFloat32(start + 4 * i, true);
  return { shape, data };
}

export function readNpz(path: string): Record<string, NpyArray> {
  const files = unzipSync(readFileSync(path));
  return Object.fromEntries(Object.entries(files).map(([name, bytes]) => [name.replace(/\.npy$/, ''), parseNpy(bytes)]));
}
