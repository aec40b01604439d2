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

/** Every event of a session. */
export type SessionEvent = PartialEvent | SegmentEvent;
