/**
 * End-to-end transcription of the same audio by amanuensis and whisper.cpp (the prebuilt in
 * @fugood/whisper.node), interleaved in one process run: greedy at temperature 0 without
 * fallback, language en, same model file and thread count, for 1, 5, 11 and 60 s of speech
 * (jfk.wav cut or repeated). Median of --runs after a warm-up round.
 *
 * Run: npx tsx bench/end-to-end.ts [--runs 3] [--threads 2] [--model file] [--seconds 1,5,11,60]
 */
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

import { decodeAudioFile } from '../src/audio/audio-file.js';
import { SAMPLE_RATE } from '../src/constants.js';
import { Transcriber } from '../src/transcriber.js';
import { writeRecord } from './record.js';
import { fmt, summarize } from './stats.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    threads: { type: 'string', default: '2' },
    model: { type: 'string', default: '../shared/models/synthetic/ggml-tiny.en-random-seed0.bin' },
    seconds: { type: 'string', default: '1,5,11,60' },
  },
});
const runs = Number(values.runs);
const threads = Number(values.threads);

const t = await Transcriber.load(values.model, { threads, cache: false });
const jfk = (await decodeAudioFile('../shared/audio/jfk.wav')).samples;
const whisper = createRequire(import.meta.url)('@fugood/whisper.node') as {
  initWhisper(o: object): Promise<{ transcribeData(pcm: ArrayBuffer, o: object): { promise: Promise<{ result: string }> }; release(): Promise<void> }>;
};
const ctx = await whisper.initWhisper({ filePath: values.model, useGpu: false });
const cppOptions = { language: 'en', temperature: 0, temperatureInc: 0, maxThreads: threads };

/** jfk.wav cut or repeated to `seconds`, as float samples and as the int16 PCM whisper.node takes. */
function clip(seconds: number): { samples: Float32Array; pcm: ArrayBuffer } {
  const samples = Float32Array.from({ length: Math.round(seconds * SAMPLE_RATE) }, (_, i) => jfk[i % jfk.length]!);
  const pcm = Int16Array.from(samples, (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32768))));
  return { samples, pcm: pcm.buffer };
}

const rows: { seconds: number; tokens: number; amanuensisMs: unknown; whisperCppPrebuiltMs: unknown; ratio: number }[] = [];
console.log(`end to end, greedy, ${threads} threads, median of ${runs} after a warm-up`);
for (const seconds of values.seconds.split(',').map(Number)) {
  const { samples, pcm } = clip(seconds);
  const ours: number[] = [];
  const cpp: number[] = [];
  let tokens = 0;
  for (let i = 0; i <= runs; i++) {
    let t0 = performance.now();
    const r = await t.transcribe(samples, { temperature: 0, language: 'en' });
    const a = performance.now() - t0;
    tokens = r.segments.reduce((n, s) => n + s.tokens.length, 0);
    t0 = performance.now();
    await ctx.transcribeData(pcm.slice(0), cppOptions).promise;
    const b = performance.now() - t0;
    if (i > 0) {
      ours.push(a);
      cpp.push(b);
    }
  }
  const o = summarize(ours);
  const c = summarize(cpp);
  rows.push({ seconds, tokens, amanuensisMs: o, whisperCppPrebuiltMs: c, ratio: o.median / c.median });
  console.log(`  ${String(seconds).padStart(3)} s (${tokens} tokens): amanuensis ${fmt(o)}`);
  console.log(`          whisper.cpp prebuilt ${fmt(c)}  -> amanuensis / whisper.cpp ${(o.median / c.median).toFixed(3)}x`);
}
await ctx.release();
writeRecord('end-to-end', { threads, model: values.model, rows });
