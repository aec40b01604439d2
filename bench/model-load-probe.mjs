/**
 * One model file in a fresh process: the time Transcriber.load takes and the process's peak
 * resident set size, and optionally one transcription of a WAV file (greedy, temperature 0,
 * English) with its encoder time per window and decoder time per step. Prints one JSON line.
 * bench/model-shapes.ts runs it once per file under plain Node, on the built package (`dist/`,
 * as an application imports it), so that each peak is that file's alone and holds no TypeScript
 * loader.
 *
 * Run: npm run build && node bench/model-load-probe.mjs <model> [--transcribe file.wav] [--threads 2]
 */
import { parseArgs } from 'node:util';

import { decodeAudioFile, Transcriber } from '../dist/index.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { transcribe: { type: 'string' }, threads: { type: 'string', default: '2' } },
});
const model = positionals[0];
if (model === undefined) throw new Error('usage: model-load-probe.mjs <model> [--transcribe file.wav] [--threads n]');

const mib = (bytes) => bytes / (1 << 20);
const t0 = performance.now();
const t = await Transcriber.load(model, { threads: Number(values.threads), cache: false });
const loadMs = performance.now() - t0;
const rssAfterLoadMiB = mib(process.memoryUsage().rss);

let transcription;
if (values.transcribe !== undefined) {
  const samples = (await decodeAudioFile(values.transcribe)).samples;
  const r = await t.transcribe(samples, { temperature: 0, language: 'en' });
  const decoded = r.timings.windows.filter((w) => w.skipped === undefined);
  // each decoded window: its sampled tokens plus the step that sampled eot (or hit the length limit)
  const steps = r.segments.reduce((n, s) => n + s.tokens.length, 0) + decoded.length;
  transcription = {
    windows: decoded.length,
    encoderMsPerWindow: decoded.reduce((ms, w) => ms + w.encodeMs, 0) / decoded.length,
    decoderSteps: steps,
    decoderMsPerStep: r.timings.decodeMs / steps,
    totalMs: r.timings.totalMs,
    text: r.text.slice(0, 80),
  };
}
t.close();
// resourceUsage().maxRSS is in KiB
console.log(JSON.stringify({ model, loadMs, rssAfterLoadMiB, peakRssMiB: process.resourceUsage().maxRSS / 1024, transcription }));
