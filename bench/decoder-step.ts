/**
 * Decoder step benchmark: one greedy step at a 50-token context for 1, 5 and 16 sequences
 * decoded together (beams or best-of candidates of one window), with the bytes of weights and
 * caches each step reads and the bandwidth that implies; then 1 to 16 concurrent requests, each
 * with its own window, stepped one after another and as one batched native step.
 *
 * Run: npx tsx bench/decoder-step.ts [--threads 2] [--model path]
 */
import { parseArgs } from 'node:util';

import { indexModelFile } from '../src/model/ggml-loader.js';
import { hparamsInFileOrder, loadNativeAddon } from '../src/native/binding.js';
import { Transcriber } from '../src/transcriber.js';
import { goldenF32 } from '../test/helpers/shared.js';
import { writeRecord } from './record.js';
import { decoderStepBytes } from './step-bytes.js';
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


const file = await indexModelFile(values.model);

/** Bytes one step of `nSeq` sequences over `windows` windows reads (bench/step-bytes.ts: the file's own weight types). */
function bytesPerStep(nSeq: number, windows = 1): number {
  return decoderStepBytes(file, context, nSeq, windows);
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

// concurrent requests: each its own decoder and window, one sequence each
const addon = loadNativeAddon();
const model = await addon.loadModel(file.path, { hparams: hparamsInFileOrder(file.dims), tensors: file.tensors, ...{ threads, simd: true } });
const concurrent: { requests: number; separateMs: number; batchedMs: number; batchedGbPerS: number }[] = [];
lines.push('  concurrent requests, one sequence and one window each, one step of all of them:');
for (const n of [1, 2, 4, 8, 16]) {
  const decoders = Array.from({ length: n }, () => model.createDecoder({ nSeq: 1 }));
  for (const [i, dec] of decoders.entries()) {
    await dec.setFeatures(features.map((v) => v * (1 + i / 16)), { threads });
    await dec.step(new Int32Array(context - 1).fill(220), { nNew: context - 1, positions: Int32Array.of(context - 2), threads });
  }
  const one = Int32Array.of(220);
  const at0 = Int32Array.of(0);
  const separate: number[] = [];
  const batched: number[] = [];
  // alternate the two ways so that both see the same cache lengths; 4 warm-up rounds
  for (let round = 0; round < 24; round++) {
    let t0 = performance.now();
    for (const dec of decoders) await dec.step(one, { nNew: 1, positions: at0, threads });
    separate.push(performance.now() - t0);
    t0 = performance.now();
    await addon.stepDecoders(decoders.map((decoder) => ({ decoder, tokens: one, nNew: 1, positions: at0 })), { threads });
    batched.push(performance.now() - t0);
  }
  const sep = summarize(separate.slice(4)).median;
  const bat = summarize(batched.slice(4)).median;
  const gbs = bytesPerStep(n, n) / (bat / 1000) / 1e9;
  concurrent.push({ requests: n, separateMs: sep, batchedMs: bat, batchedGbPerS: gbs });
  lines.push(`  ${String(n).padStart(2)} requests: one after another ${sep.toFixed(2)} ms (${(sep / n).toFixed(2)} per request), ` +
    `batched ${bat.toFixed(2)} ms (${(bat / n).toFixed(2)} per request), ${(sep / bat).toFixed(2)}x; ` +
    `${(bytesPerStep(n, n) / 1e6).toFixed(1)} MB read -> ${gbs.toFixed(1)} GB/s`);
  decoders.forEach((dec) => dec.release());
}
if (d.nTextState === 384 && d.nTextLayer === 4) {
  lines.push('  target <= 2.3 ms (issue #4); whisper.cpp built here: bench/native-reference.ts');
}
console.log(lines.join('\n'));
writeRecord('decoder-step', { threads, model: values.model, dims: d, contextFrom: context, steps: records, concurrent });
