/**
 * The decoder's token loop beside the native whisper.cpp builds (bench/whisper-cpp-native.ts), in
 * one run, interleaved round by round, on the same model file, audio and thread count:
 * - read bandwidth on this machine, and the bytes one single-sequence step reads (weights, cross
 *   K/V, self K/V at the average context of the steps below): the floor a step can reach;
 * - one decoder step run natively, back to back (contexts 0 to 255, as whisper-bench's decode runs),
 *   and the same steps each stepped from JavaScript (the old path: a round trip per token);
 * - per token of a whole native loop (logit filters, argmax, log-probabilities; 256 steps, EOT
 *   suppressed so it never stops early);
 * - end to end on jfk.wav, greedy at temperature 0, with as many decoder calls as whisper.cpp made,
 *   with the native loop and with the TypeScript loop; and, as decoded, the per-token time of the
 *   native loop (the call's decode time, cross-attention K/V included, / the loop's steps);
 * - concurrent windows (2, 4, 16) through the native loop: per-request time of a step.
 * Median of --runs rounds after a warm-up round. Writes bench/results/token-loop.json.
 *
 * Run: npx tsx bench/token-loop.ts [--runs 3] [--threads 2] [--model file]
 */
import { basename } from 'node:path';
import { parseArgs } from 'node:util';

import { decodeAudioFile } from '../src/audio/audio-file.js';
import { melWindow } from '../src/audio/mel-frontend.js';
import { N_SAMPLES } from '../src/constants.js';
import type { TokenLoopRequest } from '../src/decoder/decoder.js';
import { loadNativeAddon } from '../src/native/binding.js';
import { indexModelFile } from '../src/model/ggml-loader.js';
import { hparamsInFileOrder } from '../src/native/binding.js';
import { Transcriber } from '../src/transcriber.js';
import { SeededRandom } from '../src/utils/random.js';
import { writeRecord } from './record.js';
import { decoderStepBytes } from './step-bytes.js';
import { type Summary, summarize } from './stats.js';
import { buildWhisperCpp, whisperCppBench, whisperCppTranscribe } from './whisper-cpp-native.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    threads: { type: 'string', default: '2' },
    model: { type: 'string', default: '../shared/models/synthetic/ggml-tiny.en-random-seed0.bin' },
    audio: { type: 'string', default: '../shared/audio/jfk.wav' },
  },
});
const runs = Number(values.runs);
const threads = Number(values.threads);
const builds = [buildWhisperCpp('avx2'), buildWhisperCpp('native')];
const addon = loadNativeAddon();

const native = await Transcriber.load(values.model, { threads, cache: false, encoder: 'cpu' });
const typescript = await Transcriber.load(values.model, { threads, cache: false, encoder: 'cpu', tokenLoop: 'typescript' });
const audio = (await decodeAudioFile(values.audio)).samples;
const features = await native.encoder.encode(melWindow(native.frontend.compute(audio, { paddingSamples: N_SAMPLES }), 0));
const d = native.dims;
const file = await indexModelFile(values.model);
const model = await addon.loadModel(file.path, { hparams: hparamsInFileOrder(file.dims), tensors: file.tensors, threads, simd: true });

/** Bytes one single-sequence step reads at `context` cached tokens (bench/step-bytes.ts). */
function bytesPerStep(context: number): number {
  return decoderStepBytes(file, context);
}

/** 256 single-token steps from an empty cache, natively back to back; mean ms. */
async function nativeStepMs(): Promise<number> {
  const decoder = model.createDecoder({ nSeq: 1 });
  await decoder.setFeatures(features, { threads });
  const ms = await addon.benchDecoderSteps({ decoder, steps: 256, threads });
  decoder.release();
  return ms;
}

/** The same 256 steps, each awaited from JavaScript; mean ms. */
async function jsStepMs(): Promise<number> {
  const session = await typescript.decoder.session(features, 1);
  const one = Int32Array.of(220);
  const at0 = Int32Array.of(0);
  const t0 = performance.now();
  for (let i = 0; i < 256; i++) await session.step(one, 1, at0);
  const ms = (performance.now() - t0) / 256;
  session.close?.();
  return ms;
}

/** A greedy loop of `steps` tokens that never stops early (EOT suppressed, no timestamps). */
function longLoop(steps: number, seed = 0): TokenLoopRequest {
  const s = native.tokenizer.special;
  return {
    initial: [s.sot], sotIndex: 0, nSeq: 1, temperature: 0, patience: 1, sampleLen: steps, special: s,
    suppressBlank: false, blankTokens: [], suppressTokens: [s.eot, ...native.tokenizer.nonSpeechTokens()], timestamps: false,
    random: new SeededRandom(seed),
  };
}

async function loopTokenMs(): Promise<number> {
  const t0 = performance.now();
  await native.decoder.decodeLoop!(features, longLoop(256));
  return (performance.now() - t0) / 256;
}

/** Per-request ms of a step with `n` windows decoding at once (64 steps each). */
async function concurrentStepMs(n: number): Promise<number> {
  const t0 = performance.now();
  await Promise.all(Array.from({ length: n }, (_, i) => native.decoder.decodeLoop!(features, longLoop(64, i))));
  return (performance.now() - t0) / 64 / n;
}

