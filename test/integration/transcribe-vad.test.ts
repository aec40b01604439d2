/**
 * `transcribe(…, { vad })` and `batchSize` on the synthetic tiny.en model with the real Silero
 * VAD: only the windows that hold speech reach the encoder, timestamps land on the input's
 * timeline exactly, batched windows give what sequential ones give, and the options are checked.
 */
import { beforeAll, describe, expect, it } from 'vitest';

import type { MelSpectrogram } from '../../src/audio/mel-frontend.js';
import type { Encoder } from '../../src/encoder/encoder.js';
import { loadNativeAddon } from '../../src/native/binding.js';
import { Transcriber } from '../../src/transcriber.js';
import type { SourceRange, TranscriptionResult } from '../../src/types.js';
import { seededRandom } from '../../src/utils/random.js';
import { assembledRecording } from '../helpers/assembled-recording.js';
import { SILERO_VAD_MODEL, SYNTHETIC_MODEL, jfkSamplesReference } from '../helpers/shared.js';

const RATE = 16000;
// greedy, no fallback, short decodes: fast and deterministic (the model's text is random)
const FAST = { temperature: 0, sampleLen: 24 } as const;
// faster-whisper's padding of each segment, and the VAD tests' tolerance of where speech lies
const PAD_S = 0.4;
const SLACK_S = 0.25;

let t: Transcriber;
let recording: Awaited<ReturnType<typeof assembledRecording>>;

/** A Transcriber on `t`'s parts whose encoder counts its calls (and no encoder cache, so every window encodes). */
function counting(): { transcriber: Transcriber; encodes: () => number } {
  let encodes = 0;
  const encoder: Encoder = {
    name: 'counting',
    encode: (mel: MelSpectrogram, options) => {
      encodes++;
      return t.encoder.encode(mel, options);
    },
  };
  const transcriber = new Transcriber({ dims: t.dims, tokenizer: t.tokenizer, frontend: t.frontend, encoder, decoder: t.decoder, cache: false });
  return { transcriber, encodes: () => encodes };
}

/**
 * Whether the range stays out of the silences and the noise but for a second at their edges
 * (the 400 ms padding, and Silero's hysteresis: speech ends after 2 s below its lower threshold).
 */
function avoidsSilenceAndNoise(r: SourceRange): boolean {
  const [, jfkAt, noiseAt, utteranceAt, silenceAt] = recording.offsets as [number, number, number, number, number];
  const quiet: [number, number][] = [[0, jfkAt], [noiseAt, utteranceAt], [silenceAt, recording.audio.length / RATE]];
  return quiet.every(([from, to]) => r.end <= from + 1 || r.start >= to - 1);
}

/** `count` copies of `samples` with `gapS` of -30 dBFS white noise before each and after the last. */
function withNoiseBetween(samples: Float32Array, count: number, gapS: number): Float32Array {
  const gap = Math.round(gapS * RATE);
  const out = new Float32Array(count * samples.length + (count + 1) * gap);
  const random = seededRandom(7);
  for (let i = 0; i < out.length; i++) out[i] = 0.0316 * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  for (let k = 0; k < count; k++) out.set(samples, gap + k * (samples.length + gap));
  return out;
}

beforeAll(async () => {
  t = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2 });
  recording = await assembledRecording(0.25);
});

