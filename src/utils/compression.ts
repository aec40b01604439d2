/**
 * Compression ratio of text, as openai/whisper `utils.py` compression_ratio: UTF-8 bytes over
 * zlib-compressed bytes (default level). Repetitive, looping output compresses well.
 * @module
 */
import { deflateSync } from 'node:zlib';

/** UTF-8 length over zlib length; 0 for empty text. */
export function compressionRatio(text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length === 0) return 0;
  return bytes.length / deflateSync(bytes).length;
}
