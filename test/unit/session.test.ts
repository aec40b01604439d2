/**
 * The session's confirmation policy with scripted engines whose hypotheses are known:
 * LocalAgreement at segment and at word granularity, consumption at confirmed segment (and
 * sentence) boundaries, the prompt, the 30 s window limit, the voice gate.
 */
import { describe, expect, it } from 'vitest';

import type { TranscribeOptions } from '../../src/options.js';
import { agreedPrefix } from '../../src/streaming/local-agreement.js';
import { type SessionEngine, TranscriptionSession } from '../../src/streaming/session.js';
import type { SegmentEvent, SessionEvent, WordEvent } from '../../src/streaming/session-events.js';
import type { Segment, TranscriptionResult, Word } from '../../src/types.js';

const SR = 16000;

/** Audio whose every sample holds (its absolute second + 1) / 100, so the engine knows where a window starts. */
function labelledAudio(seconds: number): Float32Array {
  return Float32Array.from({ length: seconds * SR }, (_, i) => (Math.floor(i / SR) + 1) / 100);
}

/**
 * One segment per whole second in the window (" w<second>"), and for a trailing part-second
 * " w<second>?" — the kind of tail that changes when more audio arrives.
 */
class ScriptedEngine implements SessionEngine {
  readonly calls: { startSecond: number; samples: number; prompt: string | undefined }[] = [];
  constructor(private readonly oneSegment = false) {}

  async transcribe(audio: Float32Array, options: TranscribeOptions): Promise<TranscriptionResult> {
    const startSecond = Math.round(audio[0]! * 100) - 1;
    this.calls.push({ startSecond, samples: audio.length, prompt: options.initialPrompt });
    const whole = Math.floor(audio.length / SR);
    const seg = (id: number, start: number, end: number, text: string): Segment => ({
      id, seek: 0, start, end, text, tokens: [id], temperature: 0, avgLogprob: 0, compressionRatio: 1, noSpeechProb: 0,
    });
    const segments: Segment[] = this.oneSegment
      ? [seg(0, 0, audio.length / SR, ` words from ${startSecond}`)]
      : Array.from({ length: whole }, (_, k) => seg(k, k, k + 1, ` w${startSecond + k}`));
    if (!this.oneSegment && audio.length % SR !== 0) segments.push(seg(whole, whole, audio.length / SR, ` w${startSecond + whole}?`));
    return { text: segments.map((s) => s.text).join(''), segments, language: 'en', durationS: audio.length / SR,
      timings: { melMs: 0, encodeMs: 0, decodeMs: 0, totalMs: 0, windows: [] }, realtimeFactor: 0 };
  }
}

/**
 * Word timestamps as a word-level engine would give them: one word per whole second of the window,
 * " w<second>" from 0.1 s into its second to 0.9 s, every third one (seconds 2, 5, 8, …) ending a
 * sentence with "." and a segment (segments are the seconds 0–2, 3–5, … of the session); a trailing
 * part-second of at least 0.2 s is the word " w<second>-cut", which changes once the second is whole.
 * With `oneSegment`, the window is one segment of three words, " words from <first second>".
 */
class ScriptedWordEngine implements SessionEngine {
  readonly calls: { startSecond: number; samples: number; prompt: string | undefined; wordTimestamps: boolean | undefined }[] = [];
  constructor(private readonly oneSegment = false) {}

  async transcribe(audio: Float32Array, options: TranscribeOptions): Promise<TranscriptionResult> {
    const startSecond = Math.round(audio[0]! * 100) - 1;
    this.calls.push({ startSecond, samples: audio.length, prompt: options.initialPrompt, wordTimestamps: options.wordTimestamps });
    const duration = audio.length / SR;
    const word = (text: string, start: number, end: number): Word => ({ word: text, start, end, probability: 0.9, tokens: [start * 10] });
    const seg = (id: number, words: Word[], end: number): Segment => ({
      id, seek: 0, start: words[0]!.start, end, text: words.map((w) => w.word).join(''), tokens: words.flatMap((w) => w.tokens),
      temperature: 0, avgLogprob: 0, compressionRatio: 1, noSpeechProb: 0, words,
    });
    let segments: Segment[];
    if (this.oneSegment) {
      segments = [seg(0, [word(' words', 0.1, 0.5), word(' from', 0.5, 0.9), word(` ${startSecond}`, 0.9, Math.max(0.9, duration - 0.1))], duration)];
    } else {
      const whole = Math.floor(duration);
      const words = Array.from({ length: whole }, (_, k) => word(` w${startSecond + k}${(startSecond + k) % 3 === 2 ? '.' : ''}`, k + 0.1, k + 0.9));
      if (duration - whole >= 0.2) words.push(word(` w${startSecond + whole}-cut`, whole + 0.1, Math.min(whole + 0.9, duration)));
      const bySegment = new Map<number, Word[]>();
      words.forEach((w, k) => {
        const key = Math.floor((startSecond + k) / 3);
        bySegment.set(key, [...(bySegment.get(key) ?? []), w]);
      });
      segments = [...bySegment.values()].map((ws, id) => seg(id, ws, Math.min(ws[ws.length - 1]!.end + 0.1, duration)));
    }
    return { text: segments.map((s) => s.text).join(''), segments, language: 'en', durationS: duration,
      timings: { melMs: 0, encodeMs: 0, decodeMs: 0, totalMs: 0, windows: [] }, realtimeFactor: 0 };
  }
}

