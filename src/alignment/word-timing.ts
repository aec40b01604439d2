/**
 * Word times from the DTW path, and the adjustments openai/whisper `timing.py` makes to them
 * (`find_alignment`'s last part, `merge_punctuations`, `add_word_timestamps`).
 * @module
 */
import type { Word } from '../types.js';
import type { DtwPath } from './dtw.js';
import { roundHundredths } from './python-round.js';
import type { WordTokens } from './word-split.js';

/** Timestamp steps per second of the DTW's time axis (openai `TOKENS_PER_SECOND`). */
export const ALIGNMENT_STEPS_PER_SECOND = 50;

/** openai/whisper's default `prepend_punctuations`: merged into the word that follows. */
export const DEFAULT_PREPEND_PUNCTUATIONS = '"\'“¿([{-';
/** openai/whisper's default `append_punctuations`: merged into the word before. */
export const DEFAULT_APPEND_PUNCTUATIONS = '"\'.。,，!！?？:：”)]}、';

/** One word of an alignment, before rounding (times in seconds from the window's start). */
export interface WordTiming {
  /** Text, with its leading space. Empty once merged into a neighbour. */
  word: string;
  /** Token ids. */
  tokens: number[];
  /** Start in seconds. */
  start: number;
  /** End in seconds. */
  end: number;
  /** Mean of its tokens' probabilities. */
  probability: number;
}

/**
 * Each word's start and end (the first time step of its first token's row and of the row after
 * its last token) and probability. The last word of `split` (`<|endoftext|>`) only ends the one
 * before it; with no other word the result is empty.
 * @param path - DTW path over `[1 + text tokens, positions]`: row 0 is `<|notimestamps|>`
 * @param split - words of the text tokens followed by `<|endoftext|>`
 * @param probabilities - one per text token
 */
export function wordTimingsFromPath(path: DtwPath, split: WordTokens, probabilities: ArrayLike<number>): WordTiming[] {
  if (split.tokens.length <= 1) return [];
  const jumpTimes: number[] = [];
  path.textIndices.forEach((row, k) => {
    if (k === 0 || row !== path.textIndices[k - 1]) jumpTimes.push(path.timeIndices[k]! / ALIGNMENT_STEPS_PER_SECOND);
  });
  const boundaries = [0];
  for (const tokens of split.tokens.slice(0, -1)) boundaries.push(boundaries[boundaries.length - 1]! + tokens.length);
  const words: WordTiming[] = [];
  for (let w = 0; w + 1 < boundaries.length; w++) {
    const [b, e] = [boundaries[w]!, boundaries[w + 1]!];
    let sum = 0;
    for (let i = b; i < e; i++) sum += probabilities[i]!;
    words.push({ word: split.words[w]!, tokens: [...split.tokens[w]!], start: jumpTimes[b]!, end: jumpTimes[e]!, probability: sum / (e - b) });
  }
  return words;
}

/**
 * Merges punctuation words into their neighbours in place: a spaced word in `prepended` joins
 * the word after it, a word in `appended` the word before it (one that does not end in a space);
 * the merged word keeps its neighbour's times and probability and is left empty.
 * Python's `in` on strings (a substring test) decides membership, as in openai's.
 */
export function mergePunctuations(alignment: WordTiming[], prepended: string, appended: string): void {
  for (let i = alignment.length - 2, j = alignment.length - 1; i >= 0; i--) {
    const previous = alignment[i]!;
    const following = alignment[j]!;
    if (previous.word.startsWith(' ') && prepended.includes(previous.word.trim())) {
      following.word = previous.word + following.word;
      following.tokens = [...previous.tokens, ...following.tokens];
      previous.word = '';
      previous.tokens = [];
    } else {
      j = i;
    }
  }
  for (let i = 0, j = 1; j < alignment.length; j++) {
    const previous = alignment[i]!;
    const following = alignment[j]!;
    if (!previous.word.endsWith(' ') && appended.includes(following.word)) {
      previous.word += following.word;
      previous.tokens = [...previous.tokens, ...following.tokens];
      following.word = '';
      following.tokens = [];
    } else {
      i = j;
    }
  }
}

