/**
 * speechSegmentsFromProbabilities (Silero's get_speech_timestamps rules) and SpeechEventTracker
 * (its VADIterator rules), without the model: on the float64 reference's probabilities for
 * jfk.wav against the segments Silero's own get_speech_timestamps returned for them (meta.json),
 * and on probability sequences built here whose segments follow by hand from utils_vad.py's rules.
 */
import { describe, expect, it } from 'vitest';

import { SpeechEventTracker } from '../../src/vad/speech-events.js';
import { speechSegmentsFromProbabilities } from '../../src/vad/speech-segments.js';
import { goldenOptions, sileroGoldenMeta, sileroGoldenProbabilities } from '../helpers/silero-vad-file.js';

const meta = sileroGoldenMeta();
const golden = sileroGoldenProbabilities();

/** Frame probabilities from runs of [value, frames]. */
function runs(...parts: [number, number][]): Float32Array {
  return Float32Array.from(parts.flatMap(([p, n]) => Array<number>(n).fill(p)));
}

const samplesOf = (segments: { startSample: number; endSample: number }[]): [number, number][] =>
  segments.map((s) => [s.startSample, s.endSample]);

describe('speechSegmentsFromProbabilities on the reference probabilities of jfk.wav', () => {
  it.each(['silero_defaults', 'faster_whisper_defaults'] as const)('%s: exactly Silero\'s segments, in samples', (set) => {
    const expected = meta.segments[set];
    const segments = speechSegmentsFromProbabilities(golden, meta.audio.n_samples, goldenOptions(expected.params));
    expect(samplesOf(segments)).toEqual(expected.segments.map((s) => [s.start, s.end]));
    expect(segments.map((s) => [s.start, s.end])).toEqual(expected.segments.map((s) => [s.start_s, s.end_s]));
  });

  it('the defaults are Silero\'s', () => {
    const segments = speechSegmentsFromProbabilities(golden, meta.audio.n_samples);
    expect(samplesOf(segments)).toEqual(meta.segments.silero_defaults.segments.map((s) => [s.start, s.end]));
  });
});

describe('speechSegmentsFromProbabilities rules, derived by hand from utils_vad.py', () => {
  it('a segment is kept only when longer than minSpeechDurationMs (4096 samples > 4000, 3584 not)', () => {
    const eight = runs([0, 10], [0.9, 8], [0, 20]);
    expect(samplesOf(speechSegmentsFromProbabilities(eight, eight.length * 512))).toEqual([[4640, 9696]]);
    const seven = runs([0, 10], [0.9, 7], [0, 20]);
    expect(speechSegmentsFromProbabilities(seven, seven.length * 512)).toEqual([]);
  });

  it('hysteresis: 0.4 (between negThreshold 0.35 and threshold 0.5) neither starts nor ends speech', () => {
    const p = runs([0.4, 10], [0.9, 10], [0.4, 30], [0, 10]);
    // speech from frame 10 (5120) until the first frame below 0.35, frame 50 (25600)
    expect(samplesOf(speechSegmentsFromProbabilities(p, p.length * 512))).toEqual([[5120 - 480, 25600 + 480]]);
  });

  it('audio ending in speech ends its segment at the last sample; a partial last frame counts', () => {
    const p = runs([0, 4], [0.9, 20]);
    expect(samplesOf(speechSegmentsFromProbabilities(p, 23 * 512 + 100))).toEqual([[2048 - 480, 23 * 512 + 100]]);
  });

  it('a segment over maxSpeechDurationS is cut at its silence longer than 98 ms', () => {
    const p = runs([0, 10], [0.9, 50], [0.1, 4], [0.9, 76], [0, 20]);
    const options = { minSilenceDurationMs: 300, maxSpeechDurationS: 3 };
    expect(samplesOf(speechSegmentsFromProbabilities(p, p.length * 512, options))).toEqual([[4640, 31200], [32288, 72160]]);
    // unlimited, the 128 ms silence (shorter than 300 ms) does not end the segment
    expect(samplesOf(speechSegmentsFromProbabilities(p, p.length * 512, { minSilenceDurationMs: 300 }))).toEqual([[4640, 72160]]);
  });

  it('without a silence, a segment over maxSpeechDurationS is cut just past the limit; close segments share their gap', () => {
    const p = runs([0.9, 200]);
    expect(samplesOf(speechSegmentsFromProbabilities(p, p.length * 512, { maxSpeechDurationS: 3 })))
      .toEqual([[0, 46848], [46848, 93952], [93952, 102400]]);
  });

  it('silence and empty audio have no segments', () => {
    expect(speechSegmentsFromProbabilities(runs([0.1, 100]), 51200)).toEqual([]);
    expect(speechSegmentsFromProbabilities(new Float32Array(0), 0)).toEqual([]);
  });
});

