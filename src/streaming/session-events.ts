/**
 * What a {@link TranscriptionSession} emits.
 * @module
 */

/** The current guess for the audio not yet confirmed; replaced by the next one. */
export interface PartialEvent {
  /** Always `'partial'`. */
  readonly type: 'partial';
  /** Text of the unconfirmed tail (may be empty): its segments, or with word granularity its words. */
  readonly text: string;
  /** Seconds on the session timeline (0 = the first sample pushed). */
  readonly start: number;
  /** Seconds on the session timeline. */
  readonly end: number;
  /** Milliseconds from the push of the audio at `end` to this event. */
  readonly latencyMs: number;
}

/**
 * A confirmed word (a session with `granularity: 'word'`, the default): never changed or repeated
 * by later events. Each word starts at or after the end of the one before it.
 */
export interface WordEvent {
  /** Always `'word'`. */
  readonly type: 'word';
  /** Text, with its leading space as Whisper writes it (the words joined make the text). */
  readonly word: string;
  /**
   * Seconds on the session timeline, from the word timestamps (openai/whisper `timing.py`) of the
   * window that confirmed it; raised to the previous word's end where the alignment put it earlier.
   */
  readonly start: number;
  /** Seconds on the session timeline, at or after `start`. */
  readonly end: number;
  /** Mean probability of its tokens (0 to 1), in the window that confirmed it. */
  readonly probability: number;
  /** Milliseconds from the push of the audio at `end` to this event. */
  readonly latencyMs: number;
}

/**
 * Confirmed text: never changed or repeated by later events. With word granularity, a segment is
 * made of confirmed words (already emitted as `'word'` events), emitted once the transcription
 * shows the segment ended (or the audio before its end left the buffer, or at the end).
 */
export interface SegmentEvent {
  /** Always `'segment'`. */
  readonly type: 'segment';
  /** 0, 1, 2, … in order of emission. */
  readonly id: number;
  /** Text, leading space kept (as Whisper emits it). */
  readonly text: string;
  /** Seconds on the session timeline. */
  readonly start: number;
  /** Seconds on the session timeline. */
  readonly end: number;
  /**
   * Its tokens: with segment granularity timestamp tokens included, with word granularity the
   * text tokens of its words.
   */
  readonly tokens: readonly number[];
  /** Milliseconds from the push of the audio at `end` to this event. */
  readonly latencyMs: number;
}

/**
 * The Silero gate heard speech begin (a session with `vad: 'silero'`, the default): Silero's
 * `VADIterator` start, padding included.
 */
export interface SpeechStartSessionEvent {
  /** Always `'speechstart'`. */
  readonly type: 'speechstart';
  /** Seconds on the session timeline. */
  readonly start: number;
}

/**
 * The Silero gate heard speech end (`vadOptions.minSilenceDurationMs` of silence; or the session
 * was flushed in speech). Emitted after the `'segment'` events that finalise the text of the
 * speech before it: nothing before `end` is transcribed again.
 */
export interface SpeechEndSessionEvent {
  /** Always `'speechend'`. */
  readonly type: 'speechend';
  /** Seconds on the session timeline, padding included. */
  readonly end: number;
}

/** Every event of a session. */
export type SessionEvent = PartialEvent | WordEvent | SegmentEvent | SpeechStartSessionEvent | SpeechEndSessionEvent;
