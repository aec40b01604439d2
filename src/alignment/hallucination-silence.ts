/**
 * openai/whisper `transcribe.py`'s `hallucination_silence_threshold`: with word timestamps, a
 * segment whose words look anomalous (improbable, very short or very long) and that is
 * surrounded by silence is taken for a hallucination; the window is cut before it and decoding
 * resumes after the silence.
 * @module
 */
import type { Word } from '../types.js';

/** openai's `punctuation` in `transcribe()`: its default prepend and append sets together (words made of it are not scored). */
const PUNCTUATION = '"\'“¿([{-"\'.。,，!！?？:：”)]}、';

/** A segment of the window after the word rules: its bounds and words. */
export interface WordSegment {
  /** Start in seconds (after the word rules). */
  readonly start: number;
  /** End in seconds. */
  readonly end: number;
  /** Its words, times in seconds on the audio's timeline. */
  readonly words: readonly Word[];
}

/** openai `word_anomaly_score`: improbable (< 0.15), shorter than 0.133 s or longer than 2 s. */
export function wordAnomalyScore(word: Word): number {
  const duration = word.end - word.start;
  let score = 0;
  if (word.probability < 0.15) score += 1;
  if (duration < 0.133) score += (0.133 - duration) * 15;
  if (duration > 2.0) score += duration - 2.0;
  return score;
}

/** openai `is_segment_anomaly`: the first 8 non-punctuation words score 3 or more, or about 1 each. */
export function isSegmentAnomaly(segment: WordSegment | undefined): boolean {
  if (segment === undefined || segment.words.length === 0) return false;
  const words = segment.words.filter((w) => !PUNCTUATION.includes(w.word)).slice(0, 8);
  const score = words.reduce((sum, w) => sum + wordAnomalyScore(w), 0);
  return score >= 3 || score + 0.01 >= words.length;
}

/** Where a window stands when the rule runs. Times in seconds, frames in 10 ms. */
export interface HallucinationWindow {
  /** The window's segments, in order. */
  readonly segments: readonly WordSegment[];
  /** `hallucinationSilenceThreshold`, in seconds. */
  readonly threshold: number;
  /** The window's first frame (openai `previous_seek`). */
  readonly seek: number;
  /** Frames of audio in the window (`segment_size`). */
  readonly segmentFrames: number;
  /** Frames of audio in the whole input (`content_frames`). */
  readonly contentFrames: number;
  /** The window ended on a single timestamp. */
  readonly singleTimestampEnding: boolean;
  /** End of the last speech before the window. */
  readonly lastSpeechTimestamp: number;
  /** Where the next window would start without the rule. */
  readonly nextSeek: number;
}

/** What the rule decides. */
export interface HallucinationDecision {
  /** Where the next window starts. */
  readonly seek: number;
  /** How many of the window's segments are kept (from the first); 0 with `skipWindow`. */
  readonly keep: number;
  /** The window's first segment is an anomaly after a long gap: the window is decoded again from the end of the gap. */
  readonly skipWindow: boolean;
}

/** Python's `round()` to an integer: exact halves to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const FRAMES_PER_SECOND = 100;

/** The last word's end of `segments`, else the last segment's end (openai `get_end`). */
export function lastWordEnd(segments: readonly WordSegment[]): number | undefined {
  for (let i = segments.length - 1; i >= 0; i--) {
    const words = segments[i]!.words;
    if (words.length > 0) return words[words.length - 1]!.end;
  }
  return segments[segments.length - 1]?.end;
}

/** openai/whisper's skip of silence before possible hallucinations, for one window. */
export function skipSilenceBeforeHallucinations(w: HallucinationWindow): HallucinationDecision {
  const timeOffset = w.seek / FRAMES_PER_SECOND;
  const windowEndTime = (w.seek + 3000) / FRAMES_PER_SECOND;
  const segmentDuration = w.segmentFrames / FRAMES_PER_SECOND;
  const contentDuration = w.contentFrames / FRAMES_PER_SECOND;
  const { threshold, segments } = w;
  let seek = w.nextSeek;
  if (!w.singleTimestampEnding) {
    const end = lastWordEnd(segments);
    if (end !== undefined && end > timeOffset) {
      seek = windowEndTime - end > threshold ? roundHalfEven(end * FRAMES_PER_SECOND) : w.seek + w.segmentFrames;
    }
  }
  const withWords = (from: number): WordSegment | undefined => segments.slice(from).find((s) => s.words.length > 0);
  const first = withWords(0);
  if (first !== undefined && isSegmentAnomaly(first)) {
    const gap = first.start - timeOffset;
    if (gap > threshold) return { seek: w.seek + roundHalfEven(gap * FRAMES_PER_SECOND), keep: 0, skipWindow: true };
  }
  let lastEnd = w.lastSpeechTimestamp;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment.words.length === 0) continue;
    if (isSegmentAnomaly(segment)) {
      const next = withWords(i + 1);
      const nextStart = next !== undefined ? next.words[0]!.start : timeOffset + segmentDuration;
      const silenceBefore = segment.start - lastEnd > threshold || segment.start < threshold || segment.start - timeOffset < 2.0;
      const silenceAfter = nextStart - segment.end > threshold || isSegmentAnomaly(next) || windowEndTime - segment.end < 2.0;
      if (silenceBefore && silenceAfter) {
        seek = roundHalfEven(Math.max(timeOffset + 1, segment.start) * FRAMES_PER_SECOND);
        if (contentDuration - segment.end < threshold) seek = w.contentFrames;
        return { seek, keep: i, skipWindow: false };
      }
    }
    lastEnd = segment.end;
  }
  return { seek, keep: segments.length, skipWindow: false };
}
