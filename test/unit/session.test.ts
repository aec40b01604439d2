/**
 * The session's confirmation policy with a scripted engine whose hypotheses are known:
 * LocalAgreement, consumption at confirmed segment boundaries, the prompt, the 30 s window
 * limit, the voice gate.
 */
import { describe, expect, it } from 'vitest';

import type { TranscribeOptions } from '../../src/options.js';
import { agreedPrefix } from '../../src/streaming/local-agreement.js';
import { type SessionEngine, TranscriptionSession } from '../../src/streaming/session.js';
import type { SegmentEvent, SessionEvent } from '../../src/streaming/session-events.js';
import type { Segment, TranscriptionResult } from '../../src/types.js';

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

async function run(engine: SessionEngine, audio: Float32Array, chunkMs: number, stepMs = 1000): Promise<SessionEvent[]> {
  const session = new TranscriptionSession(engine, { stepMs, vad: 'energy', vadThreshold: 0.001 });
  const events: SessionEvent[] = [];
  session.on('segment', (e) => events.push(e));
  session.on('partial', (e) => events.push(e));
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
    const session = new TranscriptionSession(engine, { stepMs: 1000, vad: false });
    session.push(new Float32Array(3 * SR));
    await session.close();
    expect(engine.calls.length).toBeGreaterThan(0);
    expect(() => new TranscriptionSession(engine, { vad: 'webrtc' as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });

  it('silent chunks cost no engine call', async () => {
    const engine = new ScriptedEngine();
    const events = await run(engine, new Float32Array(10 * SR), 100);
    expect(engine.calls).toEqual([]);
    expect(events).toEqual([]);
  });
});
