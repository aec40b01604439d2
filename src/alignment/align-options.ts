/**
 * Options and result of `Transcriber.align()` (forced alignment of a known transcript).
 * @module
 */
import type { Word } from '../types.js';
import type { AlignmentHeadsOption } from './alignment-heads.js';

/** Options of `Transcriber.align()`. */
export interface AlignOptions {
  /** Language of the text (multilingual models; detected from the audio when absent). English-only models: `'en'`. */
  readonly language?: string;
  /** The cross-attention heads aligned with (see `TranscribeOptions.alignmentHeads`). */
  readonly alignmentHeads?: AlignmentHeadsOption;
  /** Punctuation merged into the word after it. Default openai's `"'“¿([{-`. */
  readonly prependPunctuations?: string;
  /** Punctuation merged into the word before it. Default openai's `"'.。,，!！?？:：”)]}、`. */
  readonly appendPunctuations?: string;
  /** Cancels the call: it rejects with `ERR_ABORTED`. */
  readonly signal?: AbortSignal;
}

/** What `Transcriber.align()` returns. */
export interface AlignmentResult {
  /** The text's words with their times (seconds from the start of the audio) and probabilities. */
  readonly words: readonly Word[];
  /** The segment's start after openai's segment rules (its first word's start unless that word is too long). */
  readonly start: number;
  /** The segment's end after openai's segment rules. */
  readonly end: number;
  /** The language the text was aligned as. */
  readonly language: string;
  /** The alignment heads used: a preset's name, `'default'` or `'custom'`. */
  readonly alignmentHeads: string;
}
