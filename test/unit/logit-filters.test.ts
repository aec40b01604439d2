import { describe, expect, it } from 'vitest';

import { ApplyTimestampRules, SuppressBlank, SuppressTokens } from '../../src/decoder/logit-filters.js';
import type { SpecialTokens } from '../../src/tokenizer/tokenizer.js';

// a toy vocabulary: text 0..9, eot 10, specials 11..17, timestamps 18..29 (<|0.00|> .. <|0.22|>)
const special: SpecialTokens = {
  eot: 10, sot: 11, translate: 12, transcribe: 13, sotLm: 14, sotPrev: 15, noSpeech: 16, noTimestamps: 17, timestampBegin: 18,
};
const N = 30;
const TS = (i: number): number => special.timestampBegin + i;
const flat = (): Float32Array => new Float32Array(N);
const allowed = (l: Float32Array): number[] => [...l.keys()].filter((i) => l[i] !== -Infinity);
const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);
const PREFIX = [special.sot]; // sampleBegin = 1

describe('SuppressBlank and SuppressTokens', () => {
  it('blank and EOT are forbidden only as the first sampled token', () => {
    const f = new SuppressBlank([3], special.eot, 1);
    const first = flat();
    f.apply(first, PREFIX);
    expect(allowed(first)).not.toContain(3);
    expect(allowed(first)).not.toContain(special.eot);
    const later = flat();
    f.apply(later, [...PREFIX, 5]);
    expect(allowed(later)).toEqual(range(0, N));
  });

  it('a fixed set is forbidden at every step', () => {
    const l = flat();
    new SuppressTokens([1, 2, 16]).apply(l);
    expect(allowed(l)).toEqual(range(0, N).filter((t) => ![1, 2, 16].includes(t)));
  });
});

describe('ApplyTimestampRules (openai/whisper decoding.py)', () => {
  const rules = (maxInitial?: number): ApplyTimestampRules => new ApplyTimestampRules(special, 1, maxInitial);

  it('the first sampled token is a timestamp no later than maxInitialTimestamp', () => {
    const l = flat();
    rules(0.1).apply(l, PREFIX); // 0.1 s = 5 steps of 0.02 s: <|0.00|> .. <|0.10|>
    expect(allowed(l)).toEqual(range(TS(0), TS(6)));
  });

  it('without the rule (whisper.cpp) the first token may be text', () => {
    const l = flat();
    l[5] = 5; // a clear text favourite, so the timestamp-mass rule does not fire
    new ApplyTimestampRules(special, 1, 0.1, false).apply(l, PREFIX);
    expect(allowed(l)).toEqual([...range(0, 17), ...range(TS(0), TS(6))]);
  });

  it('with flat logits the timestamps together outweigh any single text token at the start', () => {
    const l = flat();
    new ApplyTimestampRules(special, 1, 0.1, false).apply(l, PREFIX);
    expect(allowed(l)).toEqual(range(TS(0), TS(6)));
  });

  it('after an opening timestamp comes text; timestamps may not go back', () => {
    const l = flat();
    rules().apply(l, [...PREFIX, TS(3)]);
    // last and penultimate (none: counts as timestamp) → text only
    expect(allowed(l)).toEqual(range(0, 17));
  });

  it('after text, a timestamp may close the segment but not earlier than the last one', () => {
    const l = flat();
    rules().apply(l, [...PREFIX, TS(3), 5, 6]);
    expect(allowed(l).filter((t) => t >= TS(0))).toEqual(range(TS(4), N));
  });

  it('after a closing timestamp, only another timestamp (>= it) or EOT', () => {
    const l = flat();
    l[special.eot] = 5; // EOT likely enough to survive the timestamp-mass rule
    rules().apply(l, [...PREFIX, TS(3), 5, TS(7)]);
    expect(allowed(l)).toEqual([special.eot, ...range(special.sot, 17), ...range(TS(7), N)]);
  });

  it('after a complete pair, text must follow', () => {
    const l = flat();
    rules().apply(l, [...PREFIX, TS(3), 5, TS(7), TS(7)]);
    expect(allowed(l)).toEqual(range(0, 17));
  });

  it('forces a timestamp when the timestamps together outweigh every text token', () => {
    const l = flat();
    // text token 5 has the single largest logit, but 12 timestamps at 1.5 together are more probable
    l[5] = 3;
    for (let t = TS(0); t < N; t++) l[t] = 1.5;
    rules().apply(l, [...PREFIX, TS(1), 4]);
    expect(allowed(l).every((t) => t >= TS(0))).toBe(true);
    const m = flat();
    m[5] = 6;
    for (let t = TS(0); t < N; t++) m[t] = 1.5;
    rules().apply(m, [...PREFIX, TS(1), 4]);
    expect(allowed(m)).toContain(5);
  });
});
