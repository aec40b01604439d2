/**
 * The little of the Ogg page layout (RFC 3533) needed before decoding: the first packet, whose
 * opening bytes name the codec, and whether the file ends on a complete end-of-stream page.
 * The decoding libraries parse Ogg themselves, but they decode a truncated file up to the cut
 * without a word.
 * @module
 */

const CAPTURE = [0x4f, 0x67, 0x67, 0x53]; // "OggS"
const HEADER_BYTES = 27;
const END_OF_STREAM_FLAG = 0x04;

/** Whether an Ogg page starts at `at`. @internal */
export function isOggPage(bytes: Uint8Array, at = 0): boolean {
  return bytes.length >= at + HEADER_BYTES && CAPTURE.every((b, i) => bytes[at + i] === b);
}

/** Where page `at`'s body starts and how long it is, or undefined if its header is cut off. */
function pageLayout(bytes: Uint8Array, at: number): { bodyStart: number; bodyBytes: number } | undefined {
  const segments = bytes[at + 26];
  if (segments === undefined || at + HEADER_BYTES + segments > bytes.length) return undefined;
  let bodyBytes = 0;
  for (let i = 0; i < segments; i++) bodyBytes += bytes[at + HEADER_BYTES + i]!;
  return { bodyStart: at + HEADER_BYTES + segments, bodyBytes };
}

/**
 * The body of the first page: its first packet is the codec's identification header.
 * @internal
 */
export function firstOggPacket(bytes: Uint8Array): Uint8Array {
  const layout = isOggPage(bytes) ? pageLayout(bytes, 0) : undefined;
  if (layout === undefined) return new Uint8Array(0);
  return bytes.subarray(layout.bodyStart, Math.min(bytes.length, layout.bodyStart + layout.bodyBytes));
}

/**
 * Walks every page: the file is whole when pages follow one another to the last byte and the
 * last one carries the end-of-stream flag.
 * @returns undefined when whole, else what is wrong
 * @internal
 */
export function oggDefect(bytes: Uint8Array): string | undefined {
  let at = 0;
  let lastFlags = 0;
  while (at < bytes.length) {
    if (!isOggPage(bytes, at)) return at + HEADER_BYTES > bytes.length ? 'the file is truncated (it ends inside a page header)' : `the file is corrupt (no Ogg page at byte ${at})`;
    const layout = pageLayout(bytes, at);
    if (layout === undefined || layout.bodyStart + layout.bodyBytes > bytes.length) return 'the file is truncated (it ends inside a page)';
    lastFlags = bytes[at + 5]!;
    at = layout.bodyStart + layout.bodyBytes;
  }
  return (lastFlags & END_OF_STREAM_FLAG) === 0 ? 'the file is truncated (its last page is not an end-of-stream page)' : undefined;
}
