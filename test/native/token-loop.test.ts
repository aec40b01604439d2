/**
 * The native token loop against the TypeScript one (the reference, src/decoder/token-loop.ts) on
 * the synthetic tiny.en model's audio features of jfk.wav: every candidate's tokens, its summed
 * log-probability and the no-speech probability, for greedy decoding, beam search and seeded
 * best-of sampling, with and without timestamps, with a previous-text prompt, and the sampler's
 * state after. Then what only the native loop does: batching concurrent windows, stopping within
 * a step when aborted, and a throwing progress callback.
 */
import { beforeAll, describe, expect, it } from 'vitest';

import { melWindow } from '../../src/audio/mel-frontend.js';
import { N_SAMPLES } from '../../src/constants.js';
import type { TokenLoopOutcome, TokenLoopRequest } from '../../src/decoder/decoder.js';
import { type DecodingOptions, tokenLoopRequest } from '../../src/decoder/decoding-task.js';
import { runTokenLoop } from '../../src/decoder/token-loop.js';
import { loadNativeAddon } from '../../src/native/binding.js';
import { decodingOptionsOf, resolveTranscribeOptions } from '../../src/options.js';
import { Transcriber } from '../../src/transcriber.js';
import { SeededRandom } from '../../src/utils/random.js';
import { jfkSamplesReference, SYNTHETIC_MODEL } from '../helpers/shared.js';

let t: Transcriber;
let features: Float32Array;

beforeAll(async () => {
  t = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2, encoder: 'cpu', cache: false });
  const mel = t.frontend.compute(jfkSamplesReference(), { paddingSamples: N_SAMPLES });
  features = await t.encoder.encode(melWindow(mel, 0));
});

function request(overrides: Partial<DecodingOptions>, seed = 0): TokenLoopRequest {
  const o: DecodingOptions = {
    ...decodingOptionsOf(resolveTranscribeOptions({})), temperature: 0, language: 'en', prompt: [],
    random: new SeededRandom(seed), signal: undefined, ...overrides,
  };
  return tokenLoopRequest(t.decoder, t.tokenizer, o);
}

async function bothPaths(make: () => TokenLoopRequest): Promise<{ native: TokenLoopOutcome; reference: TokenLoopOutcome; states: number[] }> {
  const a = make();
  const b = make();
  const native = await t.decoder.decodeLoop!(features, a);
  const reference = await runTokenLoop(t.decoder, features, b);
  return { native, reference, states: [a.random.state, b.random.state] };
}

function expectSame(native: TokenLoopOutcome, reference: TokenLoopOutcome): void {
  expect(native.candidates).toEqual(reference.candidates);
  expect(native.sumLogprobs.length).toBe(reference.sumLogprobs.length);
  native.sumLogprobs.forEach((v, i) => expect(v).toBeCloseTo(reference.sumLogprobs[i]!, 9));
  expect(native.noSpeechProb).toBeCloseTo(reference.noSpeechProb, 12);
}

describe('native token loop = TypeScript token loop', () => {
  it('greedy, with timestamps: the same tokens, log-probability and no-speech probability', async () => {
    const { native, reference } = await bothPaths(() => request({ sampleLen: 96 }));
    expect(native.candidates[0]!.length).toBeGreaterThan(20);
    expectSame(native, reference);
  });

  it('greedy without timestamps, and with a previous-text prompt', async () => {
    const plain = await bothPaths(() => request({ withoutTimestamps: true, sampleLen: 64 }));
    expectSame(plain.native, plain.reference);
    const prompt = t.tokenizer.encode(' And so my fellow Americans, ask not what your country can do for you');
    const prompted = await bothPaths(() => request({ prompt, sampleLen: 64 }));
    expectSame(prompted.native, prompted.reference);
    expect(prompted.native.candidates[0]).not.toEqual(plain.native.candidates[0]);
  });

  it('beam search of 5 with patience 2 and a length penalty: every finished candidate', async () => {
    const { native, reference } = await bothPaths(() => request({ beamSize: 5, patience: 2, lengthPenalty: 0.6, sampleLen: 48 }));
    expect(native.candidates.length).toBeGreaterThanOrEqual(5);
    expectSame(native, reference);
    // all the vocabulary but EOT and three tokens suppressed, so that candidates finish early: the
    // finished-candidate path (dedup, order, patience) runs
    const { eot } = t.tokenizer.special;
    const few = Array.from({ length: t.dims.nVocab }, (_, i) => i).filter((i) => ![eot, 220, 50_100, 40_000].includes(i));
    const finishing = await bothPaths(() => request({ beamSize: 5, patience: 2, sampleLen: 48, withoutTimestamps: true, suppressTokens: few }));
    expect(finishing.native.candidates.some((c) => c.length < 47)).toBe(true);
    expectSame(finishing.native, finishing.reference);
  });

  it('beam search keeps round(beams x patience) finished candidates, halves to even as Python rounds', async () => {
    const { native, reference } = await bothPaths(() => request({ beamSize: 5, patience: 0.5, sampleLen: 48 }));
    expectSame(native, reference);
  });

  it('a sampleLen beyond the text context: both stop where the context ends', async () => {
    const { native, reference } = await bothPaths(() => request({ sampleLen: 1000, suppressTokens: [t.tokenizer.special.eot], withoutTimestamps: true }));
    expect(native.candidates[0]!.length).toBeGreaterThan(400);
    expectSame(native, reference);
  });

  it('seeded best-of 5 at temperature 0.7: the same samples, and the sampler left in the same state', async () => {
    for (const seed of [0, 42]) {
      const { native, reference, states } = await bothPaths(() => request({ temperature: 0.7, bestOf: 5, sampleLen: 48 }, seed));
      expect(native.candidates).toHaveLength(5);
      expect(new Set(native.candidates.map((c) => c.join(','))).size).toBeGreaterThan(1);
      expectSame(native, reference);
      expect(states[0]).toBe(states[1]);
      expect(states[0]).not.toBe(new SeededRandom(seed).state);
    }
  });

  it('on the portable kernels too (no vectorized exp): greedy and seeded sampling', async () => {
    const portable = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2, encoder: 'cpu', cache: false, simd: false });
    for (const o of [{ sampleLen: 48 }, { temperature: 0.7, bestOf: 3, sampleLen: 32 }]) {
      const make = (): TokenLoopRequest => request(o, 5);
      const native = await portable.decoder.decodeLoop!(features, make());
      const reference = await runTokenLoop(portable.decoder, features, make());
      expectSame(native, reference);
    }
    portable.close();
  });

  it('whole transcriptions agree, fallback included (the sampler carried across windows and temperatures)', async () => {
    const reference = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2, encoder: 'cpu', cache: false, tokenLoop: 'typescript' });
    const audio = jfkSamplesReference();
    for (const o of [{ temperature: [0, 0.4, 0.8], bestOf: 3, sampleLen: 32, seed: 7 }, { beamSize: 3, temperature: 0, sampleLen: 32 }]) {
      const a = await t.transcribe(audio, o);
      const b = await reference.transcribe(audio, o);
      expect(a.segments.map((s) => [s.tokens, s.temperature])).toEqual(b.segments.map((s) => [s.tokens, s.temperature]));
      expect(a.timings.windows.map((w) => w.temperatures)).toEqual(b.timings.windows.map((w) => w.temperatures));
    }
    reference.close();
  });
});

