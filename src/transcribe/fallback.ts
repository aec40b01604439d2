/**
 * The temperature fallback policy of one window, as openai/whisper transcribe.py
 * `decode_with_fallback`: decode greedily first and, while the result looks like a failed
 * decode (repetitive, or improbable), again at the next temperature, on the same audio
 * features; and the no-speech rule by which the seek loop skips a window.
 * @module
 */
import type { Decoder } from '../decoder/decoder.js';
import { type DecodingOptions, decodeWindow } from '../decoder/decoding-task.js';
import type { ResolvedTranscribeOptions } from '../options.js';
import type { Tokenizer } from '../tokenizer/tokenizer.js';
import type { DecodingResult } from '../types.js';

/** The thresholds the policy reads (each `null` when disabled) and the temperatures it tries. */
export type FallbackPolicy = Pick<ResolvedTranscribeOptions,
  'temperatures' | 'compressionRatioThreshold' | 'logprobThreshold' | 'noSpeechThreshold'>;

/** The decode a window keeps, and every temperature tried to get it. */
export interface FallbackOutcome {
  /** The last decode: the first that passed the thresholds, or the one at the last temperature. */
  readonly result: DecodingResult;
  /** Temperatures tried, in order; the last one is `result.temperature`. */
  readonly temperatures: readonly number[];
}

/**
 * Decodes one window at each of `policy.temperatures` in turn until a result passes the
 * thresholds (see {@link needsFallback}), as openai/whisper transcribe.py `decode_with_fallback`:
 * each try is the same decoding options with a new temperature (`DecodingOptions(**kwargs,
 * temperature=t)`), on the same features; the encoder never runs again.
 * @param features - the window's audio features `[nAudioCtx, nAudioState]` row-major
 * @param options - the window's decoding options, without the temperature
 * @throws {@link AmanuensisError} what {@link decodeWindow} throws (`ERR_ABORTED`, decoder failures)
 */
export async function decodeWithFallback(decoder: Decoder, tokenizer: Tokenizer, features: Float32Array,
  options: Omit<DecodingOptions, 'temperature'>, policy: FallbackPolicy): Promise<FallbackOutcome> {
  const tried: number[] = [];
  let result: DecodingResult | undefined;
  for (const temperature of policy.temperatures) {
    tried.push(temperature);
    result = await decodeWindow(decoder, features, tokenizer, { ...options, temperature });
    if (!needsFallback(result, policy)) break;
  }
  // resolveTranscribeOptions guarantees at least one temperature
  return { result: result!, temperatures: tried };
}

/**
 * Whether a decode failed and the next temperature should be tried, as openai/whisper
 * transcribe.py: its compression ratio is above `compressionRatioThreshold` (repetitive text) or
 * its average log-probability below `logprobThreshold`; but a window that looks like silence
 * (no-speech probability above `noSpeechThreshold` and a low log-probability) is not a failed
 * decode, and is not retried.
 */
export function needsFallback(result: DecodingResult, policy: FallbackPolicy): boolean {
  const lowLogprob = policy.logprobThreshold !== null && result.avgLogprob < policy.logprobThreshold;
  if (policy.noSpeechThreshold !== null && result.noSpeechProb > policy.noSpeechThreshold && lowLogprob) return false;
  const repetitive = policy.compressionRatioThreshold !== null && result.compressionRatio > policy.compressionRatioThreshold;
  return repetitive || lowLogprob;
}

/**
 * Whether the seek loop should skip a window as silence, as openai/whisper transcribe.py: its
 * no-speech probability is above `noSpeechThreshold`, unless its average log-probability is
 * above `logprobThreshold` (a confident decode is kept whatever the no-speech probability).
 */
export function isNoSpeech(result: DecodingResult, policy: FallbackPolicy): boolean {
  if (policy.noSpeechThreshold === null) return false;
  if (policy.logprobThreshold !== null && result.avgLogprob > policy.logprobThreshold) return false;
  return result.noSpeechProb > policy.noSpeechThreshold;
}