async function endToEnd(t: Transcriber, sampleLen?: number): Promise<{ ms: number; decodeMs: number; steps: number }> {
  const before = addon.decodeSchedulerStats().steps;
  const t0 = performance.now();
  const r = await t.transcribe(audio, { temperature: 0, language: 'en', ...(sampleLen !== undefined && { sampleLen }) });
  return { ms: performance.now() - t0, decodeMs: r.timings.decodeMs, steps: addon.decodeSchedulerStats().steps - before };
}

const KEYS = ['nativeStepMs', 'jsStepMs', 'loopTokenMs', 'e2eNativeMs', 'e2eTypescriptMs', 'e2eTokenMs', 'concurrent2Ms', 'concurrent4Ms', 'concurrent16Ms'] as const;
type Key = (typeof KEYS)[number];
const rounds: { ours: Record<Key, number>; cpp: { stepMs: number; e2eMs: number; calls: number }[] }[] = [];
const bandwidths: number[] = [];
for (let i = 0; i <= runs; i++) {
  const cpp = builds.map((b) => {
    const bench = whisperCppBench(b, values.model, threads);
    const cli = whisperCppTranscribe(b, values.model, values.audio, threads);
    return { stepMs: bench.decodeMs / bench.decodeRuns, e2eMs: cli.timings.totalMs - cli.timings.loadMs, calls: cli.timings.decodeRuns };
  });
  bandwidths.push(await addon.benchReadBandwidth({ threads, megabytes: 256 }));
  const e2eNative = await endToEnd(native, cpp[0]!.calls);
  const e2eTypescript = await endToEnd(typescript, cpp[0]!.calls);
  // as decoded (224 tokens on the random weights): the per-token figure, fixed costs spread thin
  const asDecoded = await endToEnd(native);
  const ours: Record<Key, number> = {
    nativeStepMs: await nativeStepMs(),
    jsStepMs: await jsStepMs(),
    loopTokenMs: await loopTokenMs(),
    e2eNativeMs: e2eNative.ms,
    e2eTypescriptMs: e2eTypescript.ms,
    e2eTokenMs: asDecoded.decodeMs / asDecoded.steps,
    concurrent2Ms: await concurrentStepMs(2),
    concurrent4Ms: await concurrentStepMs(4),
    concurrent16Ms: await concurrentStepMs(16),
  };
  if (i === 0) continue; // warm-up
  rounds.push({ ours, cpp });
}

const ours = (k: Key): Summary => summarize(rounds.map((r) => r.ours[k]));
const cppStep = builds.map((_, b) => summarize(rounds.map((r) => r.cpp[b]!.stepMs)));
const cppE2e = builds.map((_, b) => summarize(rounds.map((r) => r.cpp[b]!.e2eMs)));
const bandwidth = summarize(bandwidths.slice(1)).median;
const floorMs = bytesPerStep(128) / (bandwidth * 1e9) * 1000;
const f = (s: Summary): string => `${s.median.toFixed(2)} (${s.min.toFixed(2)}-${s.max.toFixed(2)})`;
const vs = (mine: number): string => builds.map((b, i) => `${(mine / cppStep[i]!.median).toFixed(2)}x ${b.variant}`).join(', ');
console.log(`token loop, ${basename(values.model)} (${d.nTextLayer} decoder layers x ${d.nTextState}), ${threads} threads, median of ${runs} rounds (min-max), ms`);
console.log(`  read bandwidth ${bandwidth.toFixed(1)} GB/s; a step at context 128 reads ${(bytesPerStep(128) / 1e6).toFixed(1)} MB -> floor ${floorMs.toFixed(2)} ms`);
console.log(`  whisper.cpp decoder step: ${builds.map((b, i) => `${b.variant} ${f(cppStep[i]!)}`).join(', ')}`);
console.log(`  decoder step, native back to back  ${f(ours('nativeStepMs'))}  = ${(ours('nativeStepMs').median / floorMs).toFixed(2)}x the floor; ${vs(ours('nativeStepMs').median)}`);
console.log(`  decoder step, stepped from JS      ${f(ours('jsStepMs'))}  ${vs(ours('jsStepMs').median)}`);
console.log(`  per token of a native loop         ${f(ours('loopTokenMs'))}  = ${(ours('loopTokenMs').median / ours('nativeStepMs').median).toFixed(2)}x the native step`);
console.log(`  per token end to end (jfk, native, decode ms / steps) ${f(ours('e2eTokenMs'))}  = ${(ours('e2eTokenMs').median / ours('nativeStepMs').median).toFixed(2)}x the native step`);
console.log(`  end to end jfk.wav, same calls: native loop ${f(ours('e2eNativeMs'))}, TypeScript loop ${f(ours('e2eTypescriptMs'))}; ` +
  `whisper.cpp ${builds.map((b, i) => `${b.variant} ${f(cppE2e[i]!)}`).join(', ')}; ratio native loop ${builds.map((b, i) => `${(ours('e2eNativeMs').median / cppE2e[i]!.median).toFixed(2)}x ${b.variant}`).join(', ')}`);
console.log(`  concurrent windows, per-request step: 2 -> ${f(ours('concurrent2Ms'))}, 4 -> ${f(ours('concurrent4Ms'))}, 16 -> ${f(ours('concurrent16Ms'))}`);
writeRecord('token-loop', {
  threads, model: values.model, whisperCpp: builds[0]!.version, bandwidthGbPerS: bandwidth, bytesPerStep: bytesPerStep(128), floorMs,
  ours: Object.fromEntries(KEYS.map((k) => [k, ours(k)])), whisperCppStep: cppStep, whisperCppE2e: cppE2e,
});
model.release();
native.close();
typescript.close();
