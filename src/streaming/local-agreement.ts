/**
 * LocalAgreement-2 (Macháček et al., "Turning Whisper into Real-Time Transcription System",
 * the whisper_streaming policy) at segment granularity: what the last two hypotheses of the
 * same buffered audio agree on, from the start, is confirmed.
 * @module
 */

/** A hypothesis segment: its text and where it lies on the session's timeline. */
export interface HypothesisSegment {
  /** Text, leading space kept. */
  readonly text: string;
  /** Seconds on the session timeline. */
  readonly start: number;
  /** Seconds on the session timeline. */
  readonly end: number;
  /** Its tokens, timestamp tokens included. */
  readonly tokens: readonly number[];
}

/**
 * How many leading segments of `current` are confirmed: the longest common prefix (by
 * normalised text) of `previous` and `current`, never including the last segment of
 * `current`, whose audio may still be cut off by the end of the buffer.
 */
export function agreedPrefix(previous: readonly HypothesisSegment[], current: readonly HypothesisSegment[]): number {
  const limit = Math.min(previous.length, current.length - 1);
  let n = 0;
  while (n < limit && normalise(previous[n]!.text) === normalise(current[n]!.text)) n++;
  return n;
}

function normalise(text: string): string {
  return text.trim().replace(/\s+/g, ' ');
}