describe('what only the native loop does', () => {
  it('concurrent windows decode together (batched steps) and each gets what it gets alone', async () => {
    const alone = await t.decoder.decodeLoop!(features, request({ sampleLen: 64 }));
    const seeds = [1, 2, 3];
    const sampled = await Promise.all(seeds.map((seed) => t.decoder.decodeLoop!(features, request({ temperature: 0.5, bestOf: 2, sampleLen: 64 }, seed))));
    const before = loadNativeAddon().decodeSchedulerStats();
    const together = await Promise.all([
      t.decoder.decodeLoop!(features, request({ sampleLen: 64 })),
      ...seeds.map((seed) => t.decoder.decodeLoop!(features, request({ temperature: 0.5, bestOf: 2, sampleLen: 64 }, seed))),
    ]);
    const after = loadNativeAddon().decodeSchedulerStats();
    expect(together[0]).toEqual(alone);
    expect(together.slice(1)).toEqual(sampled);
    // four loops of 64 steps: fewer batched steps than loop steps, some serving all four
    expect(after.steps - before.steps).toBeGreaterThan(after.batches - before.batches);
    expect(after.largestBatch).toBeGreaterThanOrEqual(4);
  });

  it('an abort stops the loop within a few steps: ERR_ABORTED, and the model decodes again at once', async () => {
    const ac = new AbortController();
    let reported = 0;
    const eot = t.tokenizer.special.eot;
    const r = { ...request({ sampleLen: 400, suppressTokens: [eot], withoutTimestamps: true }), signal: ac.signal, onStep: () => { if (++reported === 3) ac.abort(); } };
    const before = loadNativeAddon().decodeSchedulerStats().steps;
    await expect(t.decoder.decodeLoop!(features, r)).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    // the loop ran no more than the steps that were under way when the flag went up, not its 400
    expect(loadNativeAddon().decodeSchedulerStats().steps - before).toBeLessThan(50);
    const again = await t.decoder.decodeLoop!(features, request({ sampleLen: 8 }));
    expect(again.candidates[0]!.length).toBeGreaterThan(0);
  });

  it('an abort while the window\'s features are being set stops the loop before its first step', async () => {
    const ac = new AbortController();
    const before = loadNativeAddon().decodeSchedulerStats().steps;
    const run = t.decoder.decodeLoop!(features, { ...request({ sampleLen: 400 }), signal: ac.signal });
    queueMicrotask(() => ac.abort());
    await expect(run).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    expect(loadNativeAddon().decodeSchedulerStats().steps - before).toBe(0);
  });

  it('a progress callback that throws stops the loop, and the call rejects with its error', async () => {
    const boom = new Error('progress callback failed');
    const r = { ...request({ sampleLen: 200 }), onStep: () => { throw boom; } };
    await expect(t.decoder.decodeLoop!(features, r)).rejects.toBe(boom);
    await expect(t.transcribe(jfkSamplesReference(), { temperature: 0, onProgress: () => { throw boom; } })).rejects.toBe(boom);
  });

  it('bad requests are refused with ERR_INVALID_ARGUMENT and leave the model usable', async () => {
    await expect(t.decoder.decodeLoop!(features, { ...request({}), initial: [] })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(t.decoder.decodeLoop!(features, { ...request({}), initial: [t.dims.nVocab] })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    const ok = await t.decoder.decodeLoop!(features, request({ sampleLen: 4 }));
    expect(ok.candidates).toHaveLength(1);
  });
});
