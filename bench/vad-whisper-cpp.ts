/**
 * Our Silero VAD beside whisper.cpp's (the source tree bench/whisper-cpp-native.ts builds; its
 * `whisper-vad-speech-segments` example, run on jfk.wav, and a small harness, bench/whisper-cpp-vad-probs.cpp,
 * linked to the same build, that calls `whisper_vad_detect_speech` and writes its probabilities):
 * - agreement: the probabilities of jfk.wav with `framing: 'whisper.cpp'` (no 64-sample context,
 *   as whisper.cpp computes them) against whisper.cpp's, max and mean difference (whisper.cpp
 *   rounds the convolutions' inputs to f16, so about 1e-3 is expected); and our default
 *   (Silero's) framing against whisper.cpp's, to show what the context changes;
 * - throughput: the probabilities of one hour of audio (the shared speech files with 2 s of
 *   silence after each, repeated), ours against whisper.cpp's detection on the same samples and
 *   thread count (model loading excluded from both), in seconds of audio per second, and the ratio,
 *   at --threads and at one thread (whisper.cpp's OpenMP threads busy-wait between frames, which a
 *   machine whose cores are shared makes very costly).
 *
 * Run: npx tsx bench/vad-whisper-cpp.ts [--threads 2] [--seconds 3600]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import wavefile from 'wavefile';

import { decodeAudioFile } from '../src/audio/audio-file.js';
import { Vad } from '../src/vad/vad.js';
import { writeRecord } from './record.js';
import { type WhisperCppBuild, buildWhisperCpp } from './whisper-cpp-native.js';

const { values } = parseArgs({ options: { threads: { type: 'string', default: '2' }, seconds: { type: 'string', default: '3600' } } });
const threads = Number(values.threads);
const seconds = Number(values.seconds);
const RATE = 16000;
const MODEL = '../shared/models/silero-vad/ggml-silero-v6.2.0.bin';

/** Compiles the probability harness against the whisper.cpp build (once). */
function buildHarness(build: WhisperCppBuild): string {
  const dir = dirname(dirname(build.cli));
  const harness = join(dir, 'bin', 'whisper-cpp-vad-probs');
  if (existsSync(harness)) return harness;
  const src = join(dirname(createRequire(import.meta.url).resolve('nodejs-whisper/package.json')), 'cpp', 'whisper.cpp');
  const libs = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.a'));
  const lib = (name: string): string => {
    const found = libs.find((f) => f.endsWith(`/${name}`) || f === name);
    if (found === undefined) throw new Error(`no ${name} in ${dir}`);
    return join(dir, found);
  };
  const source = fileURLToPath(new URL('./whisper-cpp-vad-probs.cpp', import.meta.url));
  const r = spawnSync('c++', ['-O2', '-std=c++17', `-I${join(src, 'include')}`, `-I${join(src, 'ggml', 'include')}`, source,
    lib('libwhisper.a'), lib('libggml.a'), lib('libggml-cpu.a'), lib('libggml-base.a'), '-fopenmp', '-lpthread', '-o', harness], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`compiling the harness failed: ${r.stderr}`);
  return harness;
}

