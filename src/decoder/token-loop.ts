/**
 * One window's token loop in TypeScript, as openai/whisper decoding.py DecodingTask's
 * `_main_loop`: the decoder stepped one token at a time through any {@link Decoder}, the logit
 * filters and the token decoder applied to each step's logits here. It is the reference the
 * native loop ({@link Decoder.decodeLoop} of the CPU decoder) is tested against, and the path of
 * decoders that have no loop of their own.
 * @module
 */
import { TIME_PRECISION } from '../constants.js';
import { throwIfAborted } from '../errors.js';
import type { Decoder, TokenLoopOutcome, TokenLoopRequest } from './decoder.js';
import { ApplyTimestampRules, type LogitFilter, SuppressBlank, SuppressTokens } from './logit-filters.js';
import { BeamSearchDecoder, GreedyDecoder, type TokenDecoder } from './token-decoders.js';

/**
 * Runs the token loop of `request` on `decoder`, step by step.
 * @param features - the window's audio features `[nAudioCtx, nAudioState]` row-major
 * @throws {@link AmanuensisError} `ERR_ABORTED` when the signal fires, or what the decoder throws
 */
export async function runTokenLoop(decoder: Decoder, features: Float32Array, request: TokenLoopRequest): Promise<TokenLoopOutcome> {
  const r = request;
  const { eot, noSpeech, timestampBegin } = r.special;
  const nVocab = decoder.nVocab;
  const initial = [...r.initial];
  const sampleBegin = initial.length;

  const filters: LogitFilter[] = [];
  if (r.suppressBlank) filters.push(new SuppressBlank(r.blankTokens, eot, sampleBegin));
  if (r.suppressTokens.length > 0) filters.push(new SuppressTokens(r.suppressTokens));
  if (r.timestamps) filters.push(new ApplyTimestampRules(r.special, sampleBegin, r.maxInitialTimestamp, r.requireInitialTimestamp ?? true));

  const search: TokenDecoder = r.beamSize !== undefined
    ? new BeamSearchDecoder(initial, r.beamSize, nVocab, eot, r.patience)
    : new GreedyDecoder(initial, r.nSeq, nVocab, eot, r.temperature, () => r.random.next());

  const session = await decoder.session(features, r.nSeq);
  let noSpeechProb = Number.NaN;
  let latestTimestamp = 0;
  try {
    const step = (tokens: Int32Array, nNew: number, positions: Int32Array): Promise<Float32Array> =>
      r.profiler === undefined ? session.step(tokens, nNew, positions) : r.profiler.measure('step', () => session.step(tokens, nNew, positions));
    for (let i = 0; i < r.sampleLen; i++) {
      throwIfAborted(r.signal);
      let logits: Float32Array;
      if (i === 0) {
        // the whole initial block; logits at the SOT position give the no-speech probability
        const block = Int32Array.from(search.sequences.flat());
        const last = initial.length - 1;
        const positions = r.sotIndex === last ? [last] : [r.sotIndex, last];
        const out = await step(block, initial.length, Int32Array.from(positions));
        noSpeechProb = noSpeechProbability(out.subarray(0, nVocab), noSpeech);
        logits = positions.length === 1 ? out : pickRows(out, r.nSeq, positions.length, 1, nVocab);
      } else {
        const lastTokens = Int32Array.from(search.sequences, (s) => s[s.length - 1]!);
        logits = await step(lastTokens, 1, Int32Array.of(0));
      }
      search.sequences.forEach((seq, s) => {
        const row = logits.subarray(s * nVocab, (s + 1) * nVocab);
        for (const f of filters) f.apply(row, seq);
      });
      const outcome = search.update(logits);
      if (outcome.source !== undefined) session.reorder(outcome.source);
      if (r.onStep !== undefined) {
        for (const seq of search.sequences) {
          const last = seq[seq.length - 1]!;
          if (last >= timestampBegin) latestTimestamp = Math.max(latestTimestamp, last - timestampBegin);
        }
        r.onStep({ tokens: i + 1, decodedS: latestTimestamp * TIME_PRECISION });
      }
      // stop before a step would feed more tokens than the text context holds
      if (outcome.completed || (search.sequences[0]?.length ?? 0) > decoder.nTextCtx) break;
    }
  } finally {
    // the caches (tens of megabytes) go now, not at the next garbage collection
    session.close?.();
  }
  const { tokens, sumLogprobs } = search.finalize(sampleBegin);
  return { candidates: tokens, sumLogprobs, noSpeechProb };
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
