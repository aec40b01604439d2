/**
 * Word timestamps through the public API: `transcribe({ wordTimestamps })` on the synthetic
 * tiny.en model and jfk.wav, `align()`'s checks, and the native pass's validation.
 */
import { readFileSync } from 'node:fs';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { resolveAlignmentHeads } from '../../src/alignment/alignment-heads.js';
import { findAlignment } from '../../src/alignment/find-alignment.js';
import { parseGgmlModel } from '../../src/model/ggml-loader.js';
import { hparamsInFileOrder, loadNativeAddon } from '../../src/native/binding.js';
import { Transcriber } from '../../src/transcriber.js';
import { goldenF32, jfkSamplesReference, SYNTHETIC_MODEL } from '../helpers/shared.js';

let t: Transcriber;
const jfk = jfkSamplesReference();

beforeAll(async () => {
  t = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2 });
});
afterAll(() => t.close());

describe('transcribe({ wordTimestamps: true })', () => {
  it('gives every segment its words: their text is the segment\'s, their times ordered within the audio', async () => {
    const r = await t.transcribe(jfk, { wordTimestamps: true, temperature: 0, sampleLen: 24 });
    expect(r.alignmentHeads).toBe('tiny.en');
    expect(r.segments.length).toBeGreaterThan(0);
    for (const s of r.segments) {
      expect(s.words).toBeDefined();
      expect(s.words!.map((w) => w.word).join('')).toBe(s.text);
      let previousEnd = 0;
      for (const w of s.words!) {
        expect(w.start).toBeGreaterThanOrEqual(previousEnd - 1e-9);
        expect(w.end).toBeGreaterThanOrEqual(w.start);
        expect(w.end).toBeLessThanOrEqual(r.durationS);
        expect(w.probability).toBeGreaterThan(0);
        expect(w.probability).toBeLessThanOrEqual(1);
        expect(Math.round(w.start * 100) / 100).toBe(w.start);
        previousEnd = w.end;
      }
    }
    for (const w of r.timings.windows) if (w.skipped === undefined) expect(w.wordsMs).toBeGreaterThan(0);
  });

  it('without it, segments have no words', async () => {
    const r = await t.transcribe(jfk, { temperature: 0, sampleLen: 8 });
    expect(r.segments.every((s) => s.words === undefined)).toBe(true);
    expect(r.alignmentHeads).toBeUndefined();
  });

  it('refuses bad word options', async () => {
    await expect(t.transcribe(jfk, { wordTimestamps: 'yes' as unknown as boolean })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(t.transcribe(jfk, { wordTimestamps: true, alignmentHeads: [[9, 0]] })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(t.transcribe(jfk, { wordTimestamps: true, appendPunctuations: 3 as unknown as string })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(t.transcribe(jfk, { wordTimestamps: true, hallucinationSilenceThreshold: -1 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });

  it('with hallucinationSilenceThreshold the transcription still covers the audio in order, every segment with words', async () => {
    const r = await t.transcribe(jfk, { wordTimestamps: true, temperature: 0, sampleLen: 24, hallucinationSilenceThreshold: 1 });
    let previous = 0;
    for (const s of r.segments) {
      expect(s.words!.map((w) => w.word).join('')).toBe(s.text);
      expect(s.start).toBeGreaterThanOrEqual(previous - 1e-9);
      previous = s.start;
    }
    const decoded = r.timings.windows.filter((w) => w.skipped === undefined);
    expect(decoded.length).toBeGreaterThan(0);
  });
});

describe('align()', () => {
  it('refuses audio over 30 s, empty text, a language the model cannot do and bad heads', async () => {
    await expect(t.align(new Float32Array(480_001), 'hello')).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(t.align(jfk, '   ')).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(t.align(jfk, 'hello', { language: 'de' })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(t.align(jfk, 'hello', { alignmentHeads: 'nope' as never })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(t.align(new Float32Array(0), 'hello')).rejects.toMatchObject({ code: 'ERR_INVALID_AUDIO' });
    await expect(t.align(jfk, 'hello '.repeat(500))).rejects.toMatchObject({ code: 'ERR_CONTEXT_OVERFLOW' });
    const long = new Float32Array(16_000 * 40);
    for (const bad of [[], [{ start: 0, end: 31, text: 'a' }], [{ start: 5, end: 41, text: 'a' }], [{ start: 3, end: 3, text: 'a' }],
      [{ start: -1, end: 3, text: 'a' }], [{ start: 0, end: 3, text: ' ' }], [null],
      [{ start: 10, end: 20, text: 'a' }, { start: 15, end: 25, text: 'b' }], [{ start: 10, end: 20, text: 'a' }, { start: 0, end: 5, text: 'b' }]]) {
      await expect(t.align(long, bad as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    }
  });

  it('a word per word of the text, in order, within the audio', async () => {
    const r = await t.align(jfk.subarray(0, 16_000 * 3), 'And so, my fellow');
    expect(r.words.map((w) => w.word)).toEqual([' And', ' so,', ' my', ' fellow']);
    for (const w of r.words) expect(w.end).toBeLessThanOrEqual(3);
  });
});

describe('NativeDecoder.align validation', () => {
  it('refuses wrong features, heads, positions, tokens and a second call on a busy decoder', async () => {
    const bytes = readFileSync(SYNTHETIC_MODEL);
    const file = parseGgmlModel(bytes);
    const model = await loadNativeAddon().loadModel(bytes, { hparams: hparamsInFileOrder(file.dims), tensors: file.tensors, threads: 2, simd: true });
    const features = goldenF32('encoder.f32');
    const ok = { features, heads: Int32Array.of(3, 0), nPositions: 550, textVocabEnd: 50256, threads: 1 };
    const tokens = Int32Array.of(50257, 50362, 843, 50256);
    const dec = model.createDecoder({ nSeq: 1 });
    expect(() => dec.align(tokens, { ...ok, features: new Float32Array(10) })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => dec.align(tokens, { ...ok, heads: Int32Array.of(3) })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => dec.align(tokens, { ...ok, nPositions: 0 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => dec.align(tokens, { ...ok, nPositions: 1501 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => dec.align(Int32Array.of(50257), ok)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    for (const matrixRows of [Int32Array.of(2, 1), Int32Array.of(0, 5), Int32Array.of(-1, 2), Int32Array.of(1)]) {
      expect(() => dec.align(tokens, { ...ok, matrixRows })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    }
    await expect(dec.align(tokens, { ...ok, heads: Int32Array.of(4, 0) })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(dec.align(tokens, { ...ok, heads: Int32Array.of(0, 6) })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(dec.align(Int32Array.of(50257, 60000), ok)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    const running = dec.align(tokens, ok);
    expect(() => dec.align(tokens, ok)).toThrow(expect.objectContaining({ code: 'ERR_DECODER_BUSY' }));
    const r = await running;
    expect(r.weights!.length).toBe(1 * 4 * 550);
    expect(r.probabilities.length).toBe(3);
    expect(r.matrix).toBeUndefined();
    // each row of weights is a softmax over the 550 positions
    for (let row = 0; row < 4; row++) expect(r.weights!.subarray(row * 550, row * 550 + 550).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    expect(r.probabilities[2]).toBe(0);  // the next token is <|endoftext|>, not below textVocabEnd
    expect(() => model.createDecoder({ nSeq: 2 }).align(tokens, ok)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    // a window kept in f32 and shared gives the very weights and probabilities of the features passed in
    const holder = model.createDecoder({ nSeq: 1 });
    const sharer = model.createDecoder({ nSeq: 1 });
    expect(() => sharer.shareFeatures(holder)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => sharer.shareFeatures({} as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    await holder.setFeatures(features, { threads: 1 });
    sharer.shareFeatures(holder);
    const { features: _, ...withoutFeatures } = ok;
    await expect(sharer.align(tokens, withoutFeatures)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });  // kept in f16 only
    await holder.setFeatures(features, { threads: 1, keepF32Heads: Int32Array.of(2, 1, 3, 5) });  // not (3, 0)
    sharer.shareFeatures(holder);
    await expect(sharer.align(tokens, withoutFeatures)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    expect(() => holder.setFeatures(features, { threads: 1, keepF32Heads: Int32Array.of(3) })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    await expect(holder.setFeatures(features, { threads: 1, keepF32Heads: Int32Array.of(3, 6) })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await holder.setFeatures(features, { threads: 1, keepF32Heads: Int32Array.of(2, 1, 3, 0, 3, 0) });
    sharer.shareFeatures(holder);
    const shared = await sharer.align(tokens, withoutFeatures);
    expect(shared.weights).toEqual(r.weights);
    expect(shared.probabilities).toEqual(r.probabilities);
    holder.release();
    expect(() => sharer.shareFeatures(holder)).toThrow(expect.objectContaining({ code: 'ERR_CLOSED' }));
    sharer.release();
    dec.release();
    expect(() => dec.align(tokens, ok)).toThrow(expect.objectContaining({ code: 'ERR_CLOSED' }));
  });
});

describe('findAlignment() with a decoder of its own', () => {
  it('refuses an alignment pass that returns neither the matrix nor the weights', async () => {
    const decoder = Object.create(t.decoder) as typeof t.decoder;
    decoder.alignmentPass = async (_features, tokens) => ({ probabilities: new Float32Array(tokens.length - 1) });
    const input = { tokenizer: t.tokenizer, sotSequence: [50257], textTokens: [843, 13], numFrames: 1100, heads: resolveAlignmentHeads(t.dims), language: 'en' };
    await expect(findAlignment(decoder, goldenF32('encoder.f32'), input)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });
});
