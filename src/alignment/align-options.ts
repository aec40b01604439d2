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

/** A timed piece of a transcript for `Transcriber.align()`: seconds from the start of the audio, at most 30 s long. */
export interface AlignSegment {
  /** Start in seconds. */
  readonly start: number;
  /** End in seconds (after start, within the audio, at most 30 s after start). */
  readonly end: number;
  /** Its text. */
  readonly text: string;
}

/** What `Transcriber.align()` returns. */
export interface AlignmentResult {
  /** The text's words with their times (seconds from the start of the audio) and probabilities. */
  readonly words: readonly Word[];
  /** The first segment's start after openai's segment rules (its first word's start unless that word is too long). */
  readonly start: number;
  /** The last segment's end after openai's segment rules. */
  readonly end: number;
  /** Per segment given (one for a text given as a string): its bounds after openai's segment rules and its words. */
  readonly segments: readonly { readonly start: number; readonly end: number; readonly words: readonly Word[] }[];
  /** The language the text was aligned as. */
  readonly language: string;
  /** The alignment heads used: a preset's name, `'default'` or `'custom'`. */
  readonly alignmentHeads: string;
}
