/**
 * The VAD options of `transcribe(…, { vad })`: Silero's segmentation parameters with
 * faster-whisper's defaults for transcription, and their validation.
 * @module
 */
import { CHUNK_LENGTH } from '../constants.js';
import { AmanuensisError } from '../errors.js';
import { type ResolvedSpeechSegmentOptions, type SpeechSegmentOptions, resolveSpeechSegmentOptions } from '../vad/speech-segment-options.js';

/**
 * The speech segmentation of `transcribe(…, { vad })`: the parameters of Silero's
 * `get_speech_timestamps` (see {@link SpeechSegmentOptions}) with the defaults of
 * faster-whisper's `VadOptions` for transcription rather than Silero's own: every stretch of
 * speech is kept (`minSpeechDurationMs` 0), speech ends only after 2 s of silence
 * (`minSilenceDurationMs` 2000: short pauses stay inside a segment, so words are not cut) and
 * each segment gets 400 ms of audio on each side (`speechPadMs` 400: soft word onsets and ends).
 * `maxSpeechDurationS` defaults to 30 and may not exceed it: a segment must fit in one Whisper window.
 */
export type TranscribeVadOptions = SpeechSegmentOptions;

/**
 * The defaults of {@link TranscribeVadOptions}, frozen (faster-whisper's `VadOptions`, with the
 * longest segment at one window as its batched pipeline sets it): threshold 0.5, minSpeechDurationMs 0,
 * maxSpeechDurationS 30, minSilenceDurationMs 2000, speechPadMs 400.
 */
export const TRANSCRIBE_VAD_DEFAULTS = Object.freeze({
  threshold: 0.5,
  minSpeechDurationMs: 0,
  maxSpeechDurationS: CHUNK_LENGTH,
  minSilenceDurationMs: 2000,
  speechPadMs: 400,
});

/**
 * Validates `vad` and fills in {@link TRANSCRIBE_VAD_DEFAULTS}: `undefined` or `false` is no VAD,
 * `true` the defaults, an object the defaults overridden by its fields.
 * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for a value of the wrong type, an option out
 *   of range, or `maxSpeechDurationS` over 30
 */
export function resolveTranscribeVad(vad: unknown): ResolvedSpeechSegmentOptions | undefined {
  if (vad === undefined || vad === false) return undefined;
  if (vad !== true && (typeof vad !== 'object' || vad === null || Array.isArray(vad))) {
    throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'vad must be a boolean or an object of speech segment options');
  }
  const given = vad === true ? {} : vad as SpeechSegmentOptions;
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  const resolved = resolveSpeechSegmentOptions({ ...TRANSCRIBE_VAD_DEFAULTS, ...defined });
  if (resolved.maxSpeechDurationS > CHUNK_LENGTH) {
    throw new AmanuensisError('ERR_INVALID_ARGUMENT', `vad.maxSpeechDurationS must be at most ${CHUNK_LENGTH} (one window); got ${resolved.maxSpeechDurationS}`);
  }
  return Object.freeze(resolved);
}
