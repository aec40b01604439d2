/**
 * openai/whisper's `hallucination_silence_threshold` rules (transcribe.py: `word_anomaly_score`,
 * `is_segment_anomaly` and the skips around them) on cases worked out by hand.
 */
import { describe, expect, it } from 'vitest';

import { isSegmentAnomaly, skipSilenceBeforeHallucinations, wordAnomalyScore } from '../../src/alignment/hallucination-silence.js';

const word = (w: string, start: number, end: number, probability: number) => ({ word: w, start, end, probability, tokens: [] });
const normal = { start: 1, end: 2, words: [word(' hello', 1, 1.5, 0.9), word(' there', 1.5, 2, 0.9)] };
const base = { threshold: 2, seek: 0, segmentFrames: 3000, contentFrames: 3000, singleTimestampEnding: false, lastSpeechTimestamp: 0, nextSeek: 200 };

describe('anomaly scores', () => {
  it('scores improbable, very short and very long words', () => {
    expect(wordAnomalyScore(word(' a', 0, 0.1, 0.1))).toBeCloseTo(1 + 0.033 * 15, 12);
    expect(wordAnomalyScore(word(' a', 0, 3, 0.9))).toBeCloseTo(1, 12);
    expect(wordAnomalyScore(word(' a', 0, 0.5, 0.9))).toBe(0);
  });

  it('a segment is anomalous when its non-punctuation words score about 1 each, or 3 in all', () => {
    expect(isSegmentAnomaly({ start: 0, end: 1, words: [word('.', 0, 0.5, 0.01), word(' a', 0.5, 0.55, 0.1)] })).toBe(true);
    expect(isSegmentAnomaly(normal)).toBe(false);
    expect(isSegmentAnomaly(undefined)).toBe(false);
    expect(isSegmentAnomaly({ start: 0, end: 1, words: [] })).toBe(false);
  });
});

describe('skipSilenceBeforeHallucinations', () => {
  it('an anomalous first segment after a gap over the threshold: the window restarts at the gap\'s end', () => {
    const d = skipSilenceBeforeHallucinations({ ...base, segments: [{ start: 5, end: 5.05, words: [word(' x', 5, 5.05, 0.05)] }] });
    expect(d).toEqual({ seek: 500, keep: 0, skipWindow: true });
  });

  it('an anomalous segment with silence on both sides is cut, and the next window starts at it', () => {
    const d = skipSilenceBeforeHallucinations({ ...base, segments: [normal, { start: 10, end: 10.05, words: [word(' x', 10, 10.05, 0.05)] }] });
    expect(d).toEqual({ seek: 1000, keep: 1, skipWindow: false });
  });

  it('a hallucination ending less than the threshold before the end of the audio ends the transcription', () => {
    const d = skipSilenceBeforeHallucinations({ ...base, segments: [normal, { start: 10, end: 28.5, words: [word(' x', 10, 28.5, 0.9)] }] });
    expect(d).toEqual({ seek: 3000, keep: 1, skipWindow: false });
  });

  it('without anomalies: the window is kept, and the next starts at the window\'s end when little of it remains after the last word', () => {
    expect(skipSilenceBeforeHallucinations({ ...base, threshold: 100, segments: [normal] })).toEqual({ seek: 3000, keep: 1, skipWindow: false });
    // more than the threshold left after the last word: at the last word's end
    expect(skipSilenceBeforeHallucinations({ ...base, segments: [normal] })).toEqual({ seek: 200, keep: 1, skipWindow: false });
  });
});
