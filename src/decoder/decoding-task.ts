/**
 * Decoding of one 30 s window at one temperature, as openai/whisper `decoding.py`
 * DecodingTask: initial tokens (previous-text prompt, SOT sequence), logit filters, a
 * token decoder, then ranking of the candidates.
 * @module
 */
import { TIME_PRECISION } from '../constants.js';
import { throwIfAborted } from '../errors.js';
import type { ResolvedDecodingOptions } from '../options.js';
import type { Tokenizer } from '../tokenizer/tokenizer.js';
import type { DecodingResult } from '../types.js';
import { compressionRatio } from '../utils/compression.js';
import type { PerformanceProfiler } from '../utils/performance-profiler.js';
import type { Decoder } from './decoder.js';
import { ApplyTimestampRules, type LogitFilter, SuppressBlank, SuppressTokens } from './logit-filters.js';
import { BeamSearchDecoder, GreedyDecoder, rankCandidates, type TokenDecoder } from './token-decoders.js';

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
  /** Uniform numbers in [0, 1) for the sampler (seeded per call). */
  readonly random: () => number;
  /** Cancels the decode between steps. */
  readonly signal: AbortSignal | undefined;
  /** Records each decoder step as `step` under the current span. */
  readonly profiler?: PerformanceProfiler;
  /** Called after each sampled token (see {@link DecodeStepProgress}): how far the decode has got. */
  readonly onStep?: (progress: DecodeStepProgress) => void;
}

/** How far one window's decode has got, after each sampled token. */
export interface DecodeStepProgress {
  /** Tokens sampled so far in this decode (per sequence). */
  readonly tokens: number;
  /**
   * The latest timestamp token sampled so far in any sequence, in seconds from the window's
   * start (timestamp tokens count 0.02 s each), or 0 before the first: the audio decoded so far.
   */
  readonly decodedS: number;
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
 * Decodes one window's audio features at one temperature.
 * @param features - audio features `[nAudioCtx, nAudioState]` row-major
 * @throws {@link AmanuensisError} `ERR_ABORTED` when the signal fires, or what the decoder throws
 */
export async function decodeWindow(decoder: Decoder, features: Float32Array, tokenizer: Tokenizer,
  o: DecodingOptions): Promise<DecodingResult> {
  const { eot, noSpeech, timestampBegin } = tokenizer.special;
  const nVocab = decoder.nVocab;
  const { tokens: initial, sampleBegin, sotIndex } = initialTokens(tokenizer, o, decoder.nTextCtx);
  const nSeq = o.temperature === 0 ? (o.beamSize ?? 1) : o.bestOf;
  // as DecodingTask: half the text context by default, and the task and start tokens never sampled
  const sampleLen = o.sampleLen ?? Math.floor(decoder.nTextCtx / 2);
  const suppressTokens = resolveSuppressTokens(tokenizer, o.suppressTokens);

  const filters: LogitFilter[] = [];
  if (o.suppressBlank) filters.push(new SuppressBlank(tokenizer.encode(' '), eot, sampleBegin));
  if (suppressTokens.length > 0) filters.push(new SuppressTokens(suppressTokens));
  if (!o.withoutTimestamps) filters.push(new ApplyTimestampRules(tokenizer.special, sampleBegin, o.maxInitialTimestamp));

  const search: TokenDecoder = o.temperature === 0 && o.beamSize !== undefined
    ? new BeamSearchDecoder(initial, o.beamSize, nVocab, eot, o.patience)
    : new GreedyDecoder(initial, nSeq, nVocab, eot, o.temperature, o.random);

  const session = await decoder.session(features, nSeq);
  let noSpeechProb = Number.NaN;
  let latestTimestamp = 0;
  try {
    const step = (tokens: Int32Array, nNew: number, positions: Int32Array): Promise<Float32Array> =>
      o.profiler === undefined ? session.step(tokens, nNew, positions) : o.profiler.measure('step', () => session.step(tokens, nNew, positions));
    for (let i = 0; i < sampleLen; i++) {
      throwIfAborted(o.signal);
      let logits: Float32Array;
      if (i === 0) {
        // the whole initial block; logits at the SOT position give the no-speech probability
        const block = Int32Array.from(search.sequences.flat());
        const last = initial.length - 1;
        const positions = sotIndex === last ? [last] : [sotIndex, last];
        const out = await step(block, initial.length, Int32Array.from(positions));
        noSpeechProb = noSpeechProbability(out.subarray(0, nVocab), noSpeech);
        logits = positions.length === 1 ? out : pickRows(out, nSeq, positions.length, 1, nVocab);
      } else {
        const lastTokens = Int32Array.from(search.sequences, (s) => s[s.length - 1]!);
        logits = await step(lastTokens, 1, Int32Array.of(0));
      }
      search.sequences.forEach((seq, s) => {
        const r = logits.subarray(s * nVocab, (s + 1) * nVocab);
        for (const f of filters) f.apply(r, seq);
      });
      const outcome = search.update(logits);
      if (outcome.source !== undefined) session.reorder(outcome.source);
      if (o.onStep !== undefined) {
        for (const seq of search.sequences) {
          const last = seq[seq.length - 1]!;
          if (last >= timestampBegin) latestTimestamp = Math.max(latestTimestamp, last - timestampBegin);
        }
        o.onStep({ tokens: i + 1, decodedS: latestTimestamp * TIME_PRECISION });
      }
      // stop before a step would feed more tokens than the text context holds
      if (outcome.completed || (search.sequences[0]?.length ?? 0) > decoder.nTextCtx) break;
    }
  } finally {
    // the caches (tens of megabytes) go now, not at the next garbage collection
    session.close?.();
  }
  const { tokens, sumLogprobs } = search.finalize(sampleBegin);
  const best = rankCandidates(tokens, sumLogprobs, o.lengthPenalty);
  const chosen = tokens[best]!;
  const text = tokenizer.decode(chosen).trim();
  return {
    tokens: chosen,
    text,
    language: o.language,
    avgLogprob: sumLogprobs[best]! / (chosen.length + 1),
    noSpeechProb,
    temperature: o.temperature,
    compressionRatio: compressionRatio(text),
  };
}

/** softmax(logits)[noSpeech], computed stably. */
function noSpeechProbability(logits: Float32Array, noSpeech: number): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i]! > max) max = logits[i]!;
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i]! - max);
  return Math.exp(logits[noSpeech]! - max) / sum;
}

/** From `[nSeq, nPos, nVocab]`, the rows at position `pos` of every sequence: `[nSeq, nVocab]`. */
function pickRows(all: Float32Array, nSeq: number, nPos: number, pos: number, nVocab: number): Float32Array {
  const out = new Float32Array(nSeq * nVocab);
  for (let s = 0; s < nSeq; s++) out.set(all.subarray((s * nPos + pos) * nVocab, (s * nPos + pos + 1) * nVocab), s * nVocab);
  return out;
}
