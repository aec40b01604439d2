/**
 * End-to-end transcription of the same audio by amanuensis and whisper.cpp (the prebuilt in
 * @fugood/whisper.node), interleaved in one process run: greedy at temperature 0 without
 * fallback, language en, same model file and thread count. Median of --runs after a warm-up.
 *
 * Run: npx tsx bench/end-to-end.ts [--runs 3] [--threads 2] [--audio file] [--model file]
 */
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

import { decodeAudioFile } from '../src/audio/audio-file.js';
import { Transcriber } from '../src/transcriber.js';
import { fmt, summarize } from './stats.js';

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

const t = await Transcriber.load(values.model, { threads, cache: false });
const { samples, durationS } = await decodeAudioFile(values.audio);
const whisper = createRequire(import.meta.url)('@fugood/whisper.node') as {
  initWhisper(o: object): Promise<{ transcribeFile(p: string, o: object): { promise: Promise<{ result: string }> }; release(): Promise<void> }>;
};
const ctx = await whisper.initWhisper({ filePath: values.model, useGpu: false });
const cppOptions = { language: 'en', temperature: 0, temperatureInc: 0, maxThreads: threads };

const ours: number[] = [];
const cpp: number[] = [];
let tokens = 0;
for (let i = 0; i <= runs; i++) {
  let t0 = performance.now();
  const r = await t.transcribe(samples, { temperature: 0, language: 'en' });
  const a = performance.now() - t0;
  tokens = r.segments.reduce((n, s) => n + s.tokens.length, 0);
  t0 = performance.now();
  await ctx.transcribeFile(values.audio, cppOptions).promise;
  const b = performance.now() - t0;
  if (i > 0) { // the first round is the warm-up
    ours.push(a);
    cpp.push(b);
  }
}
await ctx.release();
const o = summarize(ours);
const c = summarize(cpp);
console.log(`end to end, ${durationS.toFixed(1)} s of audio, greedy, ${tokens} tokens decoded, ${threads} threads`);
console.log(`  amanuensis:                               ${fmt(o)}`);
console.log(`  whisper.cpp (@fugood/whisper.node prebuilt): ${fmt(c)}`);
console.log(`  amanuensis / whisper.cpp prebuilt: ${(o.median / c.median).toFixed(3)}x`);
