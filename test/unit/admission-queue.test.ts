import { describe, expect, it } from 'vitest';

import { AdmissionQueue } from '../../src/utils/admission-queue.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
}

describe('AdmissionQueue', () => {
  it('runs at most `concurrency` calls at once, in arrival order', async () => {
    const q = new AdmissionQueue({ concurrency: 2, maxQueue: 10 });
    const gates = Array.from({ length: 5 }, deferred);
    const started: number[] = [];
    const calls = gates.map((g, i) => q.run(async () => { started.push(i); await g.promise; return i; }));
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1]);
    expect(q.stats).toMatchObject({ running: 2, queued: 3 });
    gates[1]!.resolve();
    await calls[1];
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2]);
    gates.forEach((g) => g.resolve());
    expect(await Promise.all(calls)).toEqual([0, 1, 2, 3, 4]);
    expect(q.stats).toMatchObject({ running: 0, queued: 0, completed: 5 });
  });

  it("overflow 'reject' refuses past maxQueue with ERR_QUEUE_FULL; 'wait' holds the call until there is room", async () => {
    const gate = deferred();
    const reject = new AdmissionQueue({ concurrency: 1, maxQueue: 2, overflow: 'reject' });
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => reject.run(() => gate.promise)).concat([(async () => gate.resolve())()]));
    expect(results.slice(0, 5).map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected']);
    expect((results[3] as PromiseRejectedResult).reason).toMatchObject({ code: 'ERR_QUEUE_FULL' });
    expect(reject.stats.rejected).toBe(2);

    const gate2 = deferred();
    const wait = new AdmissionQueue({ concurrency: 1, maxQueue: 1, overflow: 'wait' });
    const calls = Array.from({ length: 4 }, (_, i) => wait.run(async () => { await gate2.promise; return i; }));
    await new Promise((r) => setImmediate(r));
    expect(wait.stats).toMatchObject({ running: 1, queued: 1, overflowing: 2 });
    gate2.resolve();
    expect(await Promise.all(calls)).toEqual([0, 1, 2, 3]);
  });

  it('a queued call whose signal fires leaves the queue with ERR_ABORTED; a failing call frees its slot', async () => {
    const gate = deferred();
    const q = new AdmissionQueue({ concurrency: 1 });
    const first = q.run(async () => { await gate.promise; throw new Error('boom'); });
    const controller = new AbortController();
    const cancelled = q.run(async () => 'never', controller.signal);
    const third = q.run(async () => 'third');
    controller.abort();
    await expect(cancelled).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    expect(q.stats.queued).toBe(1);
    gate.resolve();
    await expect(first).rejects.toThrow('boom');
    expect(await third).toBe('third');
  });

  it('validates its options', () => {
    expect(() => new AdmissionQueue({ concurrency: 0 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => new AdmissionQueue({ maxQueue: -1 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => new AdmissionQueue({ overflow: 'drop' as 'wait' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});
