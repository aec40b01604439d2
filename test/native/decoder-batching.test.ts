/**
 * Decoder steps of several concurrent decoders run as one native batch: each decoder's
 * logits equal the float64 reference (and its own unbatched step), and one refused entry
 * does not fail the others.
 */
import { describe, expect, it } from 'vitest';

import { CpuDecoder } from '../../src/decoder/cpu-decoder.js';
import { argmax } from '../../src/decoder/math.js';
import { DecoderStepBatcher } from '../../src/decoder/step-batcher.js';
import { indexModelFile } from '../../src/model/ggml-loader.js';
import { hparamsInFileOrder, loadNativeAddon, type NativeModelHandle } from '../../src/native/binding.js';
import { KERNEL_PATHS } from '../helpers/kernel-paths.js';
import { diffStats, goldenF32, goldenMeta, SYNTHETIC_MODEL } from '../helpers/shared.js';

const addon = loadNativeAddon();
const file = await indexModelFile(SYNTHETIC_MODEL);
const V = file.dims.nVocab;

// a second window: the reference features with every value negated (a different audio, same shape)
const golden = goldenF32('encoder.f32');
const other = golden.map((v) => -v);

describe.each(KERNEL_PATHS)('$name kernels', ({ name, simd, avx512, int8Activations }) => {
  let model: NativeModelHandle;

  it('load', async () => {
    model = await addon.loadModel(file.path, { hparams: hparamsInFileOrder(file.dims), tensors: file.tensors, ...{ threads: 2, simd, avx512, int8Activations } });
    expect(model.info().kernels).toBe(name);
  });

  it('one batch of three decoders (different windows, sequence counts and block lengths) gives each its own logits', async () => {
    const meta = goldenMeta();
    const forced = Int32Array.from(meta.forced_tokens);
    const a = model.createDecoder({ nSeq: 1 });
    const b = model.createDecoder({ nSeq: 3 });
    const c = model.createDecoder({ nSeq: 2 });
    await a.setFeatures(golden, { threads: 2 });
    await b.setFeatures(other, { threads: 2 });
    await c.setFeatures(golden, { threads: 2 });
    const bTokens = Int32Array.from([50257, 50362, 50257, 50362, 1332, 50362]);
    const cTokens = Int32Array.from([50257, 50257]);
    const results = await addon.stepDecoders([
      { decoder: a, tokens: forced, nNew: forced.length, positions: Int32Array.from(forced.keys()) },
      { decoder: b, tokens: bTokens, nNew: 2, positions: Int32Array.of(1) },
      { decoder: c, tokens: cTokens, nNew: 1, positions: Int32Array.of(0) },
    ], { threads: 2 });
    expect(results.map((r) => r instanceof Float32Array)).toEqual([true, true, true]);
    const [ra, rb, rc] = results as Float32Array[];

    // the window of the reference decodes as the reference does
    expect(diffStats(ra!, goldenF32('logits.f32')).max).toBeLessThanOrEqual(2e-2);

    // the others as they do alone
    const bAlone = model.createDecoder({ nSeq: 3 });
    await bAlone.setFeatures(other, { threads: 2 });
    expect(diffStats(rb!, await bAlone.step(bTokens, { nNew: 2, positions: Int32Array.of(1), threads: 2 })).max).toBeLessThan(1e-4);
    const cAlone = model.createDecoder({ nSeq: 2 });
    await cAlone.setFeatures(golden, { threads: 2 });
    expect(diffStats(rc!, await cAlone.step(cTokens, { nNew: 1, positions: Int32Array.of(0), threads: 2 })).max).toBeLessThan(1e-4);
    // and the windows do differ (the batch did not mix them up)
    expect(diffStats(rb!.subarray(0, V), rc!.subarray(0, V)).max).toBeGreaterThan(1e-2);
    expect([a.nPast, b.nPast, c.nPast]).toEqual([forced.length, 2, 1]);
  });

  it('a released window\'s caches serve the next window: its logits and weights are the new window\'s, its f32 keys only its own heads\'', async () => {
    const forced = Int32Array.from(goldenMeta().forced_tokens);
    const step = { nNew: forced.length, positions: Int32Array.from(forced.keys()), threads: 2 };
    const align = { heads: Int32Array.of(2, 1), nPositions: 100, textVocabEnd: 50256, threads: 2 };
    // the expected results, from caches mapped while no window was released
    const fresh = model.createDecoder({ nSeq: 1 });
    await fresh.setFeatures(golden, { threads: 2 });
    const expectedLogits = await fresh.step(forced, step);
    const expectedWeights = (await model.createDecoder({ nSeq: 1 }).align(forced, { ...align, features: golden })).weights!;
    const before = model.createDecoder({ nSeq: 1 });
    await before.setFeatures(other, { threads: 2, keepF32Heads: Int32Array.of(3, 0, 2, 1) });
    await before.step(forced, step);
    before.release();  // its caches go back to the model
    const next = model.createDecoder({ nSeq: 1 });
    await next.setFeatures(golden, { threads: 2, keepF32Heads: Int32Array.of(2, 1) });
    expect(diffStats(await next.step(forced, step), expectedLogits).max).toBe(0);
    const aligner = model.createDecoder({ nSeq: 1 });
    aligner.shareFeatures(next);
    expect(diffStats((await aligner.align(forced, align)).weights!, expectedWeights).max).toBe(0);
    await expect(aligner.align(forced, { ...align, heads: Int32Array.of(3, 0) })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    for (const d of [fresh, next, aligner]) d.release();
  });

  it('refused entries settle as their own errors; the rest of the batch runs and nothing stays busy', async () => {
    const good = model.createDecoder({ nSeq: 1 });
    const full = model.createDecoder({ nSeq: 1 });
    await good.setFeatures(golden, { threads: 2 });
    await full.setFeatures(golden, { threads: 2 });
    await full.step(new Int32Array(448).fill(50257), { nNew: 448, positions: Int32Array.of(0), threads: 2 });
    const one = Int32Array.of(50257);
    const at0 = Int32Array.of(0);
    const results = await addon.stepDecoders([
      { decoder: good, tokens: one, nNew: 1, positions: at0 },
      { decoder: good, tokens: one, nNew: 1, positions: at0 },
      { decoder: full, tokens: one, nNew: 1, positions: at0 },
      { decoder: {} as never, tokens: one, nNew: 1, positions: at0 },
      { decoder: model.createDecoder({ nSeq: 1 }), tokens: Int32Array.of(V), nNew: 1, positions: at0 },
    ], { threads: 2 });
    expect(results[0]).toBeInstanceOf(Float32Array);
    expect(results.slice(1).map((r) => (r as { code?: string }).code))
      .toEqual(['ERR_DECODER_BUSY', 'ERR_CONTEXT_OVERFLOW', 'ERR_INVALID_ARGUMENT', 'ERR_INVALID_ARGUMENT']);
    // the busy flags were released: both decoders accept the next operation
    await expect(good.step(one, { nNew: 1, positions: at0, threads: 2 })).resolves.toBeInstanceOf(Float32Array);
    expect(() => full.reorder(Int32Array.of(0))).not.toThrow();
  });

  it('two concurrent greedy decodes through the batcher share batches and each reproduces its unbatched tokens', async () => {
    const meta = goldenMeta();
    const greedy = async (decoder: CpuDecoder, features: Float32Array, steps: number): Promise<number[]> => {
      const session = await decoder.session(features, 1);
      const tokens = [meta.greedy_tokens[0]!];
      for (let i = 0; i < steps; i++) {
        tokens.push(argmax(await session.step(Int32Array.of(tokens[tokens.length - 1]!), 1, Int32Array.of(0))));
      }
      session.close?.();
      return tokens;
    };
    const steps = meta.greedy_tokens.length - 1;
    const alone = new CpuDecoder(model, file.dims, 2);
    const otherAlone = await greedy(alone, other, steps);

    const batcher = new DecoderStepBatcher(addon, 2);
    const batched = new CpuDecoder(model, file.dims, 2, batcher);
    const [mine, theirs] = await Promise.all([greedy(batched, golden, steps), greedy(batched, other, steps)]);
    expect(mine).toEqual(meta.greedy_tokens);
    expect(theirs).toEqual(otherAlone);
    const stats = batcher.stats;
    expect(stats.steps).toBe(2 * steps);
    expect(stats.largestBatch).toBe(2);
    expect(stats.batches).toBeLessThan(stats.steps);
  });

  it('maxSequences bounds a batch', async () => {
    const batcher = new DecoderStepBatcher(addon, 2, { maxSequences: 4 });
    const decoder = new CpuDecoder(model, file.dims, 2, batcher);
    const sessions = await Promise.all([3, 3, 1].map((n) => decoder.session(golden, n)));
    await Promise.all(sessions.map((s) => s.step(new Int32Array(s.nSeq).fill(50257), 1, Int32Array.of(0))));
    // 3 + 3 > 4: the second session waits for a batch of its own, which the third joins
    expect(batcher.stats).toEqual({ batches: 2, steps: 3, largestBatch: 2 });
    expect(() => new DecoderStepBatcher(addon, 2, { maxSequences: 0 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});
