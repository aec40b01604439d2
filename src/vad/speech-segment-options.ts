/**
 * The parameters of speech segmentation (Silero's `get_speech_timestamps` and `VADIterator`),
 * their defaults, and their validation.
 * @module
 */
import { AmanuensisError } from '../errors.js';

/**
 * Parameters of {@link speechSegmentsFromProbabilities} and `Vad.speechSegments`, named and
 * defaulted as the parameters of Silero's `get_speech_timestamps` (utils_vad.py, v6.2).
 */
export interface SpeechSegmentOptions {
  /** A frame whose probability is at least this is speech. In [0, 1]; default 0.5. */
  readonly threshold?: number;
  /**
   * Inside speech, a frame whose probability is below this is silence. In [0, threshold];
   * default `max(threshold - 0.15, 0.01)`.
   */
  readonly negThreshold?: number;
  /** Segments this short or shorter are dropped, in milliseconds (≥ 0). Default 250. */
  readonly minSpeechDurationMs?: number;
  /**
   * Longest segment, in seconds (> 0, `Infinity` allowed). A longer one is cut at its longest
   * silence of more than {@link minSilenceAtMaxSpeechMs}, else just before the limit. Default `Infinity`.
   */
  readonly maxSpeechDurationS?: number;
  /** Silence that ends a segment, in milliseconds (≥ 0). Default 100. */
  readonly minSilenceDurationMs?: number;
  /** Padding added on each side of a segment, in milliseconds (≥ 0). Default 30. */
  readonly speechPadMs?: number;
  /** Shortest silence at which a segment over {@link maxSpeechDurationS} may be cut, in milliseconds (≥ 0). Default 98. */
  readonly minSilenceAtMaxSpeechMs?: number;
  /**
   * Cut a segment over {@link maxSpeechDurationS} at its longest silence (true, Silero's default)
   * or at its last one (false, Silero's earlier behaviour). Default true.
   */
  readonly useMaxPossibleSilenceAtMaxSpeech?: boolean;
}

/** {@link SpeechSegmentOptions} with every default applied. */
export type ResolvedSpeechSegmentOptions = Required<SpeechSegmentOptions>;

function numberIn(name: string, value: unknown, fallback: number, min: number, max: number, minExclusive = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value) || (minExclusive ? value <= min : value < min) || value > max) {
    throw new AmanuensisError('ERR_INVALID_ARGUMENT',
      `${name} must be a number in ${minExclusive ? '(' : '['}${min}, ${max}]; got ${String(value)}`);
  }
  return value;
}

/**
 * Applies the defaults and checks every range.
 * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for a value of the wrong type or out of range
 */
export function resolveSpeechSegmentOptions(options: SpeechSegmentOptions = {}): ResolvedSpeechSegmentOptions {
  if (typeof options !== 'object' || options === null) {
    throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'speech segment options must be an object');
  }
  const threshold = numberIn('threshold', options.threshold, 0.5, 0, 1);
  const negThreshold = numberIn('negThreshold', options.negThreshold, Math.max(threshold - 0.15, 0.01), 0, threshold);
  const flag = options.useMaxPossibleSilenceAtMaxSpeech;
  if (flag !== undefined && typeof flag !== 'boolean') {
    throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'useMaxPossibleSilenceAtMaxSpeech must be a boolean');
  }
  return {
    threshold,
    // only a given value is held to [0, threshold]: below a threshold of 0.16 the default exceeds it, as in Silero
    negThreshold,
    minSpeechDurationMs: numberIn('minSpeechDurationMs', options.minSpeechDurationMs, 250, 0, Number.MAX_SAFE_INTEGER),
    maxSpeechDurationS: numberIn('maxSpeechDurationS', options.maxSpeechDurationS, Infinity, 0, Infinity, true),
    minSilenceDurationMs: numberIn('minSilenceDurationMs', options.minSilenceDurationMs, 100, 0, Number.MAX_SAFE_INTEGER),
    speechPadMs: numberIn('speechPadMs', options.speechPadMs, 30, 0, Number.MAX_SAFE_INTEGER),
    minSilenceAtMaxSpeechMs: numberIn('minSilenceAtMaxSpeechMs', options.minSilenceAtMaxSpeechMs, 98, 0, Number.MAX_SAFE_INTEGER),
    useMaxPossibleSilenceAtMaxSpeech: flag ?? true,
  };
}
