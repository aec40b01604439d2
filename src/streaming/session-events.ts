/**
 * What a {@link TranscriptionSession} emits.
 * @module
 */

/** The current guess for the audio not yet confirmed; replaced by the next one. */
export interface PartialEvent {
  /** Always `'partial'`. */
  readonly type: 'partial';
  /** Text of the unconfirmed tail (may be empty). */
  readonly text: string;
  /** Seconds on the session timeline (0 = the first sample pushed). */
  readonly start: number;
  /** Seconds on the session timeline. */
  readonly end: number;
  /** Milliseconds from the push of the audio at `end` to this event. */
  readonly latencyMs: number;
}

/** Confirmed text: never changed or repeated by later events. */
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
  /** Its tokens, timestamp tokens included. */
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
export type SessionEvent = PartialEvent | SegmentEvent | SpeechStartSessionEvent | SpeechEndSessionEvent;
