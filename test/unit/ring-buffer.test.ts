import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { RingBuffer } from '../../src/utils/ring-buffer.js';

const ramp = (from: number, n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => from + i);

describe('1. basics', () => {
  it('length, capacity, available; read, peek, consume, readAll, clear', () => {
    const rb = new RingBuffer(8);
    expect([rb.length, rb.capacity, rb.available]).toEqual([0, 8, 8]);
    rb.append(ramp(0, 5));
    expect([rb.length, rb.available]).toEqual([5, 3]);
    expect([...rb.peek(3)]).toEqual([0, 1, 2]);
    expect(rb.length).toBe(5);
    expect([...rb.read(2)]).toEqual([0, 1]);
    rb.consume(1);
    expect([...rb.readAll()]).toEqual([3, 4]);
    rb.append(ramp(10, 2));
    rb.clear();
    expect(rb.length).toBe(0);
  });

  it('wrap-around at every offset: appends and reads straddling the end of storage keep order', () => {
    const cap = 7;
    for (let offset = 0; offset < cap; offset++) {
      for (let n = 1; n <= cap; n++) {
        const rb = new RingBuffer(cap);
        rb.append(ramp(-100, offset));
        rb.consume(offset); // the next write starts at `offset`
        rb.append(ramp(0, n));
        expect([...rb.peek(n)], `offset ${offset}, n ${n}`).toEqual([...ramp(0, n)]);
        if (n > 1) {
          rb.consume(1);
          rb.append(Float32Array.of(99));
          expect([...rb.readAll()]).toEqual([...ramp(1, n - 1), 99]);
        }
      }
    }
  });

  it('bad counts and non-Float32Array chunks are refused', () => {
    const rb = new RingBuffer(4);
    rb.append(ramp(0, 2));
    expect(() => rb.read(3)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => rb.consume(-1)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => rb.peek(2, new Float32Array(1))).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => rb.append([1, 2] as unknown as Float32Array)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_AUDIO' }));
    expect(() => new RingBuffer(0)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});

describe('2. overflow policies', () => {
  it("'error' throws ERR_BUFFER_OVERFLOW and writes nothing", () => {
    const rb = new RingBuffer({ capacity: 4, overflow: 'error' });
    rb.append(ramp(0, 3));
    expect(() => rb.append(ramp(10, 2))).toThrow(expect.objectContaining({ code: 'ERR_BUFFER_OVERFLOW' }));
    expect([...rb.readAll()]).toEqual([0, 1, 2]);
  });

  it("'overwrite-oldest' keeps the newest samples and counts what it dropped", () => {
    const rb = new RingBuffer({ capacity: 4, overflow: 'overwrite-oldest' });
    rb.append(ramp(0, 3));
    expect(rb.append(ramp(10, 3))).toBe(2);
    expect([...rb.peek(4)]).toEqual([2, 10, 11, 12]);
    expect(rb.append(ramp(20, 9))).toBe(9);
    expect([...rb.readAll()]).toEqual([25, 26, 27, 28]);
    expect(rb.dropped).toBe(11);
  });

  it("'grow' doubles up to maxCapacity, then throws", () => {
    const rb = new RingBuffer({ capacity: 4, overflow: 'grow', maxCapacity: 16 });
    rb.append(ramp(0, 3));
    rb.consume(2); // make the content wrap
    rb.append(ramp(3, 4));
    expect(rb.capacity).toBe(8);
    expect([...rb.peek(5)]).toEqual([2, 3, 4, 5, 6]);
    rb.append(ramp(7, 11));
    expect(rb.capacity).toBe(16);
    expect(() => rb.append(ramp(0, 1))).toThrow(expect.objectContaining({ code: 'ERR_BUFFER_OVERFLOW' }));
    expect([...rb.readAll()]).toEqual([...ramp(2, 16)]);
  });
});

describe('3. property: behaves like a plain array', () => {
  type Op = { op: 'append'; n: number } | { op: 'read'; n: number } | { op: 'peek'; n: number } | { op: 'consume'; n: number } | { op: 'clear' };
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ op: fc.constant('append' as const), n: fc.integer({ min: 0, max: 40 }) }),
    fc.record({ op: fc.constant('read' as const), n: fc.integer({ min: 0, max: 40 }) }),
    fc.record({ op: fc.constant('peek' as const), n: fc.integer({ min: 0, max: 40 }) }),
    fc.record({ op: fc.constant('consume' as const), n: fc.integer({ min: 0, max: 40 }) }),
    fc.record({ op: fc.constant('clear' as const) }),
  );

  it.each(['error', 'overwrite-oldest', 'grow'] as const)("policy '%s'", (overflow) => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 24 }), fc.array(op, { maxLength: 60 }), (capacity, ops) => {
      const rb = new RingBuffer({ capacity, overflow, maxCapacity: capacity * 4 });
      let model: number[] = [];
      let maxCap = capacity;
      let next = 0;
      for (const o of ops) {
        if (o.op === 'append') {
          const chunk = ramp(next, o.n);
          next += o.n;
          const fits = model.length + o.n <= (overflow === 'grow' ? capacity * 4 : maxCap);
          if (overflow === 'error' && !fits) {
            expect(() => rb.append(chunk)).toThrow();
          } else if (overflow === 'grow' && !fits) {
            expect(() => rb.append(chunk)).toThrow();
          } else {
            rb.append(chunk);
            model.push(...chunk);
            if (overflow === 'overwrite-oldest') model = model.slice(Math.max(0, model.length - capacity));
            if (overflow === 'grow') while (maxCap < model.length) maxCap *= 2;
          }
        } else if (o.op === 'clear') {
          rb.clear();
          model = [];
        } else if (o.n > model.length) {
          expect(() => (o.op === 'consume' ? rb.consume(o.n) : rb[o.op](o.n))).toThrow();
        } else if (o.op === 'consume') {
          rb.consume(o.n);
          model = model.slice(o.n);
        } else {
          expect([...rb[o.op](o.n)]).toEqual(model.slice(0, o.n));
          if (o.op === 'read') model = model.slice(o.n);
        }
        expect(rb.length).toBe(model.length);
        expect(rb.available).toBe(rb.capacity - model.length);
      }
      expect([...rb.readAll()]).toEqual(model);
    }), { numRuns: 300 });
  });
});

describe('4. no allocation in steady state', () => {
  it('an append / read-into / consume loop constructs no typed arrays', () => {
    const rb = new RingBuffer(16000);
    const chunk = new Float32Array(160);
    const out = new Float32Array(480);
    rb.append(new Float32Array(5000)); // offset the head so the loop wraps repeatedly
    let constructed = 0;
    const original = globalThis.Float32Array;
    globalThis.Float32Array = new Proxy(original, {
      construct(target, args) {
        constructed++;
        return Reflect.construct(target, args);
      },
    });
    try {
      for (let i = 0; i < 20000; i++) {
        rb.append(chunk);
        if (rb.length >= 5480) {
          rb.read(480, out);
          rb.consume(rb.length - 5000);
        }
      }
    } finally {
      globalThis.Float32Array = original;
    }
    expect(constructed).toBe(0);
  });
});
