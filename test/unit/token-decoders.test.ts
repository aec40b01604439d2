import { describe, expect, it } from 'vitest';

import { BeamSearchDecoder, GreedyDecoder, rankCandidates } from '../../src/decoder/token-decoders.js';
import { roundHalfEven } from '../../src/decoder/math.js';
import { seededRandom } from '../../src/utils/random.js';

const V = 6;
const EOT = 5;
/** Logits [nSeq, V] from log-probabilities per sequence (the softmax of a log-probability vector is itself). */
const fromProbs = (...rows: number[][]): Float32Array => Float32Array.from(rows.flat().map((p) => (p === 0 ? -Infinity : Math.log(p))));

describe('GreedyDecoder', () => {
  it('takes the argmax at temperature 0 and sums log-probabilities until EOT', () => {
    const g = new GreedyDecoder([9], 1, V, EOT, 0, Math.random);
    expect(g.update(fromProbs([0.1, 0.6, 0.1, 0.1, 0.05, 0.05])).completed).toBe(false);
    expect(g.update(fromProbs([0.2, 0.1, 0.1, 0.1, 0.1, 0.4])).completed).toBe(true);
    const { tokens, sumLogprobs } = g.finalize(1);
    expect(tokens).toEqual([[1]]);
    expect(sumLogprobs[0]).toBeCloseTo(Math.log(0.6) + Math.log(0.4), 6);
  });

  it('a finished sequence keeps emitting EOT and stops accumulating', () => {
    const g = new GreedyDecoder([9], 2, V, EOT, 0, Math.random);
    g.update(fromProbs([0, 0, 0, 0, 0, 1], [0, 1, 0, 0, 0, 0]));
    const r = g.update(fromProbs([1, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 1]));
    expect(r.completed).toBe(true);
    expect(g.sequences).toEqual([[9, EOT, EOT], [9, 1, EOT]]);
    expect(g.finalize(1).sumLogprobs).toEqual([0, 0]);
  });

  it('samples in proportion to softmax(logits / T)', () => {
    const g = new GreedyDecoder([9], 1, V, EOT, 1, seededRandom(7));
    const counts = new Array<number>(V).fill(0);
    const probs = [0.5, 0.3, 0.2, 0, 0, 0];
    for (let i = 0; i < 4000; i++) {
      g.sequences[0]!.length = 1;
      g.update(fromProbs(probs));
      counts[g.sequences[0]![1]!]!++;
    }
    probs.forEach((p, i) => expect(Math.abs(counts[i]! / 4000 - p)).toBeLessThan(0.03));
  });
});

describe('BeamSearchDecoder', () => {
  it('keeps the most likely prefixes and finds a sequence greedy misses', () => {
    // greedy picks 0 (0.6) then is stuck with 0.3; beam keeps 1 (0.4), whose continuation is certain
    const b = new BeamSearchDecoder([9], 2, V, EOT, 1);
    b.update(fromProbs([0.6, 0.4, 0, 0, 0, 0], [0.6, 0.4, 0, 0, 0, 0]));
    expect(b.sequences).toEqual([[9, 0], [9, 1]]);
    // after 0: 2 (0.5), EOT (0.3), 3 (0.2); after 1: EOT (1.0)
    const r = b.update(fromProbs([0, 0, 0.5, 0.2, 0, 0.3], [0, 0, 0, 0, 0, 1]));
    // ranked: [1,eot] .4 finished, [0,2] .3, [0,eot] .18 finished, [0,3] .12: two finished = beamSize
    expect(b.sequences).toEqual([[9, 0, 2], [9, 0, 3]]);
    expect([...r.source!]).toEqual([0, 0]);
    expect(r.completed).toBe(true);
    const { tokens, sumLogprobs } = b.finalize(1);
    const best = rankCandidates(tokens, sumLogprobs, null);
    expect(tokens[best]).toEqual([1]);
  });
});

describe('rankCandidates (MaximumLikelihoodRanker)', () => {
  it('divides by length, or by the Google NMT penalty ((5 + length) / 6)^alpha', () => {
    const tokens = [[1, 2, 3, 4], [1]];
    const logprobs = [-4, -1.5];
    expect(rankCandidates(tokens, logprobs, null)).toBe(0); // -1 per token beats -1.5
    expect(rankCandidates(tokens, logprobs, 0)).toBe(1); // no penalty: -1.5 beats -4
  });
});

describe('roundHalfEven (Python round, which decoding.py applies to beam_size * patience)', () => {
  it('halves go to the even neighbour; everything else to the nearest', () => {
    expect([0.5, 1.5, 2.5, 3.5, 4.5, 2.4, 2.6, 5, 7.5].map(roundHalfEven)).toEqual([0, 2, 2, 4, 4, 2, 3, 5, 8]);
  });
});
