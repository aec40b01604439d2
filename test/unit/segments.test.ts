import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { parseGgmlModel } from '../../src/model/ggml-loader.js';
import { Tokenizer } from '../../src/tokenizer/tokenizer.js';
import { splitSegments } from '../../src/transcribe/segments.js';
import type { DecodingResult } from '../../src/types.js';
import { SYNTHETIC_MODEL } from '../helpers/shared.js';

const m = parseGgmlModel(readFileSync(SYNTHETIC_MODEL));
const tok = Tokenizer.fromVocab(m.vocab, m.dims.nVocab);
const TS = (seconds: number): number => tok.special.timestampBegin + Math.round(seconds / 0.02);
const result = (tokens: number[]): DecodingResult => ({ tokens, text: '', language: 'en', avgLogprob: -0.1, noSpeechProb: 0, temperature: 0, compressionRatio: 1 });
const hello = tok.encode(' Hello');
const world = tok.encode(' world');

describe('splitting a window into segments (transcribe.py)', () => {
  it('cuts after each pair of timestamps and resumes at the last one when the window ends mid-speech', () => {
    const r = splitSegments(result([TS(0), ...hello, TS(1.5), TS(1.5), ...world, TS(3)]), tok, 1000, 3000);
    // the last segment is open (text after the final pair ends with a single timestamp): that is a single-timestamp ending
    expect(r.segments.map((s) => [s.start, s.end, s.text])).toEqual([[10, 11.5, ' Hello'], [11.5, 13, ' world']]);
    expect(r.advance).toBe(3000);
  });

  it('without a single timestamp ending, seek moves to the last complete timestamp', () => {
    const r = splitSegments(result([TS(0), ...hello, TS(1.5), TS(1.5), ...world]), tok, 0, 3000);
    expect(r.segments.map((s) => [s.start, s.end, s.text])).toEqual([[0, 1.5, ' Hello']]);
    expect(r.advance).toBe(150); // 1.5 s = 150 frames
  });

  it('with no pair, one segment spans the window up to its last timestamp', () => {
    const r = splitSegments(result([TS(0.84), ...hello]), tok, 3000, 1200);
    expect(r.segments).toHaveLength(1);
    expect(r.segments[0]).toMatchObject({ start: 30, text: ' Hello' });
    expect(r.segments[0]!.end).toBeCloseTo(30.84, 10);
    expect(r.advance).toBe(1200);
    const plain = splitSegments(result([...hello]), tok, 0, 1200);
    expect(plain.segments[0]).toMatchObject({ start: 0, end: 12 });
  });

  it('times are whole frames in seconds, without binary-fraction noise (44.16, not 44.160000000000004)', () => {
    // seek 1422 frames (14.22 s) + 29.94 s: 14.22 + 1497 * 0.02 is 44.160000000000004 in floating point
    const r = splitSegments(result([TS(29.94), ...hello, TS(29.96), TS(29.96), ...world, TS(29.98)]), tok, 1422, 3000);
    expect(r.segments.map((s) => [s.start, s.end])).toEqual([[44.16, 44.18], [44.18, 44.2]]);
    expect(1422 / 100 + 1497 * 0.02).not.toBe(44.16);
  });
});
