/**
 * Word timestamps against ../shared/golden/words-tiny.en-seed0-jfk (openai/whisper timing.py on
 * the synthetic tiny.en model and jfk.wav; its README pins every choice and the tolerances):
 * the filtered attention matrix within 1e-4, the DTW path exactly, the words, their tokens and
 * times exactly (|Δ| < 0.005 s) and their probabilities to a relative 1e-3 — through the
 * teacher-forced path (`findAlignment` on the golden encoder input `mel30.f32`) for both folders,
 * and through `Transcriber.align()` on jfk.wav for the transcript.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { resolveAlignmentHeads } from '../../src/alignment/alignment-heads.js';
import { alignmentMatrix } from '../../src/alignment/attention-matrix.js';
import { findAlignment, type RawAlignment } from '../../src/alignment/find-alignment.js';
import { addWordTimestamps, DEFAULT_APPEND_PUNCTUATIONS, DEFAULT_PREPEND_PUNCTUATIONS } from '../../src/alignment/word-timing.js';
import { Transcriber } from '../../src/transcriber.js';
import { KERNEL_PATHS } from '../helpers/kernel-paths.js';
import { diffStats, goldenF32, jfkSamplesReference, SYNTHETIC_MODEL, wordsGolden, type WordsGoldenCase } from '../helpers/shared.js';

type GoldenWord = { word: string; tokens: readonly number[]; start: number; end: number; probability: number };

function expectWords(actual: readonly GoldenWord[], expected: readonly GoldenWord[]): void {
  expect(actual.map((w) => w.word)).toEqual(expected.map((w) => w.word));
  expect(actual.map((w) => [...w.tokens])).toEqual(expected.map((w) => w.tokens));
  actual.forEach((w, i) => {
    const e = expected[i]!;
    expect(Math.abs(w.start - e.start)).toBeLessThan(0.005);
    expect(Math.abs(w.end - e.end)).toBeLessThan(0.005);
    expect(Math.abs(w.probability - e.probability) / e.probability).toBeLessThan(1e-3);
  });
}

let t: Transcriber;
let features: Float32Array;

beforeAll(async () => {
  t = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2 });
  features = await t.encoder.encode({ data: goldenF32('mel30.f32'), nMels: 80, nFrames: 3000 });
});
afterAll(() => t.close());

const CASES: readonly { name: WordsGoldenCase; heads: 'default' | 'tiny.en' }[] = [
  { name: 'jfk-text-heads-default', heads: 'default' },
  { name: 'greedy20', heads: 'tiny.en' },
];

describe.each(CASES)('teacher-forced path, $name ($heads heads)', ({ name, heads }) => {
  const golden = wordsGolden(name);
  let raw: RawAlignment;

  it('aligns the golden tokens', async () => {
    const resolved = resolveAlignmentHeads(t.dims, heads);
    raw = await findAlignment(t.decoder, features, {
      tokenizer: t.tokenizer, sotSequence: t.tokenizer.sotSequence('en', 'transcribe'), textTokens: golden.words.text_tokens,
      numFrames: golden.words.num_frames, heads: resolved, language: 'en',
    });
  });

  it('matrix within 1e-4 of matrix.f32', () => {
    expect(raw.matrix.length).toBe(golden.matrix.length);
    expect(diffStats(raw.matrix, golden.matrix).max).toBeLessThanOrEqual(1e-4);
  });

  it('the native matrix is the JavaScript reference\'s (alignmentMatrix) to the bit, and the golden one within 1e-4', async () => {
    const resolved = resolveAlignmentHeads(t.dims, heads);
    const sot = t.tokenizer.sotSequence('en', 'transcribe');
    const tokens = [...sot, t.tokenizer.special.noTimestamps, ...golden.words.text_tokens, t.tokenizer.special.eot];
    const nPositions = Math.floor(golden.words.num_frames / 2);
    const rows = [sot.length, tokens.length - 1] as const;
    const request = { heads: resolved.heads, nPositions, textVocabEnd: t.tokenizer.special.eot };
    const pass = await t.decoder.alignmentPass!(features, tokens, { ...request, matrixRows: rows });
    const { weights } = await t.decoder.alignmentPass!(features, tokens, request);  // the same pass, returning its weights
    const reference = alignmentMatrix(weights!, resolved.heads.length, tokens.length, nPositions, ...rows);
    expect(pass.matrix).toBeInstanceOf(Float64Array);
    expect(pass.weights).toBeUndefined();
    expect(diffStats(pass.matrix!, reference).max).toBe(0);
    expect(diffStats(pass.matrix!, golden.matrix).max).toBeLessThanOrEqual(1e-4);
  });

  it('DTW path exactly', () => {
    expect([...raw.path.textIndices]).toEqual(golden.alignment.text_indices);
    expect([...raw.path.timeIndices]).toEqual(golden.alignment.time_indices);
  });

  it('token probabilities to a relative 1e-3', () => {
    golden.words.token_probabilities.forEach((p, i) => expect(Math.abs(raw.textTokenProbabilities[i]! - p) / p).toBeLessThan(1e-3));
  });

  it('raw words (find_alignment) exactly', () => {
    expectWords(raw.words, golden.words.alignment_raw);
  });

  it('final words and segment bounds (add_word_timestamps) exactly', () => {
    const segment = { start: golden.words.segment_in.start, end: golden.words.segment_in.end, tokens: golden.words.text_tokens };
    const out = addWordTimestamps(raw.words.map((w) => ({ ...w })), [segment], (s) => s.tokens.length, 0, 0,
      DEFAULT_PREPEND_PUNCTUATIONS, DEFAULT_APPEND_PUNCTUATIONS);
    expect(out.medianDuration).toBeCloseTo(golden.words.median_duration, 12);
    expectWords(out.segments[0]!.words, golden.words.words);
    expect(out.segments[0]!.start).toBe(golden.words.segment_out.start);
    expect(out.segments[0]!.end).toBe(golden.words.segment_out.end);
  });
});

// The pass computes the alignment heads' weights from f32 keys and otherwise attends to the f16
// cache as a decode step does, and each kernel path computes it its own way (AVX-512 row blocks,
// AVX2 and portable GEMMs): every path on this CPU stays within the golden tolerances, on the
// reference encoder output.
describe.each(KERNEL_PATHS)('teacher-forced pass on the $name kernels', ({ simd, avx512, int8Activations }) => {
  it.each(CASES)('$name: matrix within 1e-4, DTW path exactly, probabilities to a relative 1e-3', async ({ name, heads }) => {
    const golden = wordsGolden(name);
    const p = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2, simd, avx512, int8Activations });
    try {
      const raw = await findAlignment(p.decoder, goldenF32('encoder.f32'), {
        tokenizer: p.tokenizer, sotSequence: p.tokenizer.sotSequence('en', 'transcribe'), textTokens: golden.words.text_tokens,
        numFrames: golden.words.num_frames, heads: resolveAlignmentHeads(p.dims, heads), language: 'en',
      });
      expect(diffStats(raw.matrix, golden.matrix).max).toBeLessThanOrEqual(1e-4);
      expect([...raw.path.textIndices]).toEqual(golden.alignment.text_indices);
      golden.words.token_probabilities.forEach((q, i) => expect(Math.abs(raw.textTokenProbabilities[i]! - q) / q).toBeLessThan(1e-3));
    } finally {
      p.close();
    }
  });
});

describe('a teacher-forced pass of more than 64 text rows', () => {
  // 100 text tokens: on AVX-512 the probabilities come from the fused vocabulary product in row
  // blocks of 64 (the logits never written), elsewhere from logits and a softmax
  it.runIf(KERNEL_PATHS.some((k) => k.avx512))('gives the probabilities and matrix of the AVX2 path', async () => {
    const loads = [{ avx512: true, int8Activations: false }, { avx512: false, int8Activations: false }];
    const [wide, narrow] = await Promise.all(loads.map((o) => Transcriber.load(SYNTHETIC_MODEL, { threads: 2, ...o })));
    try {
      const textTokens = Array.from({ length: 100 }, (_, i) => 220 + ((i * 7919) % 40000));
      const run = (p: Transcriber) => findAlignment(p.decoder, goldenF32('encoder.f32'), {
        tokenizer: p.tokenizer, sotSequence: p.tokenizer.sotSequence('en', 'transcribe'), textTokens, numFrames: 3000,
        heads: resolveAlignmentHeads(p.dims, 'tiny.en'), language: 'en',
      });
      const [a, b] = await Promise.all([run(wide!), run(narrow!)]);
      expect(a.textTokenProbabilities).toHaveLength(100);
      a.textTokenProbabilities.forEach((q, i) => expect(Math.abs(q - b.textTokenProbabilities[i]!) / b.textTokenProbabilities[i]!).toBeLessThan(1e-4));
      expect(diffStats(a.matrix, b.matrix).max).toBeLessThanOrEqual(1e-4);
    } finally {
      wide!.close();
      narrow!.close();
    }
  });
});

describe('Transcriber.align() on jfk.wav, the transcript, default heads', () => {
  const golden = wordsGolden('jfk-text-heads-default');

  it('gives the golden words, times and probabilities', async () => {
    const r = await t.align(jfkSamplesReference(), golden.words.text, { alignmentHeads: 'default' });
    expect(r.alignmentHeads).toBe('default');
    expect(r.language).toBe('en');
    expectWords(r.words, golden.words.words);
    expect([r.start, r.end]).toEqual([golden.words.segment_out.start, golden.words.segment_out.end]);
  });

  it('the transcript as timed segments: jfk.wav twice, a segment each, gives the golden words twice (the second 11 s later)', async () => {
    const once = jfkSamplesReference();
    const twice = new Float32Array(once.length * 2);
    twice.set(once);
    twice.set(once, once.length);
    const r = await t.align(twice, [{ start: 0, end: 11, text: golden.words.text }, { start: 11, end: 22, text: golden.words.text }], { alignmentHeads: 'default' });
    expect(r.segments).toHaveLength(2);
    expectWords(r.segments[0]!.words, golden.words.words);
    expect([r.segments[0]!.start, r.segments[0]!.end]).toEqual([golden.words.segment_out.start, golden.words.segment_out.end]);
    // the second segment's first word ends 3.28 s after the first's last (9.6 s): more than 4 median
    // durations, so openai's pause rule moves its first two words; the others are the golden's, 11 s on
    const second = r.segments[1]!.words;
    expect(second.map((w) => w.word)).toEqual(golden.words.words.map((w) => w.word));
    expectWords(second.slice(2), golden.words.words.slice(2).map((w) => ({ ...w, start: w.start + 11, end: w.end + 11 })));
    expect(second[0]!.end).toBe(second[1]!.start);
    expect(second[1]!.end).toBeCloseTo(golden.words.words[1]!.end + 11, 9);
    expect(r.words).toHaveLength(2 * golden.words.words.length);
  });

  it('without alignmentHeads takes the tiny.en preset (the synthetic model has tiny.en\'s shape)', async () => {
    const r = await t.align(jfkSamplesReference(), golden.words.text);
    expect(r.alignmentHeads).toBe('tiny.en');
  });
});
