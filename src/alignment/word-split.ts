/**
 * Splitting tokens into words for word timestamps, as openai/whisper `tokenizer.py`
 * `split_to_word_tokens`, `split_tokens_on_unicode` and `split_tokens_on_spaces`.
 * @module
 */
import type { Tokenizer } from '../tokenizer/tokenizer.js';

/** Words and the tokens of each. */
export interface WordTokens {
  /** Each word's text (a leading space kept, as the tokens decode). */
  readonly words: string[];
  /** Each word's token ids. */
  readonly tokens: number[][];
}

/** Languages written without spaces between words: split wherever the text decodes to whole characters. */
const UNSPACED_LANGUAGES = new Set(['zh', 'ja', 'th', 'lo', 'my', 'yue']);

/** Python's `string.punctuation`. */
const ASCII_PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

const REPLACEMENT = '\ufffd';

/**
 * Words of `tokens`: on spaces (a token starting with a space, a special token or punctuation
 * starts a new word), or for zh, ja, th, lo, my and yue at every token boundary where the
 * text decodes to whole characters.
 * @param tokens - text tokens, optionally followed by `<|endoftext|>` (which becomes a word of its own)
 * @param language - the decode's language code
 */
export function splitToWordTokens(tokenizer: Tokenizer, tokens: readonly number[], language: string): WordTokens {
  return UNSPACED_LANGUAGES.has(language) ? splitOnUnicode(tokenizer, tokens) : splitOnSpaces(tokenizer, tokens);
}

/** Pieces that end where the decoded text holds no partial character (a U+FFFD there is in the full text too). */
export function splitOnUnicode(tokenizer: Tokenizer, tokens: readonly number[]): WordTokens {
  const full = tokenizer.decodeWithTimestamps([...tokens]);
  const words: string[] = [];
  const wordTokens: number[][] = [];
  let current: number[] = [];
  let offset = 0;
  for (const token of tokens) {
    current.push(token);
    const decoded = tokenizer.decodeWithTimestamps(current);
    const bad = decoded.indexOf(REPLACEMENT);
    if (bad < 0 || full[offset + bad] === REPLACEMENT) {
      words.push(decoded);
      wordTokens.push(current);
      current = [];
      offset += decoded.length;
    }
  }
  return { words, tokens: wordTokens };
}

/** Unicode pieces joined into words: a piece continues the previous word unless it starts one. */
export function splitOnSpaces(tokenizer: Tokenizer, tokens: readonly number[]): WordTokens {
  const pieces = splitOnUnicode(tokenizer, tokens);
  const words: string[] = [];
  const wordTokens: number[][] = [];
  pieces.words.forEach((piece, i) => {
    const pieceTokens = pieces.tokens[i]!;
    const special = pieceTokens[0]! >= tokenizer.special.eot;
    // Python's `in` on strings is a substring test: '' and runs such as '()' count as punctuation
    const punctuation = ASCII_PUNCTUATION.includes(piece.trim());
    if (special || piece.startsWith(' ') || punctuation || words.length === 0) {
      words.push(piece);
      wordTokens.push([...pieceTokens]);
    } else {
      words[words.length - 1] += piece;
      wordTokens[wordTokens.length - 1]!.push(...pieceTokens);
    }
  });
  return { words, tokens: wordTokens };
}
