/**
 * Word timestamps' cost: per window, the extra time of the alignment (the teacher-forced
 * decoder pass, whose alignment heads' weights come from f32 keys, the attention matrix, the DTW and the
 * word rules) against the window's decode time, on jfk.wav with the synthetic tiny.en model
 * (tiny.en's shape). The synthetic model's random weights never stop on their own, so the
 * decode is capped at `--tokens` sampled tokens (jfk.wav's transcript is 27 tokens with the
 * real tiny.en); the alignment then aligns those tokens.
 *
 * Run: npx tsx bench/word-timestamps.ts [--threads 2] [--tokens 28] [--runs 10] [--model path]
 */
import { parseArgs } from 'node:util';

import { resolveAlignmentHeads } from '../src/alignment/alignment-heads.js';
import { findAlignment } from '../src/alignment/find-alignment.js';
import { Transcriber } from '../src/transcriber.js';
import { goldenF32, jfkSamplesReference } from '../test/helpers/shared.js';
import { writeRecord } from './record.js';
import { fmt, summarize } from './stats.js';

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '2' },
    tokens: { type: 'string', default: '28' },
    runs: { type: 'string', default: '10' },
    model: { type: 'string', default: '../shared/models/synthetic/ggml-tiny.en-random-seed0.bin' },
  },
});
const threads = Number(values.threads);
const sampleLen = Number(values.tokens);
const runs = Number(values.runs);
const t = await Transcriber.load(values.model, { threads, cache: false });
const audio = jfkSamplesReference();

// the window's decode without word timestamps, and with them (the decode then keeps the heads' f32 keys,
// and the alignment follows), back to back in alternating order: each pair's extra time is the
// with-words decode and alignment minus the plain decode, and the median of those pairs is the
// figure (a difference of two medians swings by the decode's own spread, ±5 ms here)
const plainMs: number[] = [];
const decodeMs: number[] = [];
const wordsMs: number[] = [];
const extraMs: number[] = [];
for (let i = 0; i < runs + 1; i++) {
  const options = { temperature: 0, sampleLen, conditionOnPreviousText: false };
  const runPlain = async () => (await t.transcribe(audio, options)).timings.windows[0]!;
  const runWords = async () => (await t.transcribe(audio, { ...options, wordTimestamps: true })).timings.windows[0]!;
  let plain;
  let w;
  if (i % 2 === 0) {
    plain = await runPlain();
    w = await runWords();
  } else {
    w = await runWords();
    plain = await runPlain();
  }
  if (i === 0) continue;  // warm-up
  plainMs.push(plain.decodeMs);
  decodeMs.push(w.decodeMs);
  wordsMs.push(w.wordsMs ?? NaN);
  extraMs.push(w.decodeMs + (w.wordsMs ?? NaN) - plain.decodeMs);
}
const plain = summarize(plainMs).median;
const extra = summarize(extraMs).median;

// the alignment's parts: the native pass alone, and everything after it, over a window whose
// cross-attention keys and values are kept with the heads' keys in f32 (as transcribe() keeps them for the alignment)
const features = goldenF32('encoder.f32');
const heads = resolveAlignmentHeads(t.dims);
const retained = await t.decoder.retainFeatures!(features, heads.heads);
const text = Array.from({ length: sampleLen }, (_, i) => 220 + i);
const passMs: number[] = [];
const totalMs: number[] = [];
for (let i = 0; i < runs + 1; i++) {
  const tokens = [50257, 50362, ...text, 50256];
  const p0 = performance.now();
  await t.decoder.alignmentPass!(features, tokens, { heads: heads.heads, nPositions: 550, textVocabEnd: 50256 });
  const p1 = performance.now();
  await findAlignment(t.decoder, features, { tokenizer: t.tokenizer, sotSequence: [50257], textTokens: text, numFrames: 1100, heads, language: 'en' });
  const p2 = performance.now();
  if (i === 0) continue;
  passMs.push(p1 - p0);
  totalMs.push(p2 - p1);
}
retained.release();
t.close();

const s = (xs: number[]): string => fmt(summarize(xs));
console.log(`window decode (${sampleLen} tokens, greedy), no word timestamps: ${s(plainMs)}`);
console.log(`with word timestamps: decode ${s(decodeMs)}, then alignment ${s(wordsMs)}`);
console.log(`extra per window (median of the ${runs} pairs): ${extra.toFixed(1)} ms, ${(100 * extra / plain).toFixed(1)}% of the plain decode's median`);
console.log(`  native teacher-forced pass alone: ${s(passMs)}; whole alignment: ${s(totalMs)}`);
writeRecord('word-timestamps', { threads, sampleLen, plainDecodeMs: summarize(plainMs), decodeMs: summarize(decodeMs), wordsMs: summarize(wordsMs), extraMs: extra, extraFraction: extra / plain, passMs: summarize(passMs), alignmentMs: summarize(totalMs) });