describe('vad: true on 10 s silence, jfk.wav, 15 s noise at -30 dBFS, an utterance, 10 s silence', () => {
  let result: TranscriptionResult;
  let encodes: number;

  it('encodes one window (the 22 s of speech, gathered) where the whole file takes two', async () => {
    const plain = counting();
    await plain.transcriber.transcribe(recording.audio, FAST);
    // both 30 s windows hold sound above the energy gate: speech, and noise with speech
    expect(plain.encodes()).toBe(2);

    const gated = counting();
    const progress: number[] = [];
    result = await gated.transcriber.transcribe(recording.audio, { ...FAST, vad: true, onProgress: (p) => progress.push(p.processedFrames) });
    encodes = gated.encodes();
    // progress on the input's frames: never backwards, to the end of the input
    progress.forEach((f, i) => { if (i > 0) expect(f).toBeGreaterThanOrEqual(progress[i - 1]!); });
    expect(progress.at(-1)).toBe(Math.floor(recording.audio.length / 160));
    expect(encodes).toBe(1);
    expect(result.timings.vadMs).toBeGreaterThan(0);
    expect(result.durationS).toBeCloseTo(recording.audio.length / RATE, 9);
  });

  it('the window says which stretches it was cut from: the two placed speeches, padded, and no more than a second into the silences and the noise', () => {
    const decoded = result.timings.windows.filter((w) => w.skipped === undefined);
    expect(decoded.length).toBe(encodes);
    const ranges = decoded[0]!.sourceRanges!;
    expect(ranges.length).toBe(2);
    recording.placed.forEach(([from, to], i) => {
      expect(ranges[i]!.start).toBeLessThanOrEqual(from + SLACK_S);
      expect(ranges[i]!.end).toBeGreaterThanOrEqual(to - SLACK_S);
      expect(avoidsSilenceAndNoise(ranges[i]!)).toBe(true);
    });
    expect(decoded[0]!.seek).toBe(Math.round(ranges[0]!.startSample / 160));
    for (const r of ranges) expect(r.end - r.start).toBeCloseTo((r.endSample - r.startSample) / RATE, 9);
  });

  it('every segment lies on the input\'s timeline, out of the silences and the noise; its sourceRanges begin at its start and end at its end', () => {
    expect(result.segments.length).toBeGreaterThan(0);
    for (const s of result.segments) {
      const ranges = s.sourceRanges!;
      expect(ranges.length).toBeGreaterThan(0);
      for (const r of ranges) expect(avoidsSilenceAndNoise(r)).toBe(true);
      expect(ranges[0]!.start).toBe(s.start);
      expect(ranges.at(-1)!.end).toBe(s.end);
    }
    expect(result.text).toBe(result.segments.map((s) => s.text).join(''));
  });
});

describe('timestamps are mapped back exactly', () => {
  it('jfk.wav between 40 s stretches of noise: the VAD result equals the transcription of the stretch it names, shifted by its start', async () => {
    const audio = withNoiseBetween(jfkSamplesReference(), 1, 40);
    const r = await t.transcribe(audio, { ...FAST, vad: true });
    const windows = r.timings.windows.filter((w) => w.skipped === undefined);
    expect(windows.length).toBe(1);
    const [range] = windows[0]!.sourceRanges!;
    expect(windows[0]!.sourceRanges!.length).toBe(1);
    // jfk.wav (11 s) starts at 40 s: the stretch holds it
    expect(range!.start).toBeGreaterThanOrEqual(40 - PAD_S - SLACK_S);
    expect(range!.end).toBeLessThanOrEqual(51 + PAD_S + SLACK_S);

    const direct = await t.transcribe(audio.slice(range!.startSample, range!.endSample), FAST);
    expect(r.segments.map((s) => s.tokens)).toEqual(direct.segments.map((s) => s.tokens));
    expect(r.segments.map((s) => s.start)).toEqual(direct.segments.map((s) => (range!.startSample + Math.round(s.start * RATE)) / RATE));
    expect(r.segments.map((s) => s.end)).toEqual(direct.segments.map((s) => (range!.startSample + Math.round(s.end * RATE)) / RATE));
    expect(r.text).toBe(direct.text);
  });

  it('with word timestamps, the words are those of the stretch transcribed directly, shifted by its start', async () => {
    const audio = withNoiseBetween(jfkSamplesReference(), 1, 40);
    const r = await t.transcribe(audio, { ...FAST, vad: true, wordTimestamps: true });
    const [range] = r.timings.windows.find((w) => w.skipped === undefined)!.sourceRanges!;
    const direct = await t.transcribe(audio.slice(range!.startSample, range!.endSample), { ...FAST, wordTimestamps: true });
    const words = r.segments.flatMap((s) => s.words ?? []);
    const directWords = direct.segments.flatMap((s) => s.words ?? []);
    expect(directWords.length).toBeGreaterThan(0);
    expect(words.map((w) => w.word)).toEqual(directWords.map((w) => w.word));
    expect(words.map((w) => w.probability)).toEqual(directWords.map((w) => w.probability));
    expect(words.map((w) => w.start)).toEqual(directWords.map((w) => (range!.startSample + Math.round(w.start * RATE)) / RATE));
    expect(words.map((w) => w.end)).toEqual(directWords.map((w) => (range!.startSample + Math.round(w.end * RATE)) / RATE));
  });

  it('audio with no speech (noise only) encodes nothing and gives no segments', async () => {
    const c = counting();
    const r = await c.transcriber.transcribe(withNoiseBetween(new Float32Array(0), 0, 35), { ...FAST, vad: true });
    expect(c.encodes()).toBe(0);
    expect(r.segments).toEqual([]);
    expect(r.text).toBe('');
  });
});

