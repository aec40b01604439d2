import { createHash } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { EncoderCache, encoderCacheKey } from '../../src/utils/encoder-cache.js';

const features = (v: number, n = 1000): Float32Array => new Float32Array(n).fill(v);

describe('EncoderCache', () => {
  it('get/set/has/delete/clear with hit, miss and hit-rate counters', () => {
    const c = new EncoderCache();
    expect(c.get('a')).toBeUndefined();
    c.set('a', features(1));
    expect(c.has('a')).toBe(true);
    expect(c.get('a')![0]).toBe(1);
    expect(c.stats()).toMatchObject({ hits: 1, misses: 1, hitRate: 0.5, entries: 1, bytes: 4000 });
    expect(c.delete('a')).toBe(true);
    expect(c.has('a')).toBe(false);
    c.set('b', features(2));
    c.clear();
    expect(c.stats().entries).toBe(0);
  });

  it('evicts the least recently used entry by count and by bytes', () => {
    const byCount = new EncoderCache({ maxEntries: 2 });
    byCount.set('a', features(1));
    byCount.set('b', features(2));
    byCount.get('a');
    byCount.set('c', features(3));
    expect([byCount.has('a'), byCount.has('b'), byCount.has('c')]).toEqual([true, false, true]);
    const byBytes = new EncoderCache({ maxBytes: 10_000 });
    for (const k of ['a', 'b', 'c']) byBytes.set(k, features(1, 1000)); // 4000 bytes each
    expect(byBytes.stats()).toMatchObject({ entries: 2, bytes: 8000, evictions: 1 });
    expect(byBytes.has('a')).toBe(false);
  });

  it('keys are SHA-256 of model identity and input bytes: different models never share them', () => {
    const mel = Float32Array.of(1, 2, 3);
    const expected = createHash('sha256').update('model-a').update('\0').update(Buffer.from(mel.buffer)).digest('hex');
    expect(encoderCacheKey('model-a', mel)).toBe(expected);
    expect(encoderCacheKey('model-b', mel)).not.toBe(encoderCacheKey('model-a', mel));
    expect(encoderCacheKey('model-a', Float32Array.of(1, 2, 4))).not.toBe(encoderCacheKey('model-a', mel));
  });
});