async function run(engine: SessionEngine, audio: Float32Array, chunkMs: number, stepMs = 1000, granularity: 'word' | 'segment' = 'segment'): Promise<SessionEvent[]> {
  const session = new TranscriptionSession(engine, { stepMs, vad: 'energy', vadThreshold: 0.001, granularity });
  const events: SessionEvent[] = [];
  session.on('segment', (e) => events.push(e));
  session.on('partial', (e) => events.push(e));
  session.on('word', (e) => events.push(e));
  const chunk = Math.round((chunkMs / 1000) * SR);
  for (let at = 0; at < audio.length; at += chunk) {
    session.push(audio.subarray(at, Math.min(audio.length, at + chunk)));
    await new Promise((r) => setImmediate(r)); // let each step finish: one step per stepMs of audio
    expect(session.buffer.length).toBeLessThanOrEqual(30 * SR + chunk);
  }
  await session.close();
  return events;
}

describe('agreedPrefix (LocalAgreement-2)', () => {
  const h = (...texts: string[]): { text: string; start: number; end: number; tokens: number[] }[] =>
    texts.map((text, i) => ({ text, start: i, end: i + 1, tokens: [] }));
  it('confirms the common prefix, never the last segment of the new hypothesis', () => {
    expect(agreedPrefix(h(' a', ' b', ' c'), h(' a', ' b', ' x', ' y'))).toBe(2);
    expect(agreedPrefix(h(' a', ' b'), h(' a', ' b'))).toBe(1);
    expect(agreedPrefix([], h(' a', ' b'))).toBe(0);
    expect(agreedPrefix(h(' a'), h(' A', ' b'))).toBe(0);
    expect(agreedPrefix(h('  a  b'), h(' a b', ' c'))).toBe(1);
  });
});

