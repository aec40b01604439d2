/**
 * amanuensis beside a native whisper.cpp build (bench/whisper-cpp-native.ts) on this machine, in
 * one run, interleaved, on the same model file, audio and thread count:
 * - encoder: one 30 s window (whisper-bench's encode; ours on jfk.wav's window);
 * - decoder step: one token at contexts 0 to 255, averaged (what whisper-bench's decode runs do);
 * - log-mel: jfk.wav (11 s) with Whisper's 30 s of padding (whisper-cli's mel time);
 * - end to end: jfk.wav greedy at temperature 0 without fallback (whisper-cli's total time less
 *   its model load, against `transcribe()`). On a model with random weights the two decodes stop
 *   at different points, so a second row caps amanuensis at whisper.cpp's number of decoder calls.
 * Both whisper.cpp builds (AVX2 and -march=native) run in every round. Median of --runs rounds
 * after a warm-up round. Writes bench/results/native-reference[-<width>].json.
 *
 * Run: npx tsx bench/native-reference.ts [--runs 5] [--threads 2] [--model file]
 */
import { basename } from 'node:path';
import { parseArgs } from 'node:util';

import { decodeAudioFile } from '../src/audio/audio-file.js';
import { melWindow } from '../src/audio/mel-frontend.js';
import { N_SAMPLES } from '../src/constants.js';
import { Transcriber } from '../src/transcriber.js';
import { writeRecord } from './record.js';
import { type Summary, summarize } from './stats.js';
import { buildWhisperCpp, whisperCppBench, whisperCppTranscribe } from './whisper-cpp-native.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    threads: { type: 'string', default: '2' },
    model: { type: 'string', default: '../shared/models/synthetic/ggml-tiny.en-random-seed0.bin' },
    audio: { type: 'string', default: '../shared/audio/jfk.wav' },
  },
});
const runs = Number(values.runs);
const threads = Number(values.threads);
// the reference issue #4 names first, then everything this CPU has (AVX-512 where present)
const builds = [buildWhisperCpp('avx2'), buildWhisperCpp('native')];

const t = await Transcriber.load(values.model, { threads, cache: false, encoder: 'cpu' });
const audio = (await decodeAudioFile(values.audio)).samples;
const window = melWindow(t.frontend.compute(audio, { paddingSamples: N_SAMPLES }), 0);
const features = await t.encoder.encode(window);

/** Mean milliseconds of one single-token step over contexts 0 to 255, as whisper-bench steps. */
async function decoderStepMs(): Promise<number> {
  const session = await t.decoder.session(features, 1);
  const one = Int32Array.of(220);
  const at0 = Int32Array.of(0);
  const t0 = performance.now();
  for (let i = 0; i < 256; i++) await session.step(one, 1, at0);
  const ms = (performance.now() - t0) / 256;
  session.close?.();
  return ms;
}

const STAGES = ['encodeMs', 'stepMs', 'melMs', 'e2eMs', 'e2eSameStepsMs'] as const;
type Stage = (typeof STAGES)[number];
type Figures = Record<Stage, number> & { tokens: number };
const rounds: { ours: Figures; cpp: Figures[] }[] = [];
for (let i = 0; i <= runs; i++) {
  const cpp: Figures[] = builds.map((b) => {
    const bench = whisperCppBench(b, values.model, threads);
    const cli = whisperCppTranscribe(b, values.model, values.audio, threads);
    const e2e = cli.timings.totalMs - cli.timings.loadMs;
    return {
      encodeMs: bench.encodeMs / bench.encodeRuns, stepMs: bench.decodeMs / bench.decodeRuns, melMs: cli.timings.melMs,
      e2eMs: e2e, e2eSameStepsMs: e2e, tokens: cli.timings.decodeRuns,
    };
  });
  let t0 = performance.now();
  await t.encoder.encode(window);
  const encodeMs = performance.now() - t0;
  const stepMs = await decoderStepMs();
  t0 = performance.now();
  await t.frontend.computeAsync!(audio, { paddingSamples: N_SAMPLES });
  const melMs = performance.now() - t0;
  t0 = performance.now();
  const r = await t.transcribe(audio, { temperature: 0, language: 'en' });
  const e2eMs = performance.now() - t0;
  // the same number of decoder calls as whisper.cpp made (the first of them runs the SOT sequence)
  t0 = performance.now();
  await t.transcribe(audio, { temperature: 0, language: 'en', sampleLen: cpp[0]!.tokens });
  const e2eSameStepsMs = performance.now() - t0;
  if (i === 0) continue; // warm-up
  const tokens = r.segments.reduce((n, s) => n + s.tokens.length, 0);
  rounds.push({ ours: { encodeMs, stepMs, melMs, e2eMs, e2eSameStepsMs, tokens }, cpp });
}

const ours = (k: Stage | 'tokens'): Summary => summarize(rounds.map((r) => r.ours[k]));
const theirs = (b: number, k: Stage | 'tokens'): Summary => summarize(rounds.map((r) => r.cpp[b]![k]));
const label: Record<Stage, string> = {
  encodeMs: 'encoder, 30 s window', stepMs: 'decoder step (ctx 0-255)', melMs: 'log-mel, 11 s + 30 s pad',
  e2eMs: 'end to end, as decoded', e2eSameStepsMs: 'end to end, same steps',
};
const d = t.dims;
const cell = (s: Summary): string => {
  const f = (v: number): string => v.toFixed(v < 10 ? 2 : 0);
  return `${f(s.median)} (${f(s.min)}-${f(s.max)})`;
};
console.log(`amanuensis vs native whisper.cpp ${builds[0]!.version} (OpenMP), ${basename(values.model)} ` +
  `(${d.nAudioLayer}+${d.nTextLayer} layers x ${d.nAudioState}), ${threads} threads, jfk.wav, median of ${runs} rounds (min-max), ms`);
console.log(`  ${'stage'.padEnd(26)} ${'amanuensis'.padEnd(20)} ${builds.map((b) => `whisper.cpp ${b.variant}`.padEnd(22) + 'ratio  ').join('')}`);
const rows = STAGES.map((k) => ({
  stage: k, amanuensis: ours(k),
  whisperCpp: builds.map((b, i) => ({ variant: b.variant, ms: theirs(i, k), ratio: ours(k).median / theirs(i, k).median })),
}));
for (const r of rows) {
  console.log(`  ${label[r.stage].padEnd(26)} ${cell(r.amanuensis).padEnd(20)} ` +
    r.whisperCpp.map((c) => `${cell(c.ms).padEnd(22)}${c.ratio.toFixed(2).padStart(5)}x `).join(''));
}
const tokens = { amanuensis: ours('tokens').median, whisperCpp: builds.map((_, i) => theirs(i, 'tokens').median) };
console.log(`  decoder calls end to end: amanuensis ${tokens.amanuensis} sampled tokens as decoded, whisper.cpp ${tokens.whisperCpp.join(' / ')} calls. ` +
  'The random weights end the two decodes at different points (whisper.cpp does not force an initial timestamp); ' +
  '"same steps" caps amanuensis at whisper.cpp\'s number of decoder calls (sampleLen).');
writeRecord(`native-reference${d.nTextState === 384 ? '' : `-${d.nTextState}`}`, {
  threads, model: values.model, whisperCpp: builds[0]!.version, dims: d, rows, tokens,
});
