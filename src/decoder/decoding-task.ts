/**
 * Decoding of one 30 s window at one temperature, as openai/whisper `decoding.py`
 * DecodingTask: initial tokens (previous-text prompt, SOT sequence), logit filters, a
 * token decoder, then ranking of the candidates.
 * @module
 */
import type { ResolvedDecodingOptions } from '../options.js';
import type { Tokenizer } from '../tokenizer/tokenizer.js';
import type { DecodingResult } from '../types.js';
import { compressionRatio } from '../utils/compression.js';
import type { PerformanceProfiler } from '../utils/performance-profiler.js';
import type { SeededRandom } from '../utils/random.js';
import type { DecodeStepProgress, Decoder, TokenLoopRequest } from './decoder.js';
import { rankCandidates } from './token-decoders.js';
import { runTokenLoop } from './token-loop.js';

/**
 * Settings of one window's decode, as openai/whisper decoding.py DecodingOptions: the call's
 * resolved decoding options (their `suppressTokens` and `sampleLen` are resolved against the
 * model here, as DecodingTask does), the window's language and prompt and the temperature of
 * this try; with the call's sampler, signal and profiler.
 */
export interface DecodingOptions extends ResolvedDecodingOptions {
  /** Sampling temperature: 0 is greedy, or beam search with `beamSize`; above 0, `bestOf` candidates are sampled. */
  readonly temperature: number;
  /** Language code; must be set for multilingual models. */
  readonly language: string;
  /** Previous text tokens to condition on (the last nTextCtx/2 - 1 are used). */
  readonly prompt: readonly number[];
  /** The sampler, seeded per call and shared by its windows and temperatures. */
  readonly random: SeededRandom;
  /** Cancels the decode between steps. */
  readonly signal: AbortSignal | undefined;
  /** Records each decoder step as `step` under the current span. */
  readonly profiler?: PerformanceProfiler;
  /** Called after each sampled token (see {@link DecodeStepProgress}): how far the decode has got. */
  readonly onStep?: (progress: DecodeStepProgress) => void;
}

/**
 * The suppressed set of openai/whisper `_get_suppress_tokens`: the given tokens (or the
 * non-speech set) plus the task and start tokens, which are never sampled.
 */
export function resolveSuppressTokens(tokenizer: Tokenizer, suppress: readonly number[] | 'non-speech'): number[] {
  const s = tokenizer.special;
  const base = suppress === 'non-speech' ? tokenizer.nonSpeechTokens() : suppress;
  return [...new Set([...base, s.translate, s.transcribe, s.sot, s.sotPrev, s.sotLm, s.noSpeech])].sort((a, b) => a - b);
}

/** The initial tokens of a window and where sampling starts. */
export function initialTokens(tokenizer: Tokenizer, o: Pick<DecodingOptions, 'language' | 'task' | 'prompt' | 'withoutTimestamps'>,
  nTextCtx: number): { tokens: number[]; sampleBegin: number; sotIndex: number } {
  const tokens: number[] = [];
  if (o.prompt.length > 0) {
    tokens.push(tokenizer.special.sotPrev, ...o.prompt.slice(-(Math.floor(nTextCtx / 2) - 1)));
  }
  const sotIndex = tokens.length;
  tokens.push(...tokenizer.sotSequence(o.language, o.task));
  if (o.withoutTimestamps) tokens.push(tokenizer.special.noTimestamps);
  return { tokens, sampleBegin: tokens.length, sotIndex };
}

/**
 * Decodes one window's audio features at one temperature: the decoder's own loop when it has one
 * ({@link Decoder.decodeLoop}), else the TypeScript loop ({@link runTokenLoop}); then the candidates
 * ranked as decoding.py MaximumLikelihoodRanker.
 * @param features - audio features `[nAudioCtx, nAudioState]` row-major
 * @throws {@link AmanuensisError} `ERR_ABORTED` when the signal fires, or what the decoder throws
 */
export async function decodeWindow(decoder: Decoder, features: Float32Array, tokenizer: Tokenizer,
  o: DecodingOptions): Promise<DecodingResult> {
  const request = tokenLoopRequest(decoder, tokenizer, o);
  const outcome = decoder.decodeLoop !== undefined
    ? await decoder.decodeLoop(features, request)
    : await runTokenLoop(decoder, features, request);
  const best = rankCandidates(outcome.candidates, outcome.sumLogprobs, o.lengthPenalty);
  const chosen = [...outcome.candidates[best]!];
  const text = tokenizer.decode(chosen).trim();
  return {
    tokens: chosen,
    text,
    language: o.language,
    avgLogprob: outcome.sumLogprobs[best]! / (chosen.length + 1),
    noSpeechProb: outcome.noSpeechProb,
    temperature: o.temperature,
    compressionRatio: compressionRatio(text),
  };
}

/** The token loop of a window, as DecodingTask resolves it from the decoding options. */
export function tokenLoopRequest(decoder: Pick<Decoder, 'nTextCtx'>, tokenizer: Tokenizer, o: DecodingOptions): TokenLoopRequest {
  const { tokens: initial, sotIndex } = initialTokens(tokenizer, o, decoder.nTextCtx);
  const beam = o.temperature === 0 && o.beamSize !== undefined;
  return {
    initial,
    sotIndex,
    nSeq: o.temperature === 0 ? (o.beamSize ?? 1) : o.bestOf,
    temperature: o.temperature,
    ...(beam && { beamSize: o.beamSize }),
    patience: o.patience,
    // as DecodingTask: half the text context by default, and the task and start tokens never sampled
    sampleLen: o.sampleLen ?? Math.floor(decoder.nTextCtx / 2),
    special: tokenizer.special,
    suppressBlank: o.suppressBlank,
    blankTokens: tokenizer.encode(' '),
    suppressTokens: resolveSuppressTokens(tokenizer, o.suppressTokens),
    timestamps: !o.withoutTimestamps,
    ...(o.maxInitialTimestamp !== undefined && { maxInitialTimestamp: o.maxInitialTimestamp }),
    random: o.random,
    ...(o.signal !== undefined && { signal: o.signal }),
    ...(o.profiler !== undefined && { profiler: o.profiler }),
    ...(o.onStep !== undefined && { onStep: o.onStep }),
  };
}
