/**
 * Speech start and end events from a stream of per-frame probabilities: the rules of Silero's
 * `VADIterator` (utils_vad.py, v6.2), one 512-sample frame at a time.
 * @module
 */
import { resolveSpeechSegmentOptions } from './speech-segment-options.js';
import { SAMPLE_RATE } from '../constants.js';
import { VAD_FRAME_SAMPLES } from './vad-constants.js';

/** Speech began: at `startSample` of the stream (`start` seconds), padding included. */
export interface SpeechStartEvent {
  /** Start in seconds (`startSample / 16000`). */
  readonly start: number;
  /** Start in samples of the stream. */
  readonly startSample: number;
}

/** Speech ended: at `endSample` of the stream (`end` seconds), padding included. */
export interface SpeechEndEvent {
  /** End in seconds (`endSample / 16000`). */
  readonly end: number;
  /** End (exclusive) in samples of the stream. */
  readonly endSample: number;
}

/** What a VAD stream reports. */
export type SpeechEvent = SpeechStartEvent | SpeechEndEvent;

/**
 * Options of the streaming VAD: the parameters of Silero's `VADIterator`.
 */
export interface SpeechEventOptions {
  /** A frame whose probability is at least this starts speech. In [0, 1]; default 0.5. */
  readonly threshold?: number;
  /**
   * Inside speech, a frame below this is silence. In [0, threshold]; default
   * `max(threshold - 0.15, 0.01)` (VADIterator's `threshold - 0.15` for every threshold from 0.16).
   */
  readonly negThreshold?: number;
  /** Silence that ends speech, in milliseconds (≥ 0). Default 100. */
  readonly minSilenceDurationMs?: number;
  /** Padding before a start and after an end, in milliseconds (≥ 0). Default 30. */
  readonly speechPadMs?: number;
}

/**
 * Turns probabilities, one per 512-sample frame in stream order, into start and end events as
 * Silero's `VADIterator` does: a start at the first frame at or above the threshold (its first
 * sample minus the padding), an end once `minSilenceDurationMs` of frames below the negative
 * threshold have passed (at the first silent frame plus the padding). Pure: no model.
 */
export class SpeechEventTracker {
  private readonly threshold: number;
  private readonly negThreshold: number;
  private readonly minSilence: number;
  private readonly pad: number;
  private triggered = false;
  private tempEnd = 0;
  private samples = 0;

  /** @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for an option out of range */
  constructor(options: SpeechEventOptions = {}) {
    const o = resolveSpeechSegmentOptions({
      threshold: options.threshold, negThreshold: options.negThreshold,
      minSilenceDurationMs: options.minSilenceDurationMs, speechPadMs: options.speechPadMs,
    });
    this.threshold = o.threshold;
    this.negThreshold = o.negThreshold;
    this.minSilence = (SAMPLE_RATE / 1000) * o.minSilenceDurationMs;
    this.pad = (SAMPLE_RATE / 1000) * o.speechPadMs;
  }

  /** Whether the stream is in speech (a start was reported and no end yet). */
  get inSpeech(): boolean {
    return this.triggered;
  }

  /** Samples of the stream accounted for: 512 per frame pushed. */
  get position(): number {
    return this.samples;
  }

  /** The event the next frame's probability causes, if any. */
  push(probability: number): SpeechEvent | undefined {
    this.samples += VAD_FRAME_SAMPLES;
    if (probability >= this.threshold && this.tempEnd !== 0) this.tempEnd = 0;
    if (probability >= this.threshold && !this.triggered) {
      this.triggered = true;
      const start = Math.trunc(Math.max(0, this.samples - this.pad - VAD_FRAME_SAMPLES));
      return { start: start / SAMPLE_RATE, startSample: start };
    }
    if (probability < this.negThreshold && this.triggered) {
      if (this.tempEnd === 0) this.tempEnd = this.samples;
      if (this.samples - this.tempEnd < this.minSilence) return undefined;
      const end = Math.trunc(this.tempEnd + this.pad - VAD_FRAME_SAMPLES);
      this.tempEnd = 0;
      this.triggered = false;
      return { end: end / SAMPLE_RATE, endSample: end };
    }
    return undefined;
  }

  /**
   * Ends the stream at `totalSamples`: an end event there when speech is still open
   * (`get_speech_timestamps` ends such a segment at the end of the audio; `VADIterator` has no
   * end of stream). The tracker is then ready for a new stream.
   */
  finish(totalSamples: number): SpeechEvent | undefined {
    const open = this.triggered;
    this.triggered = false;
    this.tempEnd = 0;
    this.samples = 0;
    return open ? { end: totalSamples / SAMPLE_RATE, endSample: totalSamples } : undefined;
  }
}