/** whisper.cpp's probabilities of `samples` and the milliseconds its detection took. */
function whisperCppProbabilities(harness: string, samples: Float32Array, work: string, n = threads): { probabilities: Float32Array; ms: number } {
  const input = join(work, 'samples.f32');
  const output = join(work, 'probabilities.f32');
  writeFileSync(input, new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength));
  const r = spawnSync(harness, [MODEL, input, output, String(n)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the harness failed: ${r.stderr}`);
  const bytes = readFileSync(output);
  const ms = Number(/detect_ms ([0-9.]+)/.exec(r.stdout)?.[1]);
  return { probabilities: new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4), ms };
}

function differences(a: Float32Array, b: Float32Array): { max: number; mean: number; at: number } {
  if (a.length !== b.length) throw new Error(`${a.length} probabilities against ${b.length}`);
  let max = 0;
  let sum = 0;
  let at = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    sum += d;
    if (d > max) [max, at] = [d, i];
  }
  return { max, mean: sum / a.length, at };
}

const build = buildWhisperCpp('avx2');
const harness = buildHarness(build);
const work = mkdtempSync(join(tmpdir(), 'amanuensis-vad-'));
const vad = await Vad.load(MODEL, { threads });
try {
  // agreement on jfk.wav
  const jfk = (await decodeAudioFile('../shared/audio/jfk.wav')).samples;
  const theirs = whisperCppProbabilities(harness, jfk, work).probabilities;
  const sameFraming = differences(await vad.probabilities(jfk, { framing: 'whisper.cpp' }), theirs);
  const sileroFraming = differences(await vad.probabilities(jfk), theirs);
  console.log(`Silero VAD v${vad.version}, whisper.cpp ${build.version} (${build.variant}), jfk.wav, ${theirs.length} frames`);
  console.log(`  framing 'whisper.cpp' vs whisper.cpp: max |diff| ${sameFraming.max.toExponential(2)} (frame ${sameFraming.at}), mean ${sameFraming.mean.toExponential(2)}`);
  console.log(`  framing 'silero' (default) vs whisper.cpp: max |diff| ${sileroFraming.max.toFixed(3)} (frame ${sileroFraming.at}), mean ${sileroFraming.mean.toFixed(4)}`);

  // whisper.cpp's example on jfk.wav: it runs, and what it finds
  const wavOf = (samples: Float32Array, name: string): string => {
    const wav = new wavefile.WaveFile();
    wav.fromScratch(1, RATE, '16', Int16Array.from(samples, (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32768)))));
    const path = join(work, name);
    writeFileSync(path, wav.toBuffer());
    return path;
  };
  const example = spawnSync(build.vadSpeechSegments, ['-vm', MODEL, '-f', wavOf(jfk, 'jfk.wav'), '-t', String(threads), '-np'], { encoding: 'utf8' });
  if (example.status !== 0) throw new Error(`whisper-vad-speech-segments failed: ${example.stderr}`);
  const ours = await vad.speechSegments(jfk);
  console.log(`  whisper-vad-speech-segments on jfk.wav: ${/Detected (\d+) speech segments/.exec(example.stdout)?.[1]} segments; ours (Silero's defaults): ${ours.length}`);

  // throughput on one hour
  const librispeech = '../shared/audio/librispeech-test-clean';
  const files = ['../shared/audio/jfk.wav', '../shared/audio/faster-whisper/multilingual.mp3',
    ...readdirSync(librispeech).filter((f) => f.endsWith('.flac')).map((f) => `${librispeech}/${f}`)];
  const speech = await Promise.all(files.map(async (f) => (await decodeAudioFile(f)).samples));
  const audio = new Float32Array(seconds * RATE);
  for (let at = 0, i = 0; at < audio.length; i++) {
    const piece = speech[i % speech.length]!.subarray(0, audio.length - at);
    audio.set(piece, at);
    at += piece.length + 2 * RATE;
  }
  // at the thread count asked for, and at one thread: whisper.cpp's OpenMP threads busy-wait
  // between the frames' small graphs, which on a machine whose cores are shared costs far more than the work
  const rows: Record<string, { oursMs: number; whisperCppMs: number }> = {};
  for (const n of [...new Set([threads, 1])]) {
    const mine = n === threads ? vad : await Vad.load(MODEL, { threads: n });
    await mine.probabilities(audio.subarray(0, 60 * RATE)); // warm-up
    const t0 = performance.now();
    await mine.probabilities(audio);
    const oursMs = performance.now() - t0;
    if (mine !== vad) mine.close();
    const whisperCppMs = whisperCppProbabilities(harness, audio, work, n).ms;
    rows[n] = { oursMs, whisperCppMs };
    console.log(`  ${seconds} s of audio, ${n} thread${n === 1 ? '' : 's'}, one run each: ours ${oursMs.toFixed(0)} ms = ${(seconds / (oursMs / 1000)).toFixed(0)}x real time; ` +
      `whisper.cpp whisper_vad_detect_speech ${whisperCppMs.toFixed(0)} ms = ${(seconds / (whisperCppMs / 1000)).toFixed(0)}x real time; ` +
      `our time / whisper.cpp's ${(oursMs / whisperCppMs).toFixed(3)}`);
  }
  writeRecord('vad-whisper-cpp', { threads, audioSeconds: seconds, whisperCpp: `${build.version} ${build.variant}`, jfk: { sameFraming, sileroFraming }, byThreads: rows });
} finally {
  vad.close();
  rmSync(work, { recursive: true, force: true });
}
