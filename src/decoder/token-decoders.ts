/**
 * Strategies that choose the next token of every sequence from filtered logits, as
 * openai/whisper `decoding.py` TokenDecoder (GreedyDecoder, BeamSearchDecoder) and
 * MaximumLikelihoodRanker.
 * @module
 */
import { argmax, logSoftmax, logSumExp, roundHalfEven, topK } from './math.js';

/** The sequences of one window after a decoding step. */
export interface StepOutcome {
  /** Every sequence has finished. */
  readonly completed: boolean;
  /** For beam search: sequence i now continues sequence `source[i]` (the caches must follow). */
  readonly source?: Int32Array;
}

/** Chooses next tokens; owns the sequences and their summed log-probabilities. */
export interface TokenDecoder {
  /** Current sequences (SOT sequence and prompt included). */
  readonly sequences: readonly number[][];
  /**
   * Extends every sequence by one token.
   * @param logits - filtered next-token logits `[nSeq, nVocab]`
   */
  update(logits: Float32Array): StepOutcome;
  /** Finished candidates: sampled tokens (after `sampleBegin`, without EOT) and summed log-probabilities. */
  finalize(sampleBegin: number): { tokens: number[][]; sumLogprobs: number[] };
}

function row(logits: Float32Array, i: number, nVocab: number): Float32Array {
  return logits.subarray(i * nVocab, (i + 1) * nVocab);
}

function untilEot(seq: readonly number[], sampleBegin: number, eot: number): number[] {
  const sampled = seq.slice(sampleBegin);
  const end = sampled.indexOf(eot);
  return end < 0 ? sampled : sampled.slice(0, end);
}

/** Argmax at temperature 0, otherwise sampling from softmax(logits / temperature) (decoding.py GreedyDecoder). */
export class GreedyDecoder implements TokenDecoder {
  readonly sequences: number[][];
  private readonly sumLogprobs: Float64Array;

  /**
   * @param initial - the initial tokens, shared by all sequences
   * @param nSeq - independent candidates (best-of)
   * @param random - uniform [0, 1) source for sampling
   */
  constructor(initial: readonly number[], nSeq: number, private readonly nVocab: number, private readonly eot: number,
    private readonly temperature: number, private readonly random: () => number) {
    this.sequences = Array.from({ length: nSeq }, () => [...initial]);
    this.sumLogprobs = new Float64Array(nSeq);
  }

  update(logits: Float32Array): StepOutcome {
    let completed = true;
    this.sequences.forEach((seq, i) => {
      const r = row(logits, i, this.nVocab);
      const finished = seq[seq.length - 1] === this.eot;
      const next = finished ? this.eot : this.temperature === 0 ? argmax(r) : this.sample(r);
      if (!finished) this.sumLogprobs[i]! += r[next]! - logSumExp(r);
      seq.push(next);
      completed &&= next === this.eot;
    });
    return { completed };
  }

  finalize(sampleBegin: number): { tokens: number[][]; sumLogprobs: number[] } {
    return {
      tokens: this.sequences.map((s) => untilEot(s, sampleBegin, this.eot)),
      sumLogprobs: [...this.sumLogprobs],
    };
  }

  private sample(logits: Float32Array): number {
    let max = -Infinity;
    for (let i = 0; i < logits.length; i++) if (logits[i]! > max) max = logits[i]!;
    const weights = new Float64Array(logits.length);
    let total = 0;
    for (let i = 0; i < logits.length; i++) {
      total += Math.exp((logits[i]! - max) / this.temperature);
      weights[i] = total;
    }
    const target = this.random() * total;
    // first cumulative weight above the target
    let lo = 0;
    let hi = logits.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (weights[mid]! > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/** Beam search over `beamSize` sequences with patience (decoding.py BeamSearchDecoder). */
export class BeamSearchDecoder implements TokenDecoder {
  sequences: number[][];
  private sumLogprobs: number[];
  private readonly finished = new Map<string, { tokens: number[]; logprob: number }>();
  private readonly maxCandidates: number;

  constructor(initial: readonly number[], private readonly beamSize: number, private readonly nVocab: number,
    private readonly eot: number, patience: number) {
    this.sequences = Array.from({ length: beamSize }, () => [...initial]);
    this.sumLogprobs = new Array<number>(beamSize).fill(0);
    // Python's round, as decoding.py: 5 beams x patience 0.5 keep 2 finished candidates, not 3
    this.maxCandidates = roundHalfEven(beamSize * patience);
  }

  update(logits: Float32Array): StepOutcome {
    const scores = new Map<string, { tokens: number[]; logprob: number; source: number }>();
    this.sequences.forEach((prefix, j) => {
      const logprobs = logSoftmax(row(logits, j, this.nVocab));
      for (const token of topK(logprobs, this.beamSize + 1)) {
        const tokens = [...prefix, token];
        scores.set(tokens.join(','), { tokens, logprob: this.sumLogprobs[j]! + logprobs[token]!, source: j });
      }
    });
    const ranked = [...scores.values()].sort((a, b) => b.logprob - a.logprob);
    const next: number[][] = [];
    const nextLogprobs: number[] = [];
    const source: number[] = [];
    const newlyFinished: { tokens: number[]; logprob: number }[] = [];
    for (const candidate of ranked) {
      if (candidate.tokens[candidate.tokens.length - 1] === this.eot) {
        newlyFinished.push(candidate);
      } else {
        next.push(candidate.tokens);
        nextLogprobs.push(candidate.logprob);
        source.push(candidate.source);
        if (next.length === this.beamSize) break;
      }
    }
    for (const f of newlyFinished) {
      if (this.finished.size >= this.maxCandidates) break;
      this.finished.set(f.tokens.join(','), f);
    }
    this.sequences = next;
    this.sumLogprobs = nextLogprobs;
    return { completed: this.finished.size >= this.maxCandidates, source: Int32Array.from(source) };
  }

  finalize(sampleBegin: number): { tokens: number[][]; sumLogprobs: number[] } {
    const candidates = [...this.finished.values()];
    if (candidates.length < this.beamSize) {
      // not enough finished: take the live beams, most likely first
      const order = this.sequences.map((_, i) => i).sort((a, b) => this.sumLogprobs[b]! - this.sumLogprobs[a]!);
      for (const i of order) {
        candidates.push({ tokens: [...this.sequences[i]!, this.eot], logprob: this.sumLogprobs[i]! });
        if (candidates.length >= this.beamSize) break;
      }
    }
    return {
      tokens: candidates.map((c) => untilEot(c.tokens, sampleBegin, this.eot)),
      sumLogprobs: candidates.map((c) => c.logprob),
    };
  }
}

/**
 * Index of the best candidate by log-probability over a length penalty, as decoding.py
 * MaximumLikelihoodRanker: penalty = length, or ((5 + length) / 6)^α with a length penalty α.
 */
export function rankCandidates(tokens: readonly (readonly number[])[], sumLogprobs: readonly number[], lengthPenalty: number | null): number {
  const scores = sumLogprobs.map((logprob, i) => {
    const length = tokens[i]!.length;
    const penalty = lengthPenalty === null ? length : ((5 + length) / 6) ** lengthPenalty;
    return logprob / penalty;
  });
  return argmax(scores);
}
