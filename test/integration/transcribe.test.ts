/** End-to-end transcription on the synthetic tiny.en model: any length, silence, errors, fallback, concurrency. */
import { beforeAll, describe, expect, it } from 'vitest';

import { decodeAudioFile } from '../../src/audio/audio-file.js';
import type { MelSpectrogram } from '../../src/audio/mel-frontend.js';
import { N_FRAMES, SAMPLE_RATE } from '../../src/constants.js';
import type { Encoder } from '../../src/encoder/encoder.js';
import { Transcriber } from '../../src/transcriber.js';
import type { TranscriptionResult } from '../../src/types.js';
import { JFK_WAV, SYNTHETIC_MODEL } from '../helpers/shared.js';

let t: Transcriber;
let jfk: Float32Array;
// greedy, no fallback, short windows: fast and deterministic; the decoding rules are exercised elsewhere
const FAST = { temperature: 0, sampleLen: 24 } as const;

beforeAll(async () => {
  t = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2 });
  jfk = (await decodeAudioFile(JFK_WAV)).samples;
});

function repeat(samples: Float32Array, seconds: number): Float32Array {
  const out = new Float32Array(Math.round(seconds * SAMPLE_RATE));
  for (let i = 0; i < out.length; i++) out[i] = samples[i % samples.length]!;
  return out;
}

function expectWindowsCover(r: TranscriptionResult, durationS: number): void {
  const w = r.timings.windows;
  expect(w[0]!.seek).toBe(0);
  for (let i = 1; i < w.length; i++) expect(w[i]!.seek).toBe(w[i - 1]!.seek + w[i - 1]!.frames);
  const last = w[w.length - 1]!;
  expect(last.seek + last.frames).toBe(Math.floor(durationS * 100));
}

describe('1. the result record', () => {
  it('jfk.wav: text, segments, language, duration, per-stage timings and real-time factor', async () => {
    const r = await t.transcribe(jfk, { temperature: 0 });
    expect(r.durationS).toBe(11);
    expect(r.language).toBe('en');
    expect(r.text.length).toBeGreaterThan(0);
    expect(r.segments.length).toBeGreaterThan(0);
    const s = r.segments[0]!;
    expect(s).toMatchObject({ id: 0, seek: 0, temperature: 0 });
    expect(s.tokens.length).toBeGreaterThan(0);
    expect(Number.isFinite(s.avgLogprob) && s.avgLogprob < 0).toBe(true);
    expect(s.noSpeechProb).toBeGreaterThanOrEqual(0);
    expect(s.noSpeechProb).toBeLessThanOrEqual(1);
    expect(s.compressionRatio).toBeGreaterThan(0);
    expect(r.text).toBe(r.segments.map((x) => x.text).join(''));
    const tm = r.timings;
    for (const v of [tm.melMs, tm.encodeMs, tm.decodeMs]) expect(v).toBeGreaterThan(0);
    expect(tm.totalMs).toBeGreaterThanOrEqual(tm.melMs + tm.encodeMs + tm.decodeMs);
    expect(tm.windows).toHaveLength(1);
    expect(tm.windows[0]).toMatchObject({ seek: 0, frames: 1100, encoder: 'cpu', temperatures: [0] });
    expect(r.realtimeFactor).toBeCloseTo(tm.totalMs / 1000 / 11, 10);
  });

  it('the first sampled token is a timestamp no later than 1 s (openai/whisper ApplyTimestampRules)', async () => {
    const r = await t.transcribe(jfk, FAST);
    const first = r.segments[0]!.tokens[0]!;
    expect(first).toBeGreaterThanOrEqual(t.tokenizer.special.timestampBegin);
    expect(first).toBeLessThanOrEqual(t.tokenizer.special.timestampBegin + 50);
  });
});

describe('2. any length of audio', () => {
  it.each([1, 5, 30, 60, 120])('%i s succeeds and its windows cover the whole input', async (seconds) => {
    const audio = repeat(jfk, seconds);
    const r = await t.transcribe(audio, FAST);
    expect(r.durationS).toBe(seconds);
    expectWindowsCover(r, seconds);
    expect(r.timings.windows).toHaveLength(Math.ceil((seconds * 100) / N_FRAMES));
  });

  it('jfk.wav repeated to 130 s: segment times increase monotonically and the windows reach the end', async () => {
    const audio = repeat(jfk, 130.5);
    const r = await t.transcribe(audio, FAST);
    expectWindowsCover(r, 130.5);
    expect(r.segments.length).toBeGreaterThanOrEqual(5);
    for (let i = 0; i < r.segments.length; i++) {
      const s = r.segments[i]!;
      expect(s.end).toBeGreaterThan(s.start);
      if (i > 0) expect(s.start).toBeGreaterThanOrEqual(r.segments[i - 1]!.end - 1e-9);
    }
    expect(r.segments[r.segments.length - 1]!.start).toBeGreaterThanOrEqual(120);
  });

  it('a few samples (shorter than one 10 ms frame) give an empty result, not an error', async () => {
    const r = await t.transcribe(jfk.subarray(0, 100), FAST);
    expect(r.text).toBe('');
    expect(r.segments).toEqual([]);
  });
});

