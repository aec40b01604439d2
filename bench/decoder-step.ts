/**
 * Decoder step benchmark: one greedy step at a 50-token context (the native step alone, and
 * with the TypeScript filters and token choice), for 1, 5 and 16 sequences decoded together,
 * with the bytes of weights and caches each step reads and the bandwidth that implies.
 *
 * Run: npx tsx bench/decoder-step.ts [--threads 2] [--model path]
 */
import { parseArgs } from 'node:util';

import { Transcriber } from '../src/transcriber.js';
import { goldenF32 } from '../test/helpers/shared.js';
import { writeRecord } from './record.js';
import { summarize } from './stats.js';

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '2' },
    model: { type: 'string', default: '../shared/models/synthetic/ggml-tiny.en-random-seed0.bin' },
    context: { type: 'string', default: '50' },
  },
});
const threads = Number(values.threads);
const context = Number(values.context);
const t = await Transcriber.load(values.model, { threads });
const d = t.dims;
const features = d.nAudioState === 384 && d.nAudioCtx === 1500 ? goldenF32('encoder.f32') : new Float32Array(d.nAudioCtx * d.nAudioState).fill(0.01);

/** Bytes one step reads: f16 weights of the decoder blocks and the vocabulary, cross K/V (f32), self K/V of `context` positions. */
function bytesPerStep(nSeq: number): number {
  const s = d.nTextState;
  const blockWeights = (3 * s * s + s * s + s * s + s * s + 8 * s * s) * 2; // qkv, out, cross q, cross out, mlp
  const vocab = d.nVocab * s * 2;
  const cross = 2 * d.nAudioCtx * s * 4;
  const self = 2 * context * s * 4 * nSeq;
  return d.nTextLayer * (blockWeights + cross + self) + vocab;
}

const records: { sequences: number; medianMs: number; bytesPerStep: number; gbPerS: number }[] = [];
const lines: string[] = [`decoder step, ${d.nTextLayer} layers x ${d.nTextState} wide, vocab ${d.nVocab}, context ${context} to ${context + 40} tokens, ${threads} threads`];
for (const nSeq of [1, 5, 16]) {
  const session = await t.decoder.session(features, nSeq);
  const prompt = new Int32Array(nSeq * (context - 1)).fill(220);
  await session.step(prompt, context - 1, Int32Array.of(context - 2)); // fill the cache to context - 1 positions
  const one = new Int32Array(nSeq).fill(220);
  const times: number[] = [];
  // 45 steps from context 50 to 95: the first 5 are warm-up
  for (let i = 0; i < 45; i++) {
    const t0 = performance.now();
    await session.step(one, 1, Int32Array.of(0));
    times.push(performance.now() - t0);
  }
  const s = summarize(times.slice(5));
  const gbs = bytesPerStep(nSeq) / (s.median / 1000) / 1e9;
  records.push({ sequences: nSeq, medianMs: s.median, bytesPerStep: bytesPerStep(nSeq), gbPerS: gbs });
  lines.push(`  ${String(nSeq).padStart(2)} sequences: median ${s.median.toFixed(2)} ms per step (${(s.median / nSeq).toFixed(2)} ms per sequence-step), ` +
    `${(bytesPerStep(nSeq) / 1e6).toFixed(1)} MB read -> ${gbs.toFixed(1)} GB/s`);
}
if (d.nTextState === 384 && d.nTextLayer === 4) {
  lines.push('  reference: whisper.cpp native build, 4.6 ms per greedy step for tiny.en at 2 threads (issue #4); target <= 2.3 ms');
}
console.log(lines.join('\n'));
writeRecord('decoder-step', { threads, model: values.model, dims: d, contextFrom: context, steps: records });
