/**
 * Batched long-form transcription (faster-whisper's BatchedInferencePipeline): ten minutes
 * assembled from the shared speech files with 3 s of silence between them, on the synthetic
 * tiny.en model, greedy without fallback and with `sampleLen` fixed, transcribed with the VAD
 * one window after another (without conditioning, so every run decodes the same windows) and
 * with `batchSize` 4 and 8; throughput in seconds of audio per second, the speed-up over
 * sequential, the decoder tokens and the most windows one native decoder step served; beside
 * whisper.cpp's sequential whisper-cli on the same WAV, without and with its VAD (its decoder
 * is not bounded by a sampleLen: its token counts are printed beside its times).
 *
 * Run: npx tsx bench/batched-long-form.ts [--threads 2] [--sample-len 128] [--seconds 600] [--no-whisper-cpp]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import wavefile from 'wavefile';

import { decodeAudioFile } from '../src/audio/audio-file.js';
import { loadNativeAddon } from '../src/native/binding.js';
import { Transcriber } from '../src/transcriber.js';
import type { TranscriptionResult } from '../src/types.js';
import { writeRecord } from './record.js';
import { buildWhisperCpp, parseWhisperCppTimings } from './whisper-cpp-native.js';

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '2' }, 'sample-len': { type: 'string', default: '128' }, seconds: { type: 'string', default: '600' },
    'no-whisper-cpp': { type: 'boolean', default: false },
  },
});
const threads = Number(values.threads);
const sampleLen = Number(values['sample-len']);
const seconds = Number(values.seconds);
const RATE = 16000;
const MODEL = '../shared/models/synthetic/ggml-tiny.en-random-seed0.bin';
const VAD_MODEL = '../shared/models/silero-vad/ggml-silero-v6.2.0.bin';

const librispeech = '../shared/audio/librispeech-test-clean';
const files = ['../shared/audio/jfk.wav', ...readdirSync(librispeech).filter((f) => f.endsWith('.flac')).map((f) => `${librispeech}/${f}`)];
const speech = await Promise.all(files.map(async (f) => (await decodeAudioFile(f)).samples));
const audio = new Float32Array(seconds * RATE);
for (let at = 0, i = 0; at < audio.length; i++) {
  const piece = speech[i % speech.length]!.subarray(0, audio.length - at);
  audio.set(piece, at);
  at += piece.length + 3 * RATE;
}

// no encoder cache: every run encodes its windows (the runs transcribe the same audio)
const t = await Transcriber.load(MODEL, { threads, encoder: 'cpu', cache: false });
const addon = loadNativeAddon();
const options = { vad: true, temperature: 0, sampleLen, conditionOnPreviousText: false } as const;

interface Run {
  readonly batchSize: number; readonly ms: number; readonly cpuMs: number; readonly steps: number; readonly batches: number; readonly result: TranscriptionResult;
}
async function run(batchSize: number): Promise<Run> {
  const before = addon.decodeSchedulerStats();
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const result = await t.transcribe(audio, { ...options, batchSize });
  const ms = performance.now() - t0;
  const used = process.cpuUsage(cpu);
  const after = addon.decodeSchedulerStats();
  return { batchSize, ms, cpuMs: (used.user + used.system) / 1000, steps: after.steps - before.steps, batches: after.batches - before.batches, result };
}

await t.transcribe(audio.subarray(0, 60 * RATE), options); // warm-up: the VAD and the model's first calls
const runs = [await run(1), await run(4), await run(8)];
const sequential = runs[0]!;
const sameAsSequential = (r: Run): boolean =>
  JSON.stringify(r.result.segments.map((s) => [s.tokens, s.start, s.end])) === JSON.stringify(sequential.result.segments.map((s) => [s.tokens, s.start, s.end]));
const windows = sequential.result.timings.windows.filter((w) => w.skipped === undefined).length;
console.log(`synthetic tiny.en, ${seconds} s (speech with 3 s silences), VAD, greedy, sampleLen ${sampleLen}, ${threads} threads, one run each`);
console.log(`  ${windows} decoded windows; VAD ${sequential.result.timings.vadMs?.toFixed(0)} ms`);
for (const r of runs) {
  console.log(`  batchSize ${r.batchSize}: ${r.ms.toFixed(0)} ms = ${(seconds / (r.ms / 1000)).toFixed(0)}x real time, ` +
    `${(sequential.ms / r.ms).toFixed(2)}x sequential; CPU time ${r.cpuMs.toFixed(0)} ms (${(sequential.cpuMs / r.cpuMs).toFixed(2)}x less: what a shared machine does not skew); ${r.steps} token steps in ${r.batches} native steps ` +
    `(encode ${r.result.timings.encodeMs.toFixed(0)} ms, decode ${r.result.timings.decodeMs.toFixed(0)} ms summed over windows)` +
    `${r.batchSize > 1 ? `; same segments as sequential: ${sameAsSequential(r)}` : ''}`);
}

// whisper.cpp's sequential run on the same audio
const whisperCpp: Record<string, unknown> = {};
if (!values['no-whisper-cpp']) {
const build = buildWhisperCpp('avx2');
const work = mkdtempSync(join(tmpdir(), 'amanuensis-batched-'));
try {
  const wav = new wavefile.WaveFile();
  wav.fromScratch(1, RATE, '16', Int16Array.from(audio, (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32768)))));
  const path = join(work, 'long-form.wav');
  writeFileSync(path, wav.toBuffer());
  for (const [name, extra] of [['no VAD', []], ['--vad', ['--vad', '-vm', VAD_MODEL]]] as const) {
    const t0 = performance.now();
    const r = spawnSync(build.cli, ['-m', MODEL, '-f', path, '-t', String(threads), '-l', 'en', '-bs', '1', '-bo', '1', '-nf', '-ng', ...extra],
      { encoding: 'utf8', maxBuffer: 64 << 20 });
    const wallMs = performance.now() - t0;
    if (r.status !== 0) throw new Error(`whisper-cli failed: ${r.stderr.slice(-2000)}`);
    const timings = parseWhisperCppTimings(r.stderr);
    whisperCpp[name] = { wallMs, timings };
    console.log(`  whisper.cpp ${build.version} whisper-cli, ${name}: ${timings.totalMs.toFixed(0)} ms total (${(seconds / (timings.totalMs / 1000)).toFixed(0)}x real time), ` +
      `${timings.encodeRuns} encodes ${timings.encodeMs.toFixed(0)} ms, ${timings.decodeRuns} decoder tokens ${timings.decodeMs.toFixed(0)} ms ` +
      `+ ${timings.batchdRuns} batched ${timings.batchdMs.toFixed(0)} ms`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
}

writeRecord('batched-long-form', {
  threads, sampleLen, audioSeconds: seconds, windows,
  runs: runs.map((r) => ({ batchSize: r.batchSize, ms: r.ms, cpuMs: r.cpuMs, speedUp: sequential.ms / r.ms, cpuSpeedUp: sequential.cpuMs / r.cpuMs, tokenSteps: r.steps, nativeSteps: r.batches, sameAsSequential: sameAsSequential(r) })),
  whisperCpp,
});
t.close();
