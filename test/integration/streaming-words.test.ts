/**
 * TranscriptionSession at word granularity (the default) on the synthetic tiny.en model: jfk.wav
 * and a LibriSpeech utterance replayed in 20 ms, 100 ms and 1 s chunks (and once at real-time
 * pace), under the energy gate and under the default Silero gate. Confirmed words are never
 * revised or repeated, their times never go back, segments are made of them, each word is one the
 * two last hypotheses agreed on, and their text is the offline transcription of the same audio
 * with the same decoding options where the session's last window spans that audio.
 *
 * Two kinds of replay:
 * - as fast as the session takes the chunks: a step takes longer than pushing the rest of the
 *   audio, so the session hears the first second, then everything, then flushes; its last window
 *   is the whole audio, and its words are the offline text.
 * - "computationally unaware" (whisper_streaming's simulation): each chunk is pushed once the
 *   session has settled, so a step runs at every second of audio, as if decoding took no time.
 *   Words are then confirmed and the buffer trimmed mid-stream, and later windows start at the
 *   trims, prompted with the confirmed text: the random-weight model writes a different text for
 *   every window start, length and prompt (a trained model would mostly agree with itself), so the
 *   text differs from the offline text from the first trim on. What such a replay is checked for
 *   is the agreement itself: each word a non-final step confirms is the next word of the previous
 *   step's partial (its unconfirmed words), in order.
 */
import { describe, expect, it } from 'vitest';

import { decodeAudioFile } from '../../src/audio/audio-file.js';
import type { SessionEvent, SpeechEndSessionEvent, WordEvent } from '../../src/streaming/session-events.js';
import { Transcriber } from '../../src/transcriber.js';
import { jfkSamplesReference, LIBRISPEECH_DIR, SYNTHETIC_MODEL } from '../helpers/shared.js';

// greedy and short windows keep the random-weight model fast
const decode = { temperature: 0, sampleLen: 24 } as const;
// what each of the session's steps asks the model for: the offline reference uses the same
const offlineOptions = { ...decode, wordTimestamps: true, conditionOnPreviousText: false } as const;
const RATE = 16000;

interface Replayed {
  readonly events: SessionEvent[];
  /** Each 'word' event as it was when emitted (JSON), to compare with what the iterator delivers at the end. */
  readonly wordsAtEmission: string[];
}

type Pace = 'fast' | 'settled' | 'real-time';

/** The session's events for `audio` pushed in `chunkMs` chunks at `pace`. */
async function replay(t: Transcriber, audio: Float32Array, chunkMs: number, gate: 'silero' | 'energy', pace: Pace): Promise<Replayed> {
  const session = t.createSession({ ...decode, stepMs: 1000, vad: gate });
  const events: SessionEvent[] = [];
  const wordsAtEmission: string[] = [];
  session.on('word', (e: WordEvent) => wordsAtEmission.push(JSON.stringify(e)));
  const collected = (async () => { for await (const e of session) events.push(e); })();
  const chunk = Math.round((RATE * chunkMs) / 1000);
  for (let at = 0; at < audio.length; at += chunk) {
    session.push(audio.subarray(at, Math.min(audio.length, at + chunk)));
    if (pace === 'settled') await session.settle();
    else if (pace === 'real-time') await new Promise((r) => setTimeout(r, chunkMs));
    else if ((at / chunk) % 10 === 0) await new Promise((r) => setImmediate(r));
  }
  await session.close();
  await collected;
  return { events, wordsAtEmission };
}

/** Text as agreement compares it, joined: no spaces or punctuation, lower case. */
const compact = (text: string): string => text.toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, '');

/**
 * LocalAgreement seen from outside: the words a non-final step confirms (those between two
 * partials) begin the partial before them (its unconfirmed words; compared joined, as a word of
 * Whisper's need not begin with a space, and as agreement ignores case and punctuation). Words of
 * a final step (before a speech end, or after the last partial) are not checked: a final step
 * confirms everything. Returns how many words were checked.
 */
function checkAgreement(events: readonly SessionEvent[]): number {
  let previous: string | undefined;
  let group: string[] = [];
  let checked = 0;
  for (const e of events) {
    if (e.type === 'word') group.push(e.word);
    if (e.type === 'speechstart' || e.type === 'speechend') {
      previous = undefined;
      group = [];
    }
    if (e.type !== 'partial') continue;
    if (previous !== undefined && group.length > 0) {
      expect(previous.startsWith(compact(group.join(''))), `${JSON.stringify(group)} begins ${JSON.stringify(previous)}`).toBe(true);
      checked += group.length;
    }
    previous = compact(e.text);
    group = [];
  }
  return checked;
}

/**
 * The checks every replay passes: words delivered exactly as emitted (never revised, never
 * repeated), times monotonic and inside the audio, each segment the words confirmed since the
 * one before. Returns the confirmed text.
 */
