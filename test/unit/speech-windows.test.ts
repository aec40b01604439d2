/**
 * Speech windows: segments gathered into windows of at most 30 s of concatenated speech (as
 * faster-whisper's `collect_chunks` with `max_duration`), and window times mapped back to the
 * input (as its `SpeechTimestampsMap`, in exact samples), on hand-worked examples.
 */
import { describe, expect, it } from 'vitest';

import { Placement, SpeechWindow, fixedWindows, gatherSpeechWindows } from '../../src/transcribe/speech-windows.js';

const range = (startSample: number, endSample: number): { startSample: number; endSample: number } => ({ startSample, endSample });

describe('gatherSpeechWindows', () => {
  it('fills each window in order while the concatenated speech fits, then opens the next', () => {
    // lengths 10, 15, 10, 20, 5 with a limit of 30: [10, 15], [10, 20], [5]
    const windows = gatherSpeechWindows([range(0, 10), range(20, 35), range(50, 60), range(100, 120), range(200, 205)], 30);
    expect(windows.map((w) => w.ranges)).toEqual([
      [range(0, 10), range(20, 35)], [range(50, 60), range(100, 120)], [range(200, 205)],
    ]);
    expect(windows.map((w) => w.samples)).toEqual([25, 30, 5]);
  });

  it('splits a segment longer than the limit into pieces of the limit; no segments, no windows', () => {
    expect(gatherSpeechWindows([range(5, 75)], 30).map((w) => w.ranges)).toEqual([[range(5, 35)], [range(35, 65)], [range(65, 75)]]);
    expect(gatherSpeechWindows([], 30)).toEqual([]);
  });

  it('fixedWindows: consecutive windows of the limit, the last one shorter', () => {
    expect(fixedWindows(70, 30).map((w) => w.ranges)).toEqual([[range(0, 30)], [range(30, 60)], [range(60, 70)]]);
  });
});

describe('SpeechWindow', () => {
  // input samples 100-150 and 300-320 and 400-430, concatenated: window samples 0-50, 50-70, 70-100
  const w = new SpeechWindow([range(100, 150), range(300, 320), range(400, 430)]);

  it('audioOf concatenates the ranges', () => {
    const input = Float32Array.from({ length: 500 }, (_, i) => i);
    const audio = w.audioOf(input);
    expect(audio.length).toBe(100);
    expect([audio[0], audio[49], audio[50], audio[69], audio[70], audio[99]]).toEqual([100, 149, 300, 319, 400, 429]);
  });

  it('toSource: inside a range; at a cut, a start is the next range\'s first sample and an end the previous range\'s end', () => {
    expect(w.toSource(0, false)).toBe(100);
    expect(w.toSource(10, true)).toBe(110);
    expect(w.toSource(50, false)).toBe(300);
    expect(w.toSource(50, true)).toBe(150);
    expect(w.toSource(70, false)).toBe(400);
    expect(w.toSource(70, true)).toBe(320);
    expect(w.toSource(100, true)).toBe(430);
    // beyond the window (Whisper's padding): its end
    expect(w.toSource(130, true)).toBe(430);
  });

  it('sourceRanges: the input stretches of window samples, one per range touched, clipped', () => {
    expect(w.sourceRanges(40, 80).map((r) => [r.startSample, r.endSample])).toEqual([[140, 150], [300, 320], [400, 410]]);
    expect(w.sourceRanges(50, 70).map((r) => [r.startSample, r.endSample])).toEqual([[300, 320]]);
    expect(w.sourceRanges(60, 60)).toEqual([]);
    expect(w.sourceRanges(0, 16000)[0]).toEqual({ start: 100 / 16000, end: 150 / 16000, startSample: 100, endSample: 150 });
  });
});

describe('Placement (seconds and 10 ms frames of a 16 kHz window)', () => {
  // 1.5 s from 10 s, then 2 s from 20.25 s
  const p = new Placement(new SpeechWindow([range(160000, 184000), range(324000, 356000)]));

  it('a segment across the cut keeps its times on the input and names both stretches', () => {
    const s = p.segment(1.2, 2.04);
    expect(s.start).toBe(11.2);
    expect(s.end).toBe(20.79);
    expect(s.sourceRanges.map((r) => [r.start, r.end])).toEqual([[11.2, 11.5], [20.25, 20.79]]);
  });

  it('a segment ending at the cut ends where the first stretch does, not after the silence', () => {
    expect(p.segment(0.5, 1.5)).toMatchObject({ start: 10.5, end: 11.5 });
  });

  it('a decode window: the frame of its first input sample, and the stretches it covers up to the window\'s last sample', () => {
    expect(p.window(0, 3000)).toEqual({ seek: 1000, sourceRanges: [
      { start: 10, end: 11.5, startSample: 160000, endSample: 184000 },
      { start: 20.25, end: 22.25, startSample: 324000, endSample: 356000 }] });
    // frame 200 is 0.5 s into the second stretch: 20.75 s
    expect(p.window(200, 150).seek).toBe(2075);
  });
});
