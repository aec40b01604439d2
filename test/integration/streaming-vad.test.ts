/**
 * The Silero gate of streaming sessions (the default) on the synthetic tiny.en model, fed the
 * assembled recording (10 s of silence, jfk.wav, 15 s of noise at -30 dBFS, an utterance, 10 s
 * of silence) in 100 ms chunks: speech events only where speech was placed, and the text of
 * each stretch of speech finalised when the gate hears it end, before any more audio arrives.
 */
import { describe, expect, it } from 'vitest';

import type { SegmentEvent, SessionEvent, SpeechEndSessionEvent } from '../../src/streaming/session-events.js';
import type { TranscriptionSession } from '../../src/streaming/session.js';
import { Transcriber } from '../../src/transcriber.js';
import { assembledRecording } from '../helpers/assembled-recording.js';
import { SYNTHETIC_MODEL } from '../helpers/shared.js';

const RATE = 16000;
// the gate's padding (whisper_streaming's 100 ms) and the VAD tests' tolerance of where speech lies
const PAD_S = 0.1;
const SLACK_S = 0.25;

/** Resolves at the first 'speechend' at or after `afterS` seconds of the session. */
function speechEndAfter(session: TranscriptionSession, afterS: number): Promise<SpeechEndSessionEvent> {
  return new Promise((resolve) => {
    const on = (e: SpeechEndSessionEvent): void => {
      if (e.end < afterS) return;
      session.off('speechend', on);
      resolve(e);
    };
    session.on('speechend', on);
  });
}

describe('a session with the Silero gate', () => {
  it('speech events only in the speech; each stretch\'s text final at its end, without waiting for more audio', async () => {
    const { audio, placed, offsets } = await assembledRecording(0.25);
    const t = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2 });
    const session = t.createSession({ temperature: 0, sampleLen: 24, stepMs: 1000 });
    const events: SessionEvent[] = [];
    const collected = (async () => { for await (const e of session) events.push(e); })();
    const push = (fromS: number, toS: number): void => {
      for (let at = Math.round(fromS * RATE); at < Math.min(audio.length, toS * RATE); at += RATE / 10) {
        session.push(audio.subarray(at, Math.min(audio.length, at + RATE / 10, toS * RATE)));
      }
    };

    // jfk.wav, then 2 s of the noise: its last stretch of speech ends, and is final, with no more audio
    const jfkEnd = speechEndAfter(session, placed[0]![1] - 1);
    push(0, offsets[2]! + 2);
    await jfkEnd;
    expect(events.filter((e) => e.type === 'segment').length).toBeGreaterThan(0);

    // the rest: the noise, the utterance and 2 s of the silence after it
    const utteranceEnd = speechEndAfter(session, placed[1]![1] - 1);
    push(offsets[2]! + 2, offsets[4]! + 2);
    const utteranceEndEvent = await utteranceEnd;
    push(offsets[4]! + 2, Infinity);
    await session.close();
    await collected;
    t.close();
    // (the iterator delivers events a few microtasks after they are emitted: found after the collection)
    const atUtteranceEnd = events.indexOf(utteranceEndEvent) + 1;
    expect(atUtteranceEnd).toBeGreaterThan(0);

    const speech = events.filter((e) => e.type === 'speechstart' || e.type === 'speechend');
    expect(speech.length).toBeGreaterThanOrEqual(4);
    speech.forEach((e, i) => expect(e.type).toBe(i % 2 === 0 ? 'speechstart' : 'speechend'));
    // the silences and the noise, but for a second at their edges (the padding, and Silero's
    // hysteresis: speech ends at the first frame below its lower threshold, which the noise's fade-in can delay)
    const quiet: [number, number][] = [[0, offsets[1]!], [offsets[2]!, offsets[3]!], [offsets[4]!, audio.length / RATE]];
    const inQuiet = (from: number, to: number): boolean => quiet.some(([a, b]) => to > a + 1 && from < b - 1);
    for (const e of speech) {
      const at = e.type === 'speechstart' ? e.start : (e as SpeechEndSessionEvent).end;
      expect(inQuiet(at, at), `${e.type} at ${at} s`).toBe(false);
    }
    // both stretches of speech were heard, the utterance's start after the noise
    expect(speech.some((e) => e.type === 'speechstart' && e.start >= placed[1]![0] - PAD_S - SLACK_S)).toBe(true);

    // each stretch's segments come between its start and its end, and lie inside it; final means
    // final: after an end, no segment reaches back before it
    let open: { start: number } | undefined;
    events.forEach((e, i) => {
      if (e.type === 'speechstart') open = e;
      if (e.type === 'segment') {
        expect(open).toBeDefined();
        expect(e.start).toBeGreaterThanOrEqual(open!.start - 1e-9);
      }
      if (e.type !== 'speechend') return;
      open = undefined;
      for (const later of events.slice(i + 1)) if (later.type === 'segment') expect(later.start).toBeGreaterThanOrEqual(e.end - 1e-9);
      for (const earlier of events.slice(0, i)) if (earlier.type === 'segment') expect(earlier.end).toBeLessThanOrEqual(e.end + 1e-9);
    });
    console.log(events.filter((e) => e.type !== 'partial').map((e) => e.type === 'segment' ? `[${e.start}-${e.end}]`
      : e.type === 'speechstart' ? `start ${e.start}` : `end ${(e as SpeechEndSessionEvent).end}`).join(' '));
    // every segment lies out of the silences and the noise, in order
    const segments = events.filter((e): e is SegmentEvent => e.type === 'segment');
    expect(segments.length).toBeGreaterThan(0);
    for (const s of segments) expect(inQuiet(s.start, s.end), `segment ${s.start}-${s.end}`).toBe(false);
    segments.forEach((s, i) => { if (i > 0) expect(s.start).toBeGreaterThanOrEqual(segments[i - 1]!.end - 1e-9); });
    // the trailing silence added nothing
    expect(events.slice(atUtteranceEnd).filter((e) => e.type === 'segment' || e.type === 'speechstart')).toEqual([]);
  }, 60_000);

  it('refuses a bad gate or gate options with ERR_INVALID_ARGUMENT at once', async () => {
    const t = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2 });
    // true is 'silero', as transcribe's vad: true
    await t.createSession({ vad: true }).close();
    for (const bad of [{ vad: 'neural' }, { vad: 1 }, { vadOptions: 'fast' }, { vadOptions: { threshold: 1.5 } },
      { vadOptions: { minSilenceDurationMs: -1 } }, { vadModel: '' }]) {
      expect(() => t.createSession(bad as never), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    }
    t.close();
  });
});
