/**
 * Concurrent requests on one loaded model: 4, 8 and 16 simultaneous transcriptions of different
 * 1 s clips (the cache off, so each one encodes), reporting throughput in audio seconds per wall
 * second, per-request latency p50 / p95 / p99 and the success rate; each level with the
 * Transcriber's default admission (2 calls running at once) and with every call admitted at once,
 * and each of those with the decoder steps of concurrent calls batched (the default) and not.
 *
 * Run: npx tsx bench/concurrency.ts [--threads 2] [--levels 4,8,16]
 */
import { parseArgs } from 'node:util';

import { decodeAudioFile } from '../src/audio/audio-file.js';
import { SAMPLE_RATE } from '../src/constants.js';
import { Transcriber } from '../src/transcriber.js';
import { PerformanceProfiler } from '../src/utils/performance-profiler.js';
import { writeRecord } from './record.js';

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '2' },
    levels: { type: 'string', default: '4,8,16' },
    model: { type: 'string', default: '../shared/models/synthetic/ggml-tiny.en-random-seed0.bin' },
  },
});
const load = (batching: boolean): Promise<Transcriber> =>
  Transcriber.load(values.model, { threads: Number(values.threads), cache: false, encoder: 'cpu', ...(!batching && { decoderBatching: false }) });
const loaded = await load(true);
const unbatched = await load(false);
/** The same model parts behind an admission queue running `concurrency` calls at once. */
const admitting = (concurrency: number, batching: boolean): Transcriber => {
  const from = batching ? loaded : unbatched;
  return new Transcriber({
    dims: from.dims, tokenizer: from.tokenizer, frontend: from.frontend, encoder: from.encoder, decoder: from.decoder,
    cache: false, queue: { concurrency },
  });
};
const t = loaded;
const jfk = (await decodeAudioFile('../shared/audio/jfk.wav')).samples;
const clipOf = (i: number): Float32Array => jfk.slice((i * 4000) % (jfk.length - SAMPLE_RATE), (i * 4000) % (jfk.length - SAMPLE_RATE) + SAMPLE_RATE);
await t.transcribe(clipOf(0), { temperature: 0 }); // warm-up
await unbatched.transcribe(clipOf(0), { temperature: 0 });

const rows: unknown[] = [];
console.log('concurrent 1 s requests on one model, greedy, no fallback');
for (const level of values.levels.split(',').map(Number)) for (const admit of [2, level]) for (const batching of [true, false]) {
  const tr = admitting(admit, batching);
  const latency = new PerformanceProfiler();
  const t0 = performance.now();
  const results = await Promise.allSettled(Array.from({ length: level }, (_, i) =>
    latency.measure('request', () => tr.transcribe(clipOf(i + 1), { temperature: 0 }))));
  const wallS = (performance.now() - t0) / 1000;
  const ok = results.filter((r) => r.status === 'fulfilled').length;
  const s = latency.stats('request')!;
  const row = { concurrency: level, admitted: admit, batching, wallS, throughputAudioSPerS: ok / wallS, p50Ms: s.median, p95Ms: s.p95, p99Ms: s.p99, successRate: ok / level };
  rows.push(row);
  console.log(`  ${String(level).padStart(2)} requests, ${String(admit).padStart(2)} running at once, ${batching ? 'batched  ' : 'unbatched'}: ${row.throughputAudioSPerS.toFixed(2)} audio s per wall s, latency p50 ${s.median.toFixed(0)} ms, ` +
    `p95 ${s.p95.toFixed(0)} ms, p99 ${s.p99.toFixed(0)} ms, success ${(100 * row.successRate).toFixed(0)}%`);
}
writeRecord('concurrency', { threads: Number(values.threads), rows });