/** A segment as word timing sees it: its times (seconds, audio timeline) and text tokens. */
export interface TimedSegment {
  /** Start in seconds on the audio's timeline. */
  start: number;
  /** End in seconds. */
  end: number;
  /** The segment's tokens; only those below `<|endoftext|>` count. */
  readonly tokens: readonly number[];
}

/** What {@link addWordTimestamps} returns. */
export interface SegmentWordTimes {
  /** Per segment: its words, and its start and end after the segment rules. */
  readonly segments: { readonly start: number; readonly end: number; readonly words: Word[] }[];
  /** The end of the last segment with words, or the one given. */
  readonly lastSpeechTimestamp: number;
  /** Median of the non-zero raw word durations, capped at 0.7 s. */
  readonly medianDuration: number;
}

/** Sentence-ending marks whose words are capped at twice the median duration. */
const SENTENCE_END_MARKS = '.。!！?？';

/**
 * openai/whisper `add_word_timestamps` after `find_alignment`: duration caps at sentence marks,
 * punctuation merging, rounding to 0.01 s, and per segment the rule for a long first word after
 * a pause and the preference for segment bounds over a too-long first or last word.
 * @param alignment - raw word timings of the window (mutated: capped and merged)
 * @param segments - the window's segments, in order; their start and end are not mutated
 * @param timeOffset - the window's start in seconds (`seek × 0.01`)
 * @param lastSpeechTimestamp - end of the last speech before this window (seconds)
 */
export function addWordTimestamps(alignment: WordTiming[], segments: readonly TimedSegment[], textTokenCount: (s: TimedSegment) => number,
  timeOffset: number, lastSpeechTimestamp: number, prepend: string, append: string): SegmentWordTimes {
  const durations = alignment.map((t) => t.end - t.start).filter((d) => d !== 0);
  const medianDuration = Math.min(0.7, median(durations));
  const maxDuration = medianDuration * 2;
  if (durations.length > 0) {
    for (let i = 1; i < alignment.length; i++) {
      const w = alignment[i]!;
      if (w.end - w.start > maxDuration) {
        if (SENTENCE_END_MARKS.includes(w.word)) w.end = w.start + maxDuration;
        else if (SENTENCE_END_MARKS.includes(alignment[i - 1]!.word)) w.start = w.end - maxDuration;
      }
    }
  }
  mergePunctuations(alignment, prepend, append);

  let wordIndex = 0;
  let lastSpeech = lastSpeechTimestamp;
  const out: { start: number; end: number; words: Word[] }[] = [];
  for (const segment of segments) {
    const nText = textTokenCount(segment);
    let saved = 0;
    const words: { word: string; start: number; end: number; probability: number; tokens: number[] }[] = [];
    while (wordIndex < alignment.length && saved < nText) {
      const t = alignment[wordIndex]!;
      if (t.word !== '') {
        words.push({ word: t.word, start: roundHundredths(timeOffset + t.start), end: roundHundredths(timeOffset + t.end), probability: t.probability, tokens: t.tokens });
      }
      saved += t.tokens.length;
      wordIndex++;
    }
    let { start, end } = segment;
    if (words.length > 0) {
      const first = words[0]!;
      const second = words[1];
      if (first.end - lastSpeech > medianDuration * 4 &&
        (first.end - first.start > maxDuration || (second !== undefined && second.end - first.start > maxDuration * 2))) {
        if (second !== undefined && second.end - second.start > maxDuration) {
          const boundary = Math.max(second.end / 2, second.end - maxDuration);
          first.end = second.start = boundary;
        }
        first.start = Math.max(0, first.end - maxDuration);
      }
      if (start < first.end && start - 0.5 > first.start) first.start = Math.max(0, Math.min(first.end - medianDuration, start));
      else start = first.start;
      const last = words[words.length - 1]!;
      if (end > last.start && end + 0.5 < last.end) last.end = Math.max(last.start + medianDuration, end);
      else end = last.end;
      lastSpeech = end;
    }
    out.push({ start, end, words });
  }
  return { segments: out, lastSpeechTimestamp: lastSpeech, medianDuration };
}

/** numpy's median (the mean of the two middle values for an even count); 0 for none, as openai. */
function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
