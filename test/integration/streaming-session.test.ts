/**
 * TranscriptionSession at segment granularity: jfk.wav and LibriSpeech utterances replayed in
 * 20 ms, 100 ms and 1 s chunks (faster than real time, and one at real-time pace), against the
 * offline transcription of the same audio with the same model and decoding options. (Word
 * granularity, the default, is streaming-words.test.ts's.)
 */
import { describe, expect, it } from 'vitest';

import { decodeAudioFile } from '../../src/audio/audio-file.js';
import type { SegmentEvent, SessionEvent } from '../../src/streaming/session-events.js';
import { Transcriber } from '../../src/transcriber.js';
import { jfkSamplesReference, LIBRISPEECH_DIR, SYNTHETIC_MODEL } from '../helpers/shared.js';

// greedy and short windows keep the random-weight model fast; offline uses the same options
const decode = { temperature: 0, sampleLen: 24 } as const;

/**
 * The session's events for `audio` pushed in `chunkMs` chunks. `gate` 'energy' (the energy gate)
 * where a test compares with the offline transcription of the whole audio: the Silero gate
 * transcribes only the speech, each stretch on its own, which is not the same audio.
 */
async function replay(t: Transcriber, audio: Float32Array, chunkMs: number, pace = false, gate: 'silero' | 'energy' = 'energy'): Promise<{ events: SessionEvent[]; seenAtEmission: string[] }> {
  const session = t.createSession({ ...decode, stepMs: 1000, vad: gate, granularity: 'segment' });
  const events: SessionEvent[] = [];
  const seenAtEmission: string[] = [];
  session.on('segment', (e: SegmentEvent) => seenAtEmission.push(JSON.stringify(e)));
  const collected = (async () => { for await (const e of session) events.push(e); })();
  const chunk = Math.round(16 * chunkMs);
  for (let at = 0; at < audio.length; at += chunk) {
    session.push(audio.subarray(at, Math.min(audio.length, at + chunk)));
    if (pace) await new Promise((r) => setTimeout(r, chunkMs));
    else if ((at / chunk) % 10 === 0) await new Promise((r) => setImmediate(r));
  }
  await session.close();
  await collected;
  return { events, seenAtEmission };
}

function checkTimeline(events: SessionEvent[], durationS: number): SegmentEvent[] {
  const segments = events.filter((e): e is SegmentEvent => e.type === 'segment');
  segments.forEach((s, i) => {
    expect(s.id).toBe(i);
    expect(s.end).toBeGreaterThanOrEqual(s.start);
    expect(s.end).toBeLessThanOrEqual(durationS + 0.02);
    if (i > 0) expect(s.start).toBeGreaterThanOrEqual(segments[i - 1]!.end - 1e-9);
    expect(s.latencyMs).toBeGreaterThanOrEqual(0);
  });
  return segments;
}

describe('TranscriptionSession', () => {
  let t: Transcriber;
  const jfk = jfkSamplesReference();

  it('load', async () => {
    t = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2, encoder: 'cpu' });
  });

  it.each([20, 100, 1000])('jfk.wav in %d ms chunks: confirmed text never changes, timeline monotonic, equals the offline text', async (chunkMs) => {
    const offline = await t.transcribe(jfk, decode);
    const { events, seenAtEmission } = await replay(t, jfk, chunkMs);
    const segments = checkTimeline(events, jfk.length / 16000);
    // what the iterator delivered is exactly what was emitted, in order, and never revised
    expect(segments.map((s) => JSON.stringify(s))).toEqual(seenAtEmission);
    expect(events.filter((e) => e.type === 'partial').length).toBeGreaterThan(0);
    const streamed = segments.map((s) => s.text).join('');
    console.log(`jfk ${chunkMs} ms chunks: ${segments.length} segments, ${events.length - segments.length} partials; ` +
      `streamed ${streamed.length} chars, offline ${offline.text.length}`);
    expect(streamed.trim()).toBe(offline.text.trim());
  });

  it('LibriSpeech utterances in 100 ms chunks equal their offline transcription', async () => {
    for (const name of ['1089-134686-0001', '1089-134691-0000']) {
      const audio = (await decodeAudioFile(`${LIBRISPEECH_DIR}/${name}.flac`)).samples;
      const offline = await t.transcribe(audio, decode);
      const { events } = await replay(t, audio, 100);
      const segments = checkTimeline(events, audio.length / 16000);
      expect(segments.map((s) => s.text).join('').trim()).toBe(offline.text.trim());
    }
  });

  it('real-time pace: 3 s of jfk.wav in 100 ms chunks gives partials while audio arrives', async () => {
    const audio = jfk.subarray(0, 3 * 16000);
    const { events } = await replay(t, audio, 100, true, 'silero');
    const partials = events.filter((e) => e.type === 'partial');
    expect(partials.length).toBeGreaterThanOrEqual(2);
    for (const p of partials) expect(p.latencyMs).toBeGreaterThanOrEqual(0);
    checkTimeline(events, 3);
  });

  it('silence gives no events and no decoder work', async () => {
    const before = t.profiler.stats('total')?.count ?? 0;
    const { events } = await replay(t, new Float32Array(16000 * 5), 100, false, 'silero');
    expect(events).toEqual([]);
    expect(t.profiler.stats('total')?.count ?? 0).toBe(before);
  });

  it('createSession refuses bad decoding options at once, not as a later \'error\' event', () => {
    for (const bad of [{ temperature: -1 }, { temperature: [] }, { bestOf: 0 }, { beamSize: 2.5 }, { suppressTokens: [-3] },
      { initialPrompt: 42 }, { signal: {} }, { language: 'de' }, { task: 'translate' }, { granularity: 'sentence' }, { wordTimestamps: false }]) {
      expect(() => t.createSession(bad as never), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    }
  });

  it('an AbortSignal ends the session with ERR_ABORTED; a closed session refuses audio', async () => {
    const controller = new AbortController();
    const session = t.createSession({ ...decode, signal: controller.signal });
    session.push(jfk.subarray(0, 16000));
    controller.abort();
    await expect(session.flush()).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    expect(() => session.push(jfk.subarray(0, 100))).toThrow(expect.objectContaining({ code: 'ERR_ABORTED' }));
    const closed = t.createSession();
    await closed.close();
    expect(() => closed.push(new Float32Array(10))).toThrow(expect.objectContaining({ code: 'ERR_CLOSED' }));
    expect(() => t.createSession({ stepMs: 0 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});