describe('3. silence gives empty text without running the model', () => {
  it.each([
    ['digital silence', (n: number) => new Float32Array(n)],
    ['near-silence at -70 dBFS', (n: number) => Float32Array.from({ length: n }, (_, i) => 0.0003 * Math.sin(i * 0.3))],
  ])('%s, 45 s', async (_, make) => {
    const r = await t.transcribe(make(45 * SAMPLE_RATE), { temperature: 0 });
    expect(r.text).toBe('');
    expect(r.segments).toEqual([]);
    expect(r.timings.windows.map((w) => w.skipped)).toEqual(['silence', 'silence']);
    expect(r.timings.encodeMs).toBe(0);
    expect(r.timings.decodeMs).toBe(0);
  });

  it('speech after silence is still transcribed, at its own time', async () => {
    const audio = new Float32Array(45 * SAMPLE_RATE);
    audio.set(jfk, 32 * SAMPLE_RATE);
    const r = await t.transcribe(audio, FAST);
    expect(r.timings.windows[0]!.skipped).toBe('silence');
    expect(r.segments.length).toBeGreaterThan(0);
    expect(r.segments[0]!.start).toBeGreaterThanOrEqual(30);
  });
});

describe('4. temperature fallback reuses the window\'s audio features', () => {
  it('a repetitive decode falls back to higher temperatures; the encoder runs once per window', async () => {
    let encodes = 0;
    const counting: Encoder = {
      name: 'counting',
      encode: (mel: MelSpectrogram) => {
        encodes++;
        return t.encoder.encode(mel);
      },
    };
    const wrapped = new Transcriber({ dims: t.dims, tokenizer: t.tokenizer, frontend: t.frontend, encoder: counting, decoder: t.decoder });
    const r = await wrapped.transcribe(jfk, { temperature: [0, 0.5, 1], bestOf: 2, sampleLen: 48, noSpeechThreshold: null });
    // random weights loop on one token: compression ratio > 2.4 or avgLogprob < -1 at every temperature
    expect(r.timings.windows[0]!.temperatures).toEqual([0, 0.5, 1]);
    const decoded = r.timings.windows.filter((w) => w.skipped === undefined);
    expect(encodes).toBe(decoded.length);
    expect(decoded.every((w) => w.encoder === 'counting')).toBe(true);
  });

  it('the same seed gives the same sampled text', async () => {
    const o = { temperature: 1, bestOf: 2, sampleLen: 16, seed: 42 };
    const a = await t.transcribe(jfk, o);
    const b = await t.transcribe(jfk, o);
    expect(a.text).toBe(b.text);
  });

  it('beam search runs and returns a result as long as greedy\'s or shorter', async () => {
    const r = await t.transcribe(jfk, { temperature: 0, beamSize: 3, sampleLen: 16 });
    expect(r.segments.length).toBeGreaterThan(0);
    expect(r.segments[0]!.tokens.length).toBeLessThanOrEqual(16);
  });
});

describe('5. bad input gets typed errors', () => {
  it.each([
    ['NaN', Float32Array.of(0, Number.NaN, 0)],
    ['Infinity', Float32Array.of(0, Number.NEGATIVE_INFINITY)],
    ['empty', new Float32Array(0)],
    ['a plain array', [0.1, 0.2]],
    ['a Float64Array', new Float64Array(16000)],
    ['undefined', undefined],
  ])('%s audio → ERR_INVALID_AUDIO', async (_, audio) => {
    await expect(t.transcribe(audio as Float32Array)).rejects.toMatchObject({ code: 'ERR_INVALID_AUDIO' });
  });

  it('a language or task an English-only model cannot do → ERR_INVALID_ARGUMENT', async () => {
    await expect(t.transcribe(jfk, { language: 'de' })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(t.transcribe(jfk, { task: 'translate' })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });

  it('an aborted signal rejects with ERR_ABORTED, before or during the run', async () => {
    await expect(t.transcribe(jfk, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    const ac = new AbortController();
    let progressCalls = 0;
    const run = t.transcribe(repeat(jfk, 60), { ...FAST, signal: ac.signal, onProgress: () => { progressCalls++; ac.abort(); } });
    await expect(run).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    expect(progressCalls).toBe(1);
  });

  it('a closed Transcriber rejects with ERR_CLOSED', async () => {
    const other = await Transcriber.load(SYNTHETIC_MODEL, { threads: 1 });
    other.close();
    await expect(other.transcribe(jfk)).rejects.toMatchObject({ code: 'ERR_CLOSED' });
  });
});

describe('6. concurrency', () => {
  it('8 concurrent calls on one model all succeed with the same text as one call alone', async () => {
    const alone = await t.transcribe(jfk, FAST);
    const results = await Promise.all(Array.from({ length: 8 }, () => t.transcribe(jfk, FAST)));
    for (const r of results) expect(r.text).toBe(alone.text);
  });
});
