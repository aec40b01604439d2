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

/** The byte regions the identity hashes, `[offset, length]`: the header, then the first and last bytes of each tensor. */
export function identityRegions(file: GgmlModelFile): [number, number][] {
  const regions: [number, number][] = [[0, file.tensors[0]?.offset ?? file.fileSize]];
  for (const t of file.tensors) {
    const head = Math.min(SAMPLE_BYTES, t.nbytes);
    regions.push([t.offset, head], [t.offset + t.nbytes - head, head]);
  }
  return regions;
}

/**
 * Hex SHA-256 identity of a parsed model file.
 * @param read - the file's bytes at an offset, for each of {@link identityRegions} (whole file in memory, or read ahead)
 */
export function modelIdentity(file: GgmlModelFile, read: (offset: number, length: number) => Uint8Array): string {
  const hash = createHash('sha256');
  const [header, ...samples] = identityRegions(file);
  hash.update(read(...header!));
  file.tensors.forEach((t, i) => {
    hash.update(`${t.name}|${t.type}|${t.ne.join(',')}|${t.offset}|${t.nbytes}\n`);
    hash.update(read(...samples[2 * i]!));
    hash.update(read(...samples[2 * i + 1]!));
  });
  return hash.digest('hex');
}
