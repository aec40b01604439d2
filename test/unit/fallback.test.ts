/** The fallback policy of openai/whisper transcribe.py: when a decode is retried hotter, when a window is silence. */
import { describe, expect, it } from 'vitest';

import { resolveTranscribeOptions } from '../../src/options.js';
import { isNoSpeech, needsFallback } from '../../src/transcribe/fallback.js';
import type { DecodingResult } from '../../src/types.js';

const policy = resolveTranscribeOptions(); // thresholds 2.4 (compression ratio), -1 (avgLogprob), 0.6 (noSpeechProb)
const decode = (avgLogprob: number, compressionRatio: number, noSpeechProb: number): DecodingResult =>
  ({ tokens: [], text: '', language: 'en', temperature: 0, avgLogprob, compressionRatio, noSpeechProb });

describe('needsFallback', () => {
  it('retries a repetitive or improbable decode, not a good one', () => {
    expect(needsFallback(decode(-0.5, 1.5, 0.1), policy)).toBe(false);
    expect(needsFallback(decode(-0.5, 2.5, 0.1), policy)).toBe(true);
    expect(needsFallback(decode(-1.5, 1.5, 0.1), policy)).toBe(true);
  });

  it('does not retry what looks like silence (high no-speech probability and a low log-probability)', () => {
    expect(needsFallback(decode(-1.5, 1.5, 0.9), policy)).toBe(false);
    expect(needsFallback(decode(-1.5, 1.5, 0.9), { ...policy, noSpeechThreshold: null })).toBe(true);
  });

  it('a null threshold is never crossed', () => {
    expect(needsFallback(decode(-5, 9, 0), { ...policy, compressionRatioThreshold: null, logprobThreshold: null })).toBe(false);
  });
});

describe('isNoSpeech', () => {
  it('skips a window above the no-speech threshold unless its decode is confident', () => {
    expect(isNoSpeech(decode(-1.5, 1, 0.9), policy)).toBe(true);
    expect(isNoSpeech(decode(-0.5, 1, 0.9), policy)).toBe(false);
    expect(isNoSpeech(decode(-1.5, 1, 0.5), policy)).toBe(false);
    expect(isNoSpeech(decode(-0.5, 1, 0.9), { ...policy, logprobThreshold: null })).toBe(true);
    expect(isNoSpeech(decode(-1.5, 1, 0.9), { ...policy, noSpeechThreshold: null })).toBe(false);
  });
});