describe('speechSegmentsFromProbabilities validation', () => {
  it.each([
    [{ threshold: 1.5 }], [{ threshold: Number.NaN }], [{ threshold: '0.5' }], [{ negThreshold: 0.6 }], [{ negThreshold: -0.1 }],
    [{ minSpeechDurationMs: -1 }], [{ maxSpeechDurationS: 0 }], [{ minSilenceDurationMs: Infinity }], [{ speechPadMs: -30 }],
    [{ minSilenceAtMaxSpeechMs: -1 }], [{ useMaxPossibleSilenceAtMaxSpeech: 1 }],
  ])('%o is ERR_INVALID_ARGUMENT', (options) => {
    expect(() => speechSegmentsFromProbabilities(golden, meta.audio.n_samples, options as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });

  it('a probability count other than ceil(nSamples / 512), a NaN or out-of-range probability, a bad nSamples: ERR_INVALID_ARGUMENT', () => {
    const bad = expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' });
    expect(() => speechSegmentsFromProbabilities(golden, meta.audio.n_samples + 512)).toThrow(bad);
    expect(() => speechSegmentsFromProbabilities(Float32Array.of(0.5, Number.NaN), 1024)).toThrow(bad);
    expect(() => speechSegmentsFromProbabilities(Float32Array.of(0.5, 1.5), 1024)).toThrow(bad);
    expect(() => speechSegmentsFromProbabilities(golden, -1)).toThrow(bad);
    expect(() => speechSegmentsFromProbabilities(golden, 1.5)).toThrow(bad);
  });
});

describe('SpeechEventTracker (VADIterator rules)', () => {
  it('on the reference probabilities of jfk.wav, a start and an end event at each of Silero\'s segments', () => {
    // VADIterator has no minimum speech duration, so it may report more; the segments here are
    // far apart (gaps over 2 x 30 ms), so their padded bounds are the events' exactly
    const tracker = new SpeechEventTracker();
    const events = Array.from(golden, (p) => tracker.push(p)).filter((e) => e !== undefined);
    const starts = events.flatMap((e) => ('startSample' in e ? [e.startSample] : []));
    const ends = events.flatMap((e) => ('endSample' in e ? [e.endSample] : []));
    for (const s of meta.segments.silero_defaults.segments) {
      expect(starts).toContain(s.start);
      expect(ends).toContain(s.end);
    }
  });

  it('events alternate start, end; finish() closes open speech at the last sample', () => {
    const tracker = new SpeechEventTracker();
    const events = Array.from(runs([0, 5], [0.9, 10], [0, 10], [0.9, 3]), (p) => tracker.push(p)).filter((e) => e !== undefined);
    // start: frame 5's first sample minus 480; end: first silent frame (15, 7680) plus 480, reported 4 frames in
    expect(events).toEqual([{ start: 2080 / 16000, startSample: 2080 }, { end: 8160 / 16000, endSample: 8160 }, { start: 12320 / 16000, startSample: 12320 }]);
    expect(tracker.finish(28 * 512)).toEqual({ end: 28 * 512 / 16000, endSample: 28 * 512 });
    expect(tracker.inSpeech).toBe(false);
  });

  it('options out of range: ERR_INVALID_ARGUMENT', () => {
    expect(() => new SpeechEventTracker({ threshold: 2 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});
