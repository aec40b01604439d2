/**
 * A content-derived identity of a model file, so that caches never mix two models: SHA-256
 * over the header (hparams, filterbank, vocabulary), the tensor table and the first and last
 * 4 KiB of every tensor's data. Cheap for multi-gigabyte files, and two different weight sets
 * differ in those bytes.
 * @module
 */
import { createHash } from 'node:crypto';

import type { GgmlModelFile } from './ggml-loader.js';


const SAMPLE_BYTES = 4096;

/**
 * Hex SHA-256 identity of a parsed model file.
 * @param read - the file's bytes at an offset (whole file in memory, or read on demand)
 */
export function modelIdentity(file: GgmlModelFile, read: (offset: number, length: number) => Uint8Array): string {
  const hash = createHash('sha256');
  hash.update(read(0, file.tensors[0]?.offset ?? file.fileSize));
  for (const t of file.tensors) {
    hash.update(`${t.name}|${t.type}|${t.ne.join(',')}|${t.offset}|${t.nbytes}\n`);
    const head = Math.min(SAMPLE_BYTES, t.nbytes);
    hash.update(read(t.offset, head));
    hash.update(read(t.offset + t.nbytes - head, head));
  }
  return hash.digest('hex');
}
