/**
 * Every official Whisper shape, as a synthetic model (random weights, real filterbank and
 * vocabulary; test/helpers/synthetic-model.ts): tiny, base, small, medium, large-v1/v2 (one shape,
 * one file), large-v3 and large-v3-turbo, f16, written to bench/results/ one tensor at a time
 * (large-v3 is about 3 GB); large-v3-turbo also quantized to q5_0 by whisper.cpp's own quantize
 * tool. Each file is loaded by amanuensis in a fresh process (bench/model-load-probe.mjs: plain
 * Node on the package built by `npm run build`, which this runs first): load time and peak RSS.
 * Then the q5_0 large-v3-turbo transcribes jfk.wav once with amanuensis and once
 * with whisper.cpp's whisper-cli (native build, bench/whisper-cpp-native.ts): encoder ms per 30 s
 * window, decoder ms per step and peak RSS side by side. Written files are reused by later runs.
 *
 * Run: npx tsx bench/model-shapes.ts [--shapes tiny,base,...] [--threads 2]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { shapeDims, writeSyntheticModel } from '../test/helpers/synthetic-model.js';
import type { WhisperShapeName } from '../test/helpers/whisper-shapes.js';
import { writeRecord } from './record.js';
import { buildWhisperCpp, whisperCppQuantize, whisperCppTranscribeWithPeakRss } from './whisper-cpp-native.js';

const ALL: readonly WhisperShapeName[] = ['tiny', 'base', 'small', 'medium', 'large-v2', 'large-v3', 'large-v3-turbo'];
const { values } = parseArgs({ options: { shapes: { type: 'string', default: ALL.join(',') }, threads: { type: 'string', default: '2' } } });
const shapes = values.shapes.split(',') as WhisperShapeName[];
const threads = Number(values.threads);
const results = fileURLToPath(new URL('./results/', import.meta.url));
const probe = fileURLToPath(new URL('./model-load-probe.mjs', import.meta.url));
const jfk = fileURLToPath(new URL('../../shared/audio/jfk.wav', import.meta.url));
mkdirSync(results, { recursive: true });

interface Probe {
  loadMs: number;
  rssAfterLoadMiB: number;
  peakRssMiB: number;
  transcription?: { windows: number; encoderMsPerWindow: number; decoderSteps: number; decoderMsPerStep: number; totalMs: number; text: string };
}

function runProbe(model: string, transcribe?: string): Probe {
  const args = [probe, model, '--threads', String(threads), ...(transcribe === undefined ? [] : ['--transcribe', transcribe])];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 16 << 20 });
  if (r.status !== 0) throw new Error(`probe of ${model} failed: ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Probe;
}

const mib = (bytes: number): string => `${(bytes / (1 << 20)).toFixed(0)} MiB`;

/** The f16 synthetic model of a shape, written once (to a temporary name first, so an interrupted write is never reused). */
function f16Model(shape: WhisperShapeName): string {
  const path = `${results}ggml-${shape}-synthetic-seed1.bin`;
  if (!existsSync(path)) {
    const t0 = performance.now();
    writeSyntheticModel(`${path}.partial`, shapeDims(shape, { seed: 1 }));
    renameSync(`${path}.partial`, path);
    console.log(`wrote ${path} (${mib(statSync(path).size)}) in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  return path;
}

// the probe measures the package as an application runs it: dist/, under plain Node
const built = spawnSync('npm', ['run', 'build'], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
if (built.status !== 0) throw new Error(`npm run build failed: ${built.stderr.slice(-2000)}`);
const build = buildWhisperCpp('native');
const files: { shape: string; type: string; path: string }[] = shapes.map((shape) => ({ shape, type: 'f16', path: f16Model(shape) }));
let turboQ5: string | undefined;
if (shapes.includes('large-v3-turbo')) {
  turboQ5 = `${results}ggml-large-v3-turbo-synthetic-seed1-q5_0.bin`;
  if (!existsSync(turboQ5)) whisperCppQuantize(build, f16Model('large-v3-turbo'), turboQ5, 'q5_0');
  files.push({ shape: 'large-v3-turbo', type: 'q5_0', path: turboQ5 });
}

console.log(`\nload in a fresh process (${threads} threads): file size, load time, RSS after load, peak RSS`);
const loads = files.map((f) => {
  const p = runProbe(f.path);
  const size = statSync(f.path).size;
  console.log(`${`${f.shape} ${f.type}`.padEnd(22)} ${mib(size).padStart(9)}  load ${p.loadMs.toFixed(0).padStart(6)} ms  rss ${p.rssAfterLoadMiB.toFixed(0).padStart(5)} MiB  peak ${p.peakRssMiB.toFixed(0).padStart(5)} MiB`);
  return { ...f, bytes: size, loadMs: p.loadMs, rssAfterLoadMiB: p.rssAfterLoadMiB, peakRssMiB: p.peakRssMiB };
});

let turbo: object | undefined;
if (turboQ5 !== undefined) {
  console.log(`\njfk.wav with the q5_0 large-v3-turbo, greedy, temperature 0, ${threads} threads, one run each`);
  const ours = runProbe(turboQ5, jfk);
  const cpp = whisperCppTranscribeWithPeakRss(build, turboQ5, jfk, threads);
  const tr = ours.transcription!;
  const cppEncode = cpp.timings.encodeMs / cpp.timings.encodeRuns;
  const cppStep = cpp.timings.decodeMs / cpp.timings.decodeRuns;
  const row = (what: string, a: number, b: number, unit: string): void =>
    console.log(`${what.padEnd(26)} amanuensis ${a.toFixed(1).padStart(8)} ${unit}   whisper.cpp ${b.toFixed(1).padStart(8)} ${unit}   ratio ${(a / b).toFixed(2)}`);
  row('encoder per 30 s window', tr.encoderMsPerWindow, cppEncode, 'ms');
  row('decoder per step', tr.decoderMsPerStep, cppStep, 'ms');
  row('peak RSS', ours.peakRssMiB, cpp.peakRssMiB, 'MiB');
  console.log(`(amanuensis: ${tr.windows} window(s), ${tr.decoderSteps} decoder steps; whisper.cpp: ${cpp.timings.encodeRuns} encoder run(s), ${cpp.timings.decodeRuns} single-token steps, ${cpp.timings.batchdRuns} batched, ${cpp.timings.promptRuns} prompt)`);
  turbo = {
    amanuensis: { ...tr, peakRssMiB: ours.peakRssMiB },
    whisperCpp: { version: build.version, encoderMsPerWindow: cppEncode, decoderMsPerStep: cppStep, peakRssMiB: cpp.peakRssMiB, timings: cpp.timings, text: cpp.text.slice(0, 80) },
  };
}

writeRecord('model-shapes', { threads, loads, largeV3TurboQ5_0Jfk: turbo });