describe('batchSize', () => {
  // three copies of the assembled recording: three windows of speech (jfk.wav and the utterance each)
  let audio: Float32Array;
  beforeAll(() => {
    audio = new Float32Array(3 * recording.audio.length);
    for (let k = 0; k < 3; k++) audio.set(recording.audio, k * recording.audio.length);
  });

  it('batchSize 3 gives the windows of one after another without conditioning, token for token, and batches their decoder steps', async () => {
    const o = { ...FAST, vad: true, conditionOnPreviousText: false } as const;
    const sequential = await t.transcribe(audio, o);
    const decoded = sequential.timings.windows.filter((w) => w.skipped === undefined);
    expect(new Set(decoded.map((w) => w.sourceRanges![0]!.startSample)).size).toBe(3);

    const addon = loadNativeAddon();
    const before = addon.decodeSchedulerStats();
    const batched = await t.transcribe(audio, { ...o, batchSize: 3 });
    const after = addon.decodeSchedulerStats();
    // loop steps served beyond one per batched step: some native steps served several windows at once
    expect((after.steps - before.steps) - (after.batches - before.batches)).toBeGreaterThan(0);
    expect(after.largestBatch).toBeGreaterThanOrEqual(2);

    const strip = (r: TranscriptionResult): unknown => r.segments.map(({ tokens, start, end, seek, sourceRanges, text }) => ({ tokens, start, end, seek, sourceRanges, text }));
    expect(strip(batched)).toEqual(strip(sequential));
    expect(batched.text).toBe(sequential.text);
    expect(batched.segments.map((s) => s.id)).toEqual(batched.segments.map((_, i) => i));
    expect(batched.timings.windows.map((w) => w.sourceRanges)).toEqual(sequential.timings.windows.map((w) => w.sourceRanges));
  });

  it('without a VAD, batchSize cuts consecutive 30 s windows, each on the input\'s timeline', async () => {
    const r = await t.transcribe(recording.audio, { ...FAST, batchSize: 2 });
    const w = r.timings.windows;
    expect(w[0]!.sourceRanges).toEqual([{ start: 0, end: 30, startSample: 0, endSample: 30 * RATE }]);
    expect(w.at(-1)!.sourceRanges!.at(-1)!.endSample).toBe(recording.audio.length);
    for (const s of r.segments) {
      expect(s.start).toBeGreaterThanOrEqual(s.sourceRanges![0]!.start);
      expect(s.end).toBeLessThanOrEqual(recording.audio.length / RATE);
    }
  });
});

describe('options', () => {
  it('bad vad, vadModel and batchSize values are refused with ERR_INVALID_ARGUMENT before any work', async () => {
    for (const bad of [{ vad: 'yes' }, { vad: 1 }, { vad: null }, { vad: { threshold: 2 } }, { vad: { speechPadMs: -1 } },
      { vad: { maxSpeechDurationS: 31 } }, { vad: { maxSpeechDurationS: Infinity } }, { vadModel: '' }, { vadModel: 3 },
      { batchSize: 0 }, { batchSize: 65 }, { batchSize: 1.5 }, { batchSize: '2' }]) {
      await expect(t.transcribe(jfkSamplesReference(), bad as never), JSON.stringify(bad)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    }
  });

  it('vadModel loads that file; a missing file is ERR_MODEL_NOT_FOUND, a Whisper model is not a VAD model', async () => {
    const jfk = jfkSamplesReference();
    const own = await t.transcribe(jfk, { ...FAST, vad: true, vadModel: SILERO_VAD_MODEL });
    const bundled = await t.transcribe(jfk, { ...FAST, vad: true });
    expect(own.segments).toEqual(bundled.segments);
    await expect(t.transcribe(jfk, { vad: true, vadModel: '/nonexistent/ggml-silero.bin' })).rejects.toMatchObject({ code: 'ERR_MODEL_NOT_FOUND' });
    await expect(t.transcribe(jfk, { vad: true, vadModel: SYNTHETIC_MODEL })).rejects.toMatchObject({ code: expect.stringMatching(/^ERR_MODEL_/) });
  });
});
