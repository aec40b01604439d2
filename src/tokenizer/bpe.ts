/**
 * Byte-level BPE encoding over a whisper.cpp vocabulary: GPT-2's pre-tokenising pattern
 * splits text into pieces, and each piece's UTF-8 bytes are merged pairwise, lowest rank
 * first, where a token's rank is its id (as in tiktoken's `gpt2.tiktoken` and
 * `multilingual.tiktoken`, from which whisper.cpp's vocabularies are converted).
 * @module
 */

/** GPT-2's pre-tokenisation pattern. */
const PIECE_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** Bytes as a string key (one char per byte) for Map lookups. */
function key(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

/** Encodes text into token ids with a byte-level BPE whose ranks are the token ids. */
export class BytePairEncoder {
  private readonly ranks = new Map<string, number>();
  private readonly encoder = new TextEncoder();

  /** @param vocab - token byte strings by id */
  constructor(vocab: readonly Uint8Array[]) {
    vocab.forEach((bytes, id) => {
      const k = key(bytes);
      if (!this.ranks.has(k)) this.ranks.set(k, id);
    });
  }

  /** Token ids of `text` (no special tokens). */
  encode(text: string): number[] {
    const out: number[] = [];
    for (const match of text.matchAll(PIECE_PATTERN)) {
      this.encodePiece(this.encoder.encode(match[0]), out);
    }
    return out;
  }

  private encodePiece(bytes: Uint8Array, out: number[]): void {
    const whole = this.ranks.get(key(bytes));
    if (whole !== undefined) {
      out.push(whole);
      return;
    }
    // parts[i] = [start, end) byte ranges; merge the adjacent pair of lowest rank until none merges
    const parts: [number, number][] = Array.from(bytes, (_, i) => [i, i + 1]);
    for (;;) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < parts.length; i++) {
        const rank = this.ranks.get(key(bytes, parts[i]![0], parts[i + 1]![1]));
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          best = i;
        }
      }
      if (best < 0) break;
      parts.splice(best, 2, [parts[best]![0], parts[best + 1]![1]]);
    }
    for (const [start, end] of parts) {
      const id = this.ranks.get(key(bytes, start, end));
      if (id === undefined) throw new Error(`byte 0x${bytes[start]?.toString(16)} has no token in this vocabulary`);
      out.push(id);
    }
  }
}