describe('TranscriptionSession with a scripted engine', () => {
  it('confirms each second once, in order, at agreement; consumes confirmed audio; prompts with confirmed text', async () => {
    const engine = new ScriptedEngine();
    const events = await run(engine, labelledAudio(8).subarray(0, 8 * SR - 4000), 250);
    const segments = events.filter((e): e is SegmentEvent => e.type === 'segment');
    expect(segments.map((s) => s.text)).toEqual([' w0', ' w1', ' w2', ' w3', ' w4', ' w5', ' w6', ' w7?']);
    expect(segments.map((s) => s.start)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // later windows start where confirmed audio ended, and carry the confirmed text as prompt
    const later = engine.calls.filter((c) => c.startSecond > 0);
    expect(later.length).toBeGreaterThan(0);
    for (const c of later) expect(c.prompt!.endsWith(` w${c.startSecond - 1}`)).toBe(true);
    // partials describe only the unconfirmed tail
    for (const p of events.filter((e) => e.type === 'partial')) expect(p.text).not.toMatch(/^ w0 w1/);
  });

  it('never transcribes more than 30 s at once, and sheds audio at 30 s when nothing agrees', async () => {
    const engine = new ScriptedEngine(true);
    const events = await run(engine, labelledAudio(75), 1000);
    for (const c of engine.calls) expect(c.samples).toBeLessThanOrEqual(30 * SR);
    const segments = events.filter((e): e is SegmentEvent => e.type === 'segment');
    expect(segments.length).toBeGreaterThanOrEqual(3);
    segments.forEach((s, i) => { if (i > 0) expect(s.start).toBeCloseTo(segments[i - 1]!.end, 6); });
    expect(segments[segments.length - 1]!.end).toBeCloseTo(75, 6);
  });

  it('the constructor refuses bad decoding options with ERR_INVALID_ARGUMENT', () => {
    for (const bad of [{ temperature: -1 }, { bestOf: 0 }, { task: 'summarize' }, { lengthPenalty: 'long' }]) {
      expect(() => new TranscriptionSession(new ScriptedEngine(), bad as never), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    }
  });

  it('push() refuses what is not finite Float32Array audio, before buffering it', () => {
    const session = new TranscriptionSession(new ScriptedEngine());
    for (const bad of [Float32Array.of(0, Number.NaN), Float32Array.of(Number.POSITIVE_INFINITY), [0.1], new Float64Array(4)]) {
      expect(() => session.push(bad as Float32Array)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_AUDIO' }));
    }
    expect(session.buffer.length).toBe(0);
  });

  it('vad: false transcribes even digital silence; a gate other than silero, energy or false is refused', async () => {
    const engine = new ScriptedEngine();
    const session = new TranscriptionSession(engine, { stepMs: 1000, vad: false, granularity: 'segment' });
    session.push(new Float32Array(3 * SR));
    await session.close();
    expect(engine.calls.length).toBeGreaterThan(0);
    expect(() => new TranscriptionSession(engine, { vad: 'webrtc' as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });

  it('silent chunks cost no engine call', async () => {
    for (const granularity of ['segment', 'word'] as const) {
      const engine = new ScriptedWordEngine();
      const events = await run(engine, new Float32Array(10 * SR), 100, 1000, granularity);
      expect(engine.calls).toEqual([]);
      expect(events).toEqual([]);
    }
  });
});

describe('TranscriptionSession at word granularity with a scripted engine', () => {
  it('is the default, asks for word timestamps, and refuses wordTimestamps: false or an unknown granularity', async () => {
    const engine = new ScriptedWordEngine();
    const session = new TranscriptionSession(engine, { stepMs: 1000, vad: false });
    const words: WordEvent[] = [];
    session.on('word', (e) => words.push(e));
    session.push(labelledAudio(3));
    await session.close();
    expect(words.map((w) => w.word)).toEqual([' w0', ' w1', ' w2.']);
    expect(engine.calls.every((c) => c.wordTimestamps === true)).toBe(true);
    expect(() => new TranscriptionSession(engine, { wordTimestamps: false })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => new TranscriptionSession(engine, { granularity: 'sentence' as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    // segment granularity leaves word timestamps to the caller
    const plain = new ScriptedEngine();
    const segmentSession = new TranscriptionSession(plain, { stepMs: 1000, vad: false, granularity: 'segment' });
    segmentSession.push(labelledAudio(2));
    await segmentSession.close();
    expect(plain.calls.length).toBeGreaterThan(0);
  });

  it('confirms each word once, in order, with its times; segments of confirmed words; trims at sentence ends; prompts with released words', async () => {
    const engine = new ScriptedWordEngine();
    const events = await run(engine, labelledAudio(8).subarray(0, 8 * SR - 4000), 250, 1000, 'word');
    const words = events.filter((e): e is WordEvent => e.type === 'word');
    expect(words.map((w) => w.word)).toEqual([' w0', ' w1', ' w2.', ' w3', ' w4', ' w5.', ' w6', ' w7-cut']);
    expect(words.map((w) => w.start)).toEqual([0.1, 1.1, 2.1, 3.1, 4.1, 5.1, 6.1, 7.1].map((t) => expect.closeTo(t, 9)));
    expect(words.map((w) => w.end)).toEqual([0.9, 1.9, 2.9, 3.9, 4.9, 5.9, 6.9, 7.75].map((t) => expect.closeTo(t, 9)));
    for (const w of words) expect(w.probability).toBe(0.9);
    // each segment is the words confirmed since the one before, emitted after them
    const segments = events.filter((e): e is SegmentEvent => e.type === 'segment');
    expect(segments.map((s) => s.text)).toEqual([' w0 w1 w2.', ' w3 w4 w5.', ' w6 w7-cut']);
    let since: string[] = [];
    for (const e of events) {
      if (e.type === 'word') since.push(e.word);
      if (e.type === 'segment') {
        expect(e.text).toBe(since.join(''));
        expect(e.start).toBe(words.find((w) => w.word === since[0])!.start);
        since = [];
      }
    }
    // windows start at sentence ends (3 s, 6 s), prompted with the confirmed words before them
    const later = engine.calls.filter((c) => c.startSecond > 0);
    expect(later.length).toBeGreaterThan(0);
    for (const c of later) {
      expect(c.startSecond % 3).toBe(0);
      expect(c.prompt!.endsWith(` w${c.startSecond - 1}.`)).toBe(true);
    }
    // a word is confirmed when a second hypothesis agrees: the first window's " w0" is only a partial
    expect(events[0]).toMatchObject({ type: 'partial', text: ' w0' });
    expect(events.findIndex((e) => e.type === 'word')).toBeGreaterThan(0);
  });

  it('never transcribes more than 30 s at once, and sheds audio at 30 s when nothing ends a sentence or segment', async () => {
    const engine = new ScriptedWordEngine(true);
    const events = await run(engine, labelledAudio(75), 1000, 1000, 'word');
    for (const c of engine.calls) expect(c.samples).toBeLessThanOrEqual(30 * SR);
    const words = events.filter((e): e is WordEvent => e.type === 'word');
    // one window of agreement per 30 s shed: " words from <its first second>" each time
    expect(words.map((w) => w.word).join('')).toMatch(/^( words from \d+){3}$/);
    words.forEach((w, i) => {
      expect(w.end).toBeGreaterThanOrEqual(w.start);
      if (i > 0) expect(w.start).toBeGreaterThanOrEqual(words[i - 1]!.end);
    });
    expect(words[words.length - 1]!.end).toBeLessThanOrEqual(75);
  });
});
