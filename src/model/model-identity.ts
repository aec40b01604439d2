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

/** Hex SHA-256 identity of a parsed model file and its bytes. */
export function modelIdentity(file: GgmlModelFile, bytes: Uint8Array): string {
  const hash = createHash('sha256');
  const first = file.tensors[0]?.offset ?? bytes.length;
  hash.update(bytes.subarray(0, first));
  for (const t of file.tensors) {
    hash.update(`${t.name}|${t.type}|${t.ne.join(',')}|${t.offset}|${t.nbytes}\n`);
    hash.update(bytes.subarray(t.offset, t.offset + Math.min(SAMPLE_BYTES, t.nbytes)));
    hash.update(bytes.subarray(Math.max(t.offset, t.offset + t.nbytes - SAMPLE_BYTES), t.offset + t.nbytes));
  }
  return hash.digest('hex');
}
