import { describe, expect, it } from 'vitest';

import { BufferPool } from '../../src/utils/buffer-pool.js';

const kinds = { mel: { type: 'float32', length: 16 }, ids: { type: 'int32', length: 4 } } as const;

describe('BufferPool', () => {
  it('preallocates initialSize, grows on demand to maxSize and reuses released buffers', async () => {
    const pool = new BufferPool({ kinds, initialSize: 1, maxSize: 3 });
    expect(pool.stats('mel')).toMatchObject({ inUse: 0, free: 1, allocations: 1 });
    const a = await pool.acquire('mel');
    const b = await pool.acquire('mel');
    expect(a.array).toBeInstanceOf(Float32Array);
    expect(a.array.length).toBe(16);
    expect(pool.stats('mel')).toMatchObject({ inUse: 2, free: 0, allocations: 2, highWater: 2 });
    a.release();
    const c = await pool.acquire('mel');
    expect(c.array).toBe(a.array);
    expect((await pool.acquire('ids')).array).toBeInstanceOf(Int32Array);
    b.release();
    c.release();
    expect(pool.stats('mel')).toMatchObject({ inUse: 0, free: 2, allocations: 2, highWater: 2 });
  });

  it('past maxSize, acquire waits (in order) instead of failing', async () => {
    const pool = new BufferPool({ kinds, maxSize: 1 });
    const first = await pool.acquire('mel');
    const order: number[] = [];
    const w1 = pool.acquire('mel').then((h) => { order.push(1); return h; });
    const w2 = pool.acquire('mel').then((h) => { order.push(2); return h; });
    expect(pool.tryAcquire('mel')).toBeUndefined();
    first.release();
    (await w1).release();
    (await w2).release();
    expect(order).toEqual([1, 2]);
    expect(pool.stats('mel')).toMatchObject({ waits: 2, allocations: 1 });
  });

  it('waits end with ERR_BUFFER_POOL_TIMEOUT or ERR_ABORTED, and the buffer goes to the next caller', async () => {
    const pool = new BufferPool({ kinds, maxSize: 1 });
    const held = await pool.acquire('mel');
    await expect(pool.acquire('mel', { timeoutMs: 20 })).rejects.toMatchObject({ code: 'ERR_BUFFER_POOL_TIMEOUT' });
    const ac = new AbortController();
    const aborted = pool.acquire('mel', { signal: ac.signal });
    ac.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    await expect(pool.acquire('mel', { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    const later = pool.acquire('mel');
    held.release();
    expect((await later).array).toBe(held.array);
    expect(pool.stats('mel').timeouts).toBe(2);
  });

  it('using: a thrown error cannot leak a buffer', async () => {
    const pool = new BufferPool({ kinds, maxSize: 1 });
    const work = async (): Promise<void> => {
      using h = await pool.acquire('mel');
      h.array.fill(1);
      throw new Error('boom');
    };
    await expect(work()).rejects.toThrow('boom');
    expect(pool.stats('mel')).toMatchObject({ inUse: 0, free: 1 });
  });

  it('double release and foreign buffers are detected', async () => {
    const pool = new BufferPool({ kinds, maxSize: 2 });
    const h = await pool.acquire('mel');
    h.release();
    expect(() => h.release()).toThrow(expect.objectContaining({ code: 'ERR_BUFFER_RELEASE' }));
    expect(() => pool.release(h.array)).toThrow(expect.objectContaining({ code: 'ERR_BUFFER_RELEASE' }));
    expect(() => pool.release(new Float32Array(16))).toThrow(expect.objectContaining({ code: 'ERR_BUFFER_RELEASE' }));
    await expect(pool.acquire('nope' as 'mel')).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });
});
