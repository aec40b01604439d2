/**
 * One window's word alignment, as openai/whisper `timing.py` `find_alignment`: the
 * teacher-forced pass, the attention matrix, the DTW and the words with raw times.
 * @module
 */
import type { Decoder } from '../decoder/decoder.js';
import { AmanuensisError } from '../errors.js';
import type { Tokenizer } from '../tokenizer/tokenizer.js';
import type { ResolvedAlignmentHeads } from './alignment-heads.js';
import { alignmentMatrix } from './attention-matrix.js';
import { type DtwPath, dtwPath } from './dtw.js';
import { splitToWordTokens } from './word-split.js';
import { type WordTiming, wordTimingsFromPath } from './word-timing.js';

/** What a window's alignment needs besides the decoder. */
export interface AlignmentInput {
  /** The model's tokenizer. */
  readonly tokenizer: Tokenizer;
  /** The window's SOT sequence (`<|notimestamps|>` is appended after it). */
  readonly sotSequence: readonly number[];
  /** Text tokens to align (ids below `<|endoftext|>`). */
  readonly textTokens: readonly number[];
  /** Log-mel frames of real audio in the window (up to 3000): the alignment covers `numFrames // 2` positions. */
  readonly numFrames: number;
  /** The heads whose cross-attention is read. */
  readonly heads: ResolvedAlignmentHeads;
  /** The decode's language: zh, ja, th, lo, my and yue split words on character boundaries. */
  readonly language: string;
}

/** What {@link findAlignment} computes. */
export interface RawAlignment {
  /** Words with times in seconds from the window's start (multiples of 0.02), punctuation still separate. */
  readonly words: WordTiming[];
  /** The DTW's input before negation: `[1 + text tokens, numFrames // 2]` (row 0: `<|notimestamps|>`). */
  readonly matrix: Float64Array;
  /** The DTW path through `matrix`. */
  readonly path: DtwPath;
  /** Each text token's probability (softmax over text ids). */
  readonly textTokenProbabilities: Float32Array;
}

/**
 * Aligns `input.textTokens` to the window's audio features.
 * @param features - the window's audio features `[nAudioCtx, nAudioState]`
 * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` when the decoder has no alignment pass or
 *   `numFrames` is outside 2..2·nAudioCtx, `ERR_CONTEXT_OVERFLOW` for more tokens than the decoder holds, or what the decoder throws
 */
export async function findAlignment(decoder: Decoder, features: Float32Array, input: AlignmentInput): Promise<RawAlignment> {
  const { tokenizer, textTokens } = input;
  const eot = tokenizer.special.eot;
  if (decoder.alignmentPass === undefined) throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'this decoder has no alignment pass: word timestamps need the native CPU decoder');
  if (textTokens.some((t) => !Number.isInteger(t) || t < 0 || t >= eot)) throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'only text tokens (ids below <|endoftext|>) can be aligned');
  const nPositions = Math.floor(input.numFrames / 2);
  if (!Number.isInteger(input.numFrames) || nPositions < 1) throw new AmanuensisError('ERR_INVALID_ARGUMENT', `a window of ${input.numFrames} frames is too short to align`);
  const empty = { words: [], matrix: new Float64Array(0), path: { textIndices: new Int32Array(0), timeIndices: new Int32Array(0) }, textTokenProbabilities: new Float32Array(0) };
  if (textTokens.length === 0) return empty;
  const prefix = [...input.sotSequence, tokenizer.special.noTimestamps];
  const tokens = [...prefix, ...textTokens, eot];
  if (tokens.length > decoder.nTextCtx) {
    throw new AmanuensisError('ERR_CONTEXT_OVERFLOW', `${textTokens.length} text tokens do not fit the decoder's ${decoder.nTextCtx} positions with the SOT sequence`);
  }
  const sot = input.sotSequence.length;
  // the rows from <|notimestamps|> to the last text token
  const matrixRows = [sot, tokens.length - 1] as const;
  const pass = await decoder.alignmentPass(features, tokens, { heads: input.heads.heads, nPositions, textVocabEnd: eot, matrixRows });
  if (pass.matrix === undefined && pass.weights === undefined) {
    throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'the decoder\'s alignment pass returned neither the matrix nor the attention weights');
  }
  const matrix = pass.matrix ?? alignmentMatrix(pass.weights!, input.heads.heads.length, tokens.length, nPositions, ...matrixRows);
  const rows = textTokens.length + 1;
  // (a loop: Float64Array.prototype.map with a callback took 0.13 ms for a 28 x 550 window)
  const negated = new Float64Array(matrix.length);
  for (let i = 0; i < matrix.length; i++) negated[i] = -matrix[i]!;
  const path = dtwPath(negated, rows, nPositions);
  const textTokenProbabilities = pass.probabilities.slice(sot, sot + textTokens.length);
  const split = splitToWordTokens(tokenizer, [...textTokens, eot], input.language);
  return { words: wordTimingsFromPath(path, split, textTokenProbabilities), matrix, path, textTokenProbabilities };
}
