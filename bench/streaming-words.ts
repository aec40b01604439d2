/**
 * How soon streaming confirms text: jfk.wav and LibriSpeech utterances pushed at real-time pace
 * into a session with word granularity and into one with segment granularity (same model, same
 * decoding options, same gate), and for every confirmed word the delay from its end in the audio
 * to the event that confirmed it, in wall time since the replay began.
 *
 * - word granularity: a word's end is its `'word'` event's `end`;
 * - segment granularity: the words of a `'segment'` event are counted each once (the segment's
 *   text split at spaces), with the segment's `end` as their end: every word of a segment ends at
 *   or before it, so this favours the segment granularity (its true delays are larger).
 *
 * With the synthetic model (random weights: the text means nothing, and every window decodes
 * `--tokens` tokens) the figures say what the confirmation policy and the extra alignment pass
 * cost on this machine, not what a trained model would hear; pass `--model` for a real one.
 *
 * Run: npx tsx bench/streaming-words.ts [--model path] [--threads 2] [--chunk-ms 100] [--step-ms 1000]
 *   [--tokens 24] [--vad silero|energy] [--files jfk,1089-134686-0001,1089-134691-0000]
 */
import { parseArgs } from 'node:util';

import { decodeAudioFile } from '../src/audio/audio-file.js';
import type { SessionEvent } from '../src/streaming/session-events.js';
import { Transcriber } from '../src/transcriber.js';
import { jfkSamplesReference, LIBRISPEECH_DIR } from '../test/helpers/shared.js';
import { writeRecord } from './record.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: '../shared/models/synthetic/ggml-tiny.en-random-seed0.bin' },
    threads: { type: 'string', default: '2' },
    'chunk-ms': { type: 'string', default: '100' },
    'step-ms': { type: 'string', default: '1000' },
    tokens: { type: 'string', default: '24' },
    vad: { type: 'string', default: 'silero' },
    files: { type: 'string', default: 'jfk,1089-134686-0001,1089-134691-0000' },
  },
});
const chunkMs = Number(values['chunk-ms']);
const stepMs = Number(values['step-ms']);
const gate = values.vad === 'energy' ? 'energy' : 'silero';
const decode = { temperature: 0, sampleLen: Number(values.tokens) };

/** Delays (ms) of one replay: per confirmed word, and per event. */
interface Replay {
  readonly wordDelaysMs: number[];
  readonly events: number;
}

/** Pushes `audio` in `chunkMs` chunks on a real-time schedule (no drift), and measures each confirmed word's delay. */
async function replay(t: Transcriber, audio: Float32Array, granularity: 'word' | 'segment'): Promise<Replay> {
  const session = t.createSession({ ...decode, stepMs, vad: gate, granularity });
  const wordDelaysMs: number[] = [];
  let events = 0;
  let began = 0;
  const onEvent = (e: SessionEvent): void => {
    const now = performance.now() - began;
    if (e.type === 'word' && granularity === 'word') {
      wordDelaysMs.push(now - e.end * 1000);
      events++;
    } else if (e.type === 'segment' && granularity === 'segment') {
      const words = e.text.split(/\s+/).filter((w) => w !== '').length;
      for (let i = 0; i < words; i++) wordDelaysMs.push(now - e.end * 1000);
      events++;
    }
  };
  session.on('word', onEvent);
  session.on('segment', onEvent);
  const chunk = Math.round(16 * chunkMs);
  began = performance.now();
  for (let k = 0; k * chunk < audio.length; k++) {
    // the chunk that ends at (k + 1) · chunkMs of audio arrives then
    const due = began + (k + 1) * chunkMs;
    await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
    session.push(audio.subarray(k * chunk, Math.min(audio.length, (k + 1) * chunk)));
  }
  await session.close();
  return { wordDelaysMs, events };
}

function stats(xs: readonly number[]): { n: number; meanMs: number; p95Ms: number } {
  const s = [...xs].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length);
  return { n: s.length, meanMs: mean, p95Ms: s.length === 0 ? NaN : s[Math.ceil(0.95 * s.length) - 1]! };
}

const t = await Transcriber.load(values.model, { threads: Number(values.threads) });
const files: [string, Float32Array][] = [];
for (const name of values.files.split(',')) {
  files.push([name, name === 'jfk' ? jfkSamplesReference() : (await decodeAudioFile(`${LIBRISPEECH_DIR}/${name}.flac`)).samples]);
}
// warm-up: the first decode pays for allocations
await t.transcribe(files[0]![1].subarray(0, 16000), { ...decode, wordTimestamps: true });

const all: Record<'word' | 'segment', number[]> = { word: [], segment: [] };
const perFile: Record<string, unknown> = {};
for (const [name, audio] of files) {
  for (const granularity of ['word', 'segment'] as const) {
    const r = await replay(t, audio, granularity);
    all[granularity].push(...r.wordDelaysMs);
    const s = stats(r.wordDelaysMs);
    perFile[`${name}/${granularity}`] = { ...s, events: r.events };
    console.log(`${name} (${(audio.length / 16000).toFixed(1)} s), ${granularity}: ${s.n} words in ${r.events} events, ` +
      `delay mean ${s.meanMs.toFixed(0)} ms, p95 ${s.p95Ms.toFixed(0)} ms`);
  }
}
t.close();
const word = stats(all.word);
const segment = stats(all.segment);
console.log(`all files, ${chunkMs} ms chunks, step ${stepMs} ms, ${gate} gate:`);
console.log(`  word granularity:    ${word.n} words, delay mean ${word.meanMs.toFixed(0)} ms, p95 ${word.p95Ms.toFixed(0)} ms`);
console.log(`  segment granularity: ${segment.n} words, delay mean ${segment.meanMs.toFixed(0)} ms, p95 ${segment.p95Ms.toFixed(0)} ms (from each segment's end: a lower bound)`);
writeRecord('streaming-words', { model: values.model, chunkMs, stepMs, gate, sampleLen: decode.sampleLen, word, segment, perFile });
