/**
 * A preallocated circular buffer of audio samples: appends and consumes in O(1) per sample
 * with no allocation in steady state, for feeding live audio into streaming transcription.
 * @module
 */
import { AmanuensisError } from '../errors.js';

/**
 * What {@link RingBuffer.append} does when a chunk does not fit:
 * `'error'` throws `ERR_BUFFER_OVERFLOW` and writes nothing; `'overwrite-oldest'` drops the
 * oldest samples to make room; `'grow'` doubles the capacity up to `maxCapacity`, then throws.
 */
export type OverflowPolicy = 'error' | 'overwrite-oldest' | 'grow';

/** Options of {@link RingBuffer}. */
export interface RingBufferOptions {
  /** Initial capacity in samples (e.g. 30 s at 16 kHz = 480000). */
  readonly capacity: number;
  /** Default `'error'`. */
  readonly overflow?: OverflowPolicy;
  /** Largest capacity `'grow'` may reach, in samples. Default 16 × capacity. */
  readonly maxCapacity?: number;
}

/** Circular buffer of Float32 samples. Not safe for concurrent mutation (JS is single-threaded). */
export class RingBuffer {
  private data: Float32Array;
  private head = 0; // index of the oldest sample
  private size = 0;
  private readonly overflow: OverflowPolicy;
  private readonly maxCapacity: number;
  private droppedTotal = 0;

  /**
   * @param options - capacity in samples, or the full options
   * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for a bad capacity or policy
   */
  constructor(options: RingBufferOptions | number) {
    const o = typeof options === 'number' ? { capacity: options } : options;
    if (!Number.isInteger(o.capacity) || o.capacity < 1) {
      throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'capacity must be a positive integer number of samples');
    }
    this.overflow = o.overflow ?? 'error';
    if (!['error', 'overwrite-oldest', 'grow'].includes(this.overflow)) {
      throw new AmanuensisError('ERR_INVALID_ARGUMENT', `overflow must be 'error', 'overwrite-oldest' or 'grow'`);
    }
    this.maxCapacity = o.maxCapacity ?? 16 * o.capacity;
    if (!Number.isInteger(this.maxCapacity) || this.maxCapacity < o.capacity) {
      throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'maxCapacity must be an integer no smaller than capacity');
    }
    this.data = new Float32Array(o.capacity);
  }

  /** Samples held. */
  get length(): number {
    return this.size;
  }

  /** Samples it can hold without growing. */
  get capacity(): number {
    return this.data.length;
  }

  /** Free room in samples (capacity - length). */
  get available(): number {
    return this.data.length - this.size;
  }

  /** Samples dropped so far by `'overwrite-oldest'`. */
  get dropped(): number {
    return this.droppedTotal;
  }

  /**
   * Appends a chunk, O(chunk length).
   * @returns the number of old samples dropped to make room (only with `'overwrite-oldest'`)
   * @throws {@link AmanuensisError} `ERR_BUFFER_OVERFLOW` (nothing written) when it does not fit
   * under `'error'`, or would exceed `maxCapacity` under `'grow'`; `ERR_INVALID_AUDIO` for a non-Float32Array
   */
  append(chunk: Float32Array): number {
    if (!(chunk instanceof Float32Array)) throw new AmanuensisError('ERR_INVALID_AUDIO', 'chunks must be Float32Array');
    let dropped = 0;
    if (chunk.length > this.available) {
      if (this.overflow === 'error') {
        throw new AmanuensisError('ERR_BUFFER_OVERFLOW', `a chunk of ${chunk.length} samples does not fit: ${this.available} free`);
      }
      if (this.overflow === 'grow') {
        const needed = this.size + chunk.length;
        if (needed > this.maxCapacity) {
          throw new AmanuensisError('ERR_BUFFER_OVERFLOW', `${needed} samples exceed maxCapacity ${this.maxCapacity}`);
        }
        let capacity = this.data.length;
        while (capacity < needed) capacity = Math.min(capacity * 2, this.maxCapacity);
        this.resize(capacity);
      } else {
        // keep only what the buffer can hold of the newest samples
        if (chunk.length >= this.data.length) {
          dropped = this.size + chunk.length - this.data.length;
          this.head = 0;
          this.size = 0;
          chunk = chunk.subarray(chunk.length - this.data.length); // rare: a chunk larger than the whole buffer
        } else {
          dropped = chunk.length - this.available;
          this.consume(dropped);
        }
        this.droppedTotal += dropped;
      }
    }
    const cap = this.data.length;
    const tail = (this.head + this.size) % cap;
    const first = Math.min(chunk.length, cap - tail);
    if (first === chunk.length) {
      this.data.set(chunk, tail);
    } else {
      copy(chunk, 0, this.data, tail, first);
      copy(chunk, first, this.data, 0, chunk.length - first);
    }
    this.size += chunk.length;
    return dropped;
  }

  /**
   * Copies the oldest `n` samples in order without consuming them.
   * @param out - where to copy, at least n long; its first n samples are written and it is
   *   returned as is (no allocation). When omitted, a new array of exactly n samples.
   * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` when n > length or out is too short
   */
  peek(n: number, out?: Float32Array): Float32Array {
    this.checkCount(n);
    const dst = out ?? new Float32Array(n);
    if (dst.length < n) throw new AmanuensisError('ERR_INVALID_ARGUMENT', `out holds ${dst.length} samples, ${n} needed`);
    const first = Math.min(n, this.data.length - this.head);
    copy(this.data, this.head, dst, 0, first);
    copy(this.data, 0, dst, first, n - first);
    return dst;
  }

  /** Copies and consumes the oldest `n` samples (see {@link peek}). */
  read(n: number, out?: Float32Array): Float32Array {
    const result = this.peek(n, out);
    this.consume(n);
    return result;
  }

  /** Copies and consumes everything. */
  readAll(): Float32Array {
    return this.read(this.size);
  }

  /**
   * Drops the oldest `n` samples, O(1).
   * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` when n > length
   */
  consume(n: number): void {
    this.checkCount(n);
    this.head = (this.head + n) % this.data.length;
    this.size -= n;
    if (this.size === 0) this.head = 0;
  }

  /** Empties the buffer (capacity is kept). */
  clear(): void {
    this.head = 0;
    this.size = 0;
  }

  private checkCount(n: number): void {
    if (!Number.isInteger(n) || n < 0 || n > this.size) {
      throw new AmanuensisError('ERR_INVALID_ARGUMENT', `count ${n} must be an integer from 0 to ${this.size}`);
    }
  }

  private resize(capacity: number): void {
    const next = new Float32Array(capacity);
    this.peek(this.size, next);
    this.data = next;
    this.head = 0;
  }
}

/** dst[dstStart + i] = src[srcStart + i] for i < n; a loop rather than subarray() + set(), which would allocate views. */
function copy(src: Float32Array, srcStart: number, dst: Float32Array, dstStart: number, n: number): void {
  for (let i = 0; i < n; i++) dst[dstStart + i] = src[srcStart + i]!;
}
