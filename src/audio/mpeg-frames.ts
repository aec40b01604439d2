/**
 * Locating MPEG audio frames: the ID3v2 tag that often comes first, and frame headers (ISO/IEC
 * 11172-3 and 13818-3). Used to recognise MP3 and to read its first frame; mpg123 decodes.
 * @module
 */

/** How far past an ID3v2 tag the first frame is looked for (some taggers leave padding outside the tag's size). */
const FRAME_SEARCH_BYTES = 64 * 1024;

/**
 * The length of an ID3v2 tag at `at` (header, synch-safe size, optional footer), or 0.
 * @internal
 */
export function id3v2Length(b: Uint8Array, at = 0): number {
  if (b.length < at + 10 || b[at] !== 0x49 || b[at + 1] !== 0x44 || b[at + 2] !== 0x33) return 0;
  const size = ((b[at + 6]! & 0x7f) << 21) | ((b[at + 7]! & 0x7f) << 14) | ((b[at + 8]! & 0x7f) << 7) | (b[at + 9]! & 0x7f);
  const hasFooter = (b[at + 5]! & 0x10) !== 0;
  return 10 + size + (hasFooter ? 10 : 0);
}

/**
 * The MPEG audio layer (1, 2 or 3) of a valid frame header at `at`, or 0: the 11-bit sync, and
 * no reserved version, layer, bitrate or sample-rate code.
 * @internal
 */
export function mpegLayerAt(b: Uint8Array, at: number): number {
  if (b.length < at + 4 || b[at] !== 0xff || (b[at + 1]! & 0xe0) !== 0xe0) return 0;
  const version = (b[at + 1]! >> 3) & 3;
  const layerBits = (b[at + 1]! >> 1) & 3;
  const bitrateIndex = b[at + 2]! >> 4;
  const rateIndex = (b[at + 2]! >> 2) & 3;
  if (version === 1 || layerBits === 0 || bitrateIndex === 15 || rateIndex === 3) return 0;
  return 4 - layerBits;
}

/**
 * Where the first MPEG audio frame starts: right at the start of an untagged file (a search in
 * arbitrary bytes would find false syncs), within 64 KiB after an ID3v2 tag; -1 if none.
 * @internal
 */
export function firstMpegFrame(b: Uint8Array): number {
  const tag = id3v2Length(b);
  if (tag === 0) return mpegLayerAt(b, 0) > 0 ? 0 : -1;
  const end = Math.min(b.length, tag + FRAME_SEARCH_BYTES);
  for (let at = tag; at < end; at++) if (mpegLayerAt(b, at) > 0) return at;
  return -1;
}
