/**
 * Logit filters applied before each token is chosen, as openai/whisper `decoding.py`
 * LogitFilter and its subclasses. Each works on one sequence's logits `[nVocab]` in place.
 * @module
 */
import { TIME_PRECISION } from '../constants.js';
import type { SpecialTokens } from '../tokenizer/tokenizer.js';
import { logSumExp, maxOf } from './math.js';

/** One rule that masks tokens by setting their logits to -Infinity. */
export interface LogitFilter {
  /**
   * Masks the tokens this rule forbids next.
   * @param logits - the next-token logits of one sequence, `[nVocab]`, modified in place
   * @param tokens - the sequence so far: SOT sequence (and prompt) then sampled tokens
   */
  apply(logits: Float32Array, tokens: readonly number[]): void;
}

/** Forbids a blank (a lone space) or EOT as the first sampled token, as decoding.py SuppressBlank. */
export class SuppressBlank implements LogitFilter {
  constructor(private readonly blankTokens: readonly number[], private readonly eot: number, private readonly sampleBegin: number) {}

  /** {@inheritDoc LogitFilter.apply} */
  apply(logits: Float32Array, tokens: readonly number[]): void {
    if (tokens.length !== this.sampleBegin) return;
    for (const t of this.blankTokens) logits[t] = -Infinity;
    logits[this.eot] = -Infinity;
  }
}

/** Forbids a fixed set of tokens at every step, as decoding.py SuppressTokens. */
export class SuppressTokens implements LogitFilter {
  constructor(private readonly suppress: readonly number[]) {}

  /** {@inheritDoc LogitFilter.apply} */
  apply(logits: Float32Array): void {
    for (const t of this.suppress) if (t < logits.length) logits[t] = -Infinity;
  }
}

/**
 * Whisper's timestamp grammar, as decoding.py ApplyTimestampRules: timestamps come in pairs
 * (except right before EOT), never decrease, the first sampled token is a timestamp no later
 * than `maxInitialTimestamp`, and a timestamp is forced when the timestamps together are
 * more probable than any single text token.
 */
export class ApplyTimestampRules implements LogitFilter {
  private readonly maxInitialTimestampIndex: number | undefined;

  /**
   * @param special - the vocabulary's special tokens
   * @param sampleBegin - index of the first sampled token in the sequence
   * @param maxInitialTimestamp - seconds, or undefined for no limit
   * @param requireInitialTimestamp - the first sampled token must be a timestamp (openai/whisper);
   *   false reproduces whisper.cpp, which lets the first token be text
   */
  constructor(private readonly special: Pick<SpecialTokens, 'eot' | 'noTimestamps' | 'timestampBegin'>, private readonly sampleBegin: number, maxInitialTimestamp: number | undefined,
    private readonly requireInitialTimestamp = true) {
    this.maxInitialTimestampIndex = maxInitialTimestamp === undefined ? undefined : Math.round(maxInitialTimestamp / TIME_PRECISION);
  }

  /** {@inheritDoc LogitFilter.apply} */
  apply(logits: Float32Array, tokens: readonly number[]): void {
    const { eot, noTimestamps, timestampBegin } = this.special;
    const nVocab = logits.length;
    const mask = (from: number, to: number): void => {
      for (let t = Math.max(0, from); t < Math.min(to, nVocab); t++) logits[t] = -Infinity;
    };
    // <|notimestamps|> is handled by the SOT sequence, never sampled
    logits[noTimestamps] = -Infinity;

    const sampled = tokens.slice(this.sampleBegin);
    const n = sampled.length;
    const lastWasTimestamp = n >= 1 && sampled[n - 1]! >= timestampBegin;
    const penultimateWasTimestamp = n < 2 || sampled[n - 2]! >= timestampBegin;
    if (lastWasTimestamp) {
      if (penultimateWasTimestamp) mask(timestampBegin, nVocab); // a pair is complete: text must follow
      else mask(0, eot); // a lone timestamp closes a segment: another timestamp or EOT
    }

    const timestamps = sampled.filter((t) => t >= timestampBegin);
    if (timestamps.length > 0) {
      // never decrease; a segment that just closed must also have nonzero length
      const last = timestamps[timestamps.length - 1]!;
      const timestampLast = lastWasTimestamp && !penultimateWasTimestamp ? last : last + 1;
      mask(timestampBegin, timestampLast);
    }

    if (n === 0) {
      if (this.requireInitialTimestamp) mask(0, timestampBegin); // the first sampled token is a timestamp
      if (this.maxInitialTimestampIndex !== undefined) mask(timestampBegin + this.maxInitialTimestampIndex + 1, nVocab);
    }

    // if the timestamps together are more probable than any text token, sample a timestamp;
    // both sides share the softmax normaliser, so comparing in logit space is the same test
    const timestampLogprob = logSumExp(logits, timestampBegin, nVocab);
    if (timestampLogprob > maxOf(logits, 0, timestampBegin)) mask(0, timestampBegin);
  }
}
