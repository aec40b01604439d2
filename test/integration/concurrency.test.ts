/**
 * One loaded model under concurrent load: 32 calls mixing 1 s, 5 s, 30 s and 120 s inputs all
 * succeed; with a bounded queue set to reject, the overflow is refused with a typed error and
 * everything admitted still succeeds.
 */
import { getEventListeners } from 'node:events';

import { describe, expect, it } from 'vitest';

import { Transcriber } from '../../src/transcriber.js';
import { SYNTHETIC_MODEL } from '../helpers/shared.js';

function noise(seconds: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: seconds * 16000 }, () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return 0.1 * (s / 2 ** 32 - 0.5);
  });
}

// short greedy decodes keep 60-odd windows of the random-weight model within seconds
const decode = { temperature: 0, sampleLen: 8 } as const;

describe('concurrent calls on one model', () => {
  it('32 concurrent calls of 1, 5, 30 and 120 s all succeed, each with its own correct duration and windows', async () => {
    const t = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2, encoder: 'cpu', cache: false });
    const lengths = Array.from({ length: 32 }, (_, i) => [1, 5, 30, 120][i % 4]!);
    const results = await Promise.allSettled(lengths.map((s, i) => t.transcribe(noise(s, i + 1), decode)));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    results.forEach((r, i) => {
      const value = (r as PromiseFulfilledResult<Awaited<ReturnType<Transcriber['transcribe']>>>).value;
      expect(value.durationS).toBe(lengths[i]);
      expect(value.timings.windows.length).toBeGreaterThanOrEqual(Math.ceil(lengths[i]! / 30));
    });
    expect(t.queue.stats).toMatchObject({ running: 0, queued: 0, completed: 32 });
  });

  it('16 concurrent calls, with and without one shared AbortSignal, add one listener to each signal: no MaxListenersExceededWarning', async () => {
    const t = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2, encoder: 'cpu', cache: false });
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => { warnings.push(w); };
    process.on('warning', onWarning);
    try {
      const shared = new AbortController();
      const calls = Array.from({ length: 16 }, (_, i) => t.transcribe(noise(1, i + 200), decode));
      calls.push(...Array.from({ length: 16 }, (_, i) => t.transcribe(noise(1, i + 300), { ...decode, signal: shared.signal })));
      await Promise.all(calls);
      // Node emits the warning on the next tick after the listener that crosses the limit
      await new Promise((r) => setImmediate(r));
      expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
      expect(getEventListeners(shared.signal, 'abort')).toHaveLength(0);
    } finally {
      process.off('warning', onWarning);
      t.close();
    }
  });

  it("a queue bounded at 4 with overflow 'reject' refuses the rest with ERR_QUEUE_FULL", async () => {
    const t = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2, encoder: 'cpu', queue: { concurrency: 2, maxQueue: 4, overflow: 'reject' } });
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => t.transcribe(noise(1, i + 100), decode)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(6);
    for (const r of results.filter((x) => x.status === 'rejected')) expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'ERR_QUEUE_FULL' });
  });
});