function checkWords({ events, wordsAtEmission }: Replayed, durationS: number): string {
  const words = events.filter((e): e is WordEvent => e.type === 'word');
  expect(words.map((w) => JSON.stringify(w))).toEqual(wordsAtEmission);
  words.forEach((w, i) => {
    expect(w.start).toBeGreaterThanOrEqual(0);
    expect(w.end).toBeGreaterThanOrEqual(w.start);
    expect(w.end).toBeLessThanOrEqual(durationS + 0.02);
    if (i > 0) expect(w.start).toBeGreaterThanOrEqual(words[i - 1]!.end);
    expect(w.probability).toBeGreaterThanOrEqual(0);
    expect(w.probability).toBeLessThanOrEqual(1);
    expect(w.latencyMs).toBeGreaterThanOrEqual(0);
  });
  let since: WordEvent[] = [];
  let id = 0;
  for (const e of events) {
    if (e.type === 'word') since.push(e);
    if (e.type !== 'segment') continue;
    expect(e.id).toBe(id++);
    expect(since.length).toBeGreaterThan(0);
    expect(e.text).toBe(since.map((w) => w.word).join(''));
    expect([e.start, e.end]).toEqual([since[0]!.start, since[since.length - 1]!.end]);
    since = [];
  }
  // at the end every confirmed word is in a segment
  expect(since).toEqual([]);
  return words.map((w) => w.word).join('');
}

describe('TranscriptionSession by words', () => {
  let t: Transcriber;
  const jfk = jfkSamplesReference();
  let librispeech: Float32Array;

  it('load', async () => {
    t = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2, encoder: 'cpu' });
    librispeech = (await decodeAudioFile(`${LIBRISPEECH_DIR}/1089-134686-0000.flac`)).samples;
  });

  it.each([20, 100, 1000])('jfk.wav in %d ms chunks, fast, energy gate: words final and monotonic, their text the offline text', async (chunkMs) => {
    const offline = await t.transcribe(jfk, offlineOptions);
    const replayed = await replay(t, jfk, chunkMs, 'energy', 'fast');
    const text = checkWords(replayed, jfk.length / RATE);
    expect(replayed.events.some((e) => e.type === 'partial')).toBe(true);
    expect(text).toBe(offline.text);
  });

  it('a LibriSpeech utterance in 100 ms chunks, fast, energy gate: the same', async () => {
    const offline = await t.transcribe(librispeech, offlineOptions);
    const text = checkWords(await replay(t, librispeech, 100, 'energy', 'fast'), librispeech.length / RATE);
    expect(text).toBe(offline.text);
  });

  it('a LibriSpeech utterance in 20 ms and 1 s chunks, settled, energy gate: words confirmed by agreement as they come, the same steps for either chunk size', async () => {
    const short = (await decodeAudioFile(`${LIBRISPEECH_DIR}/1089-134686-0001.flac`)).samples;
    const small = await replay(t, short, 20, 'energy', 'settled');
    const large = await replay(t, short, 1000, 'energy', 'settled');
    checkWords(small, short.length / RATE);
    // words confirmed mid-stream, each one agreed on
    expect(checkAgreement(small.events)).toBeGreaterThan(0);
    // a step at every second of audio, at the same points whatever the chunks: the same events
    const timeless = (events: readonly SessionEvent[]): string[] => events.map((e) => JSON.stringify({ ...e, latencyMs: undefined }));
    expect(timeless(large.events)).toEqual(timeless(small.events));
  });

  /** The speech stretches of a Silero-gated replay, each checked final at its end; every word inside one. */
  function checkStretches(events: readonly SessionEvent[]): void {
    const stretches: [number, number][] = [];
    let start: number | undefined;
    events.forEach((e, i) => {
      if (e.type === 'speechstart') start = e.start;
      if (e.type !== 'speechend') return;
      const end = (e as SpeechEndSessionEvent).end;
      stretches.push([start!, end]);
      // final means final: nothing after a speech end reaches back before it
      for (const later of events.slice(i + 1)) if (later.type === 'word') expect(later.start).toBeGreaterThanOrEqual(end);
    });
    expect(stretches.length).toBeGreaterThan(0);
    const words = events.filter((e): e is WordEvent => e.type === 'word');
    expect(words.length).toBeGreaterThan(0);
    for (const w of words) expect(stretches.some(([a, b]) => w.start >= a - 1e-9 && w.end <= b + 1e-9), `${w.word} ${w.start}-${w.end}`).toBe(true);
  }

  it.each([20, 100, 1000])('jfk.wav in %d ms chunks, fast, Silero gate: words inside the speech, final at each speech end', async (chunkMs) => {
    const replayed = await replay(t, jfk, chunkMs, 'silero', 'fast');
    checkWords(replayed, jfk.length / RATE);
    checkStretches(replayed.events);
  });

  it('jfk.wav in 100 ms chunks, settled, Silero gate: the same, and words agreed on', async () => {
    const replayed = await replay(t, jfk, 100, 'silero', 'settled');
    checkWords(replayed, jfk.length / RATE);
    checkStretches(replayed.events);
    checkAgreement(replayed.events);
  });

  it('a LibriSpeech utterance in 100 ms chunks, fast, Silero gate: the same', async () => {
    const replayed = await replay(t, librispeech, 100, 'silero', 'fast');
    checkWords(replayed, librispeech.length / RATE);
    checkStretches(replayed.events);
  });

  it('real-time pace: 3 s of jfk.wav in 100 ms chunks, words and partials while audio arrives', async () => {
    const replayed = await replay(t, jfk.subarray(0, 3 * RATE), 100, 'energy', 'real-time');
    checkWords(replayed, 3);
    expect(replayed.events.filter((e) => e.type === 'partial').length).toBeGreaterThanOrEqual(2);
    t.close();
  });
});
