/**
 * Speed when the machine's cores are shared: jfk.wav end to end at temperature 0 with 0 and 1
 * cores kept busy by another process (a busy loop), with the default thread count and with
 * `threads: 1`, beside the native whisper.cpp build (`-t <cores>` and `-t 1`) under the same
 * load, in one run. What matters is the ratio of each program's default to its one-thread time
 * under the same load: a thread pool that waits for descheduled helpers collapses there.
 *
 * Run: npx tsx bench/contention.ts [--runs 3] [--busy 0,1] [--model file]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';

import { decodeAudioFile } from '../src/audio/audio-file.js';
import { Transcriber } from '../src/transcriber.js';
import { writeRecord } from './record.js';
import { type Summary, summarize } from './stats.js';
import { buildWhisperCpp, whisperCppTranscribe } from './whisper-cpp-native.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    busy: { type: 'string', default: '0,1' },
    model: { type: 'string', default: '../shared/models/synthetic/ggml-tiny.en-random-seed0.bin' },
    audio: { type: 'string', default: '../shared/audio/jfk.wav' },
  },
});
const runs = Number(values.runs);
const busyLevels = values.busy.split(',').map(Number);
const cores = availableParallelism();
const build = buildWhisperCpp('native');
const audio = (await decodeAudioFile(values.audio)).samples;

/** Starts `n` processes that each keep one core busy until killed. */
function busyLoops(n: number): ChildProcess[] {
  return Array.from({ length: n }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
}

const configs = [
  { name: `amanuensis, default (${cores} threads)`, key: 'oursDefault' },
  { name: 'amanuensis, threads: 1', key: 'oursOne' },
  { name: `whisper.cpp native, -t ${cores}`, key: 'cppDefault' },
  { name: 'whisper.cpp native, -t 1', key: 'cppOne' },
] as const;
type Key = (typeof configs)[number]['key'];

const byDefault = await Transcriber.load(values.model, { cache: false, encoder: 'cpu' });
const single = await Transcriber.load(values.model, { threads: 1, cache: false, encoder: 'cpu' });
const ours = async (t: Transcriber): Promise<number> => {
  const t0 = performance.now();
  await t.transcribe(audio, { temperature: 0, language: 'en' });
  return performance.now() - t0;
};
const cpp = (threads: number): number => {
  const { timings } = whisperCppTranscribe(build, values.model, values.audio, threads);
  return timings.totalMs - timings.loadMs;
};
const measure: Record<Key, () => Promise<number> | number> = {
  oursDefault: () => ours(byDefault),
  oursOne: () => ours(single),
  cppDefault: () => cpp(cores),
  cppOne: () => cpp(1),
};

const table: { busy: number; figures: Record<Key, Summary> }[] = [];
for (const busy of busyLevels) {
  const loops = busyLoops(busy);
  try {
    const samples: Record<Key, number[]> = { oursDefault: [], oursOne: [], cppDefault: [], cppOne: [] };
    // a warm-up round, then `runs` rounds with the four configurations interleaved
    for (let round = 0; round <= runs; round++) {
      for (const c of configs) {
        const ms = await measure[c.key]();
        if (round > 0) samples[c.key].push(ms);
      }
    }
    table.push({ busy, figures: Object.fromEntries(configs.map((c) => [c.key, summarize(samples[c.key])])) as Record<Key, Summary> });
  } finally {
    for (const p of loops) p.kill('SIGKILL');
  }
}

const cell = (s: Summary): string => `${s.median.toFixed(0)} (${s.min.toFixed(0)}-${s.max.toFixed(0)})`;
console.log(`jfk.wav end to end, temperature 0, ${cores} cores, median of ${runs} rounds (min-max), ms; whisper.cpp ${build.version}`);
console.log(`  ${'busy cores'.padEnd(11)} ${configs.map((c) => c.name.padEnd(34)).join('')}default / 1 thread`);
for (const row of table) {
  const f = row.figures;
  console.log(`  ${String(row.busy).padEnd(11)} ${configs.map((c) => cell(f[c.key]).padEnd(34)).join('')}` +
    `amanuensis ${(f.oursDefault.median / f.oursOne.median).toFixed(2)}x, whisper.cpp ${(f.cppDefault.median / f.cppOne.median).toFixed(2)}x`);
}
writeRecord('contention', { cores, runs, whisperCpp: build.version, model: values.model, table });
