import { describe, expect, it } from 'vitest';

import { DEFAULT_TRANSCRIBE_OPTIONS, decodingOptionsOf, resolveTranscribeOptions } from '../../src/options.js';

describe('transcribe options', () => {
  it('defaults follow openai/whisper transcribe()', () => {
    const o = resolveTranscribeOptions();
    expect(o.temperatures).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1.0]);
    expect([o.compressionRatioThreshold, o.logprobThreshold, o.noSpeechThreshold]).toEqual([2.4, -1, 0.6]);
    expect(o.conditionOnPreviousText).toBe(true);
    expect(o.suppressTokens).toBe('non-speech');
    expect(o.maxInitialTimestamp).toBe(1);
    expect(Object.isFrozen(DEFAULT_TRANSCRIBE_OPTIONS)).toBe(true);
  });

  it('a single temperature disables fallback; null disables a threshold', () => {
    const o = resolveTranscribeOptions({ temperature: 0, logprobThreshold: null });
    expect(o.temperatures).toEqual([0]);
    expect(o.logprobThreshold).toBeNull();
  });

  it('resolves once into frozen records; the decoding options are the DecodingOptions fields of it', () => {
    const tokens = [1, 2];
    const o = resolveTranscribeOptions({ beamSize: 3, suppressTokens: tokens });
    tokens.push(3);
    expect([Object.isFrozen(o), Object.isFrozen(o.temperatures), Object.isFrozen(o.suppressTokens)]).toEqual([true, true, true]);
    const d = decodingOptionsOf(o);
    expect(Object.isFrozen(d)).toBe(true);
    expect(d).toEqual({
      task: 'transcribe', bestOf: 5, beamSize: 3, patience: 1, lengthPenalty: null, suppressTokens: [1, 2],
      suppressBlank: true, withoutTimestamps: false, maxInitialTimestamp: 1, sampleLen: undefined,
    });
  });

  it.each([
    { temperature: -1 }, { temperature: [] }, { temperature: Number.NaN }, { bestOf: 0 }, { beamSize: 2.5 },
    { task: 'summarize' }, { language: '' }, { suppressTokens: [-3] }, { maxInitialTimestamp: -1 },
    { silenceThreshold: Number.POSITIVE_INFINITY }, { patience: 0 }, { signal: {} }, { seed: 0.5 }, { sampleLen: 0 },
    { compressionRatioThreshold: 'high' },
  ])('rejects %o with ERR_INVALID_ARGUMENT', (bad) => {
    expect(() => resolveTranscribeOptions(bad as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});
