/**
 * A pool of reusable typed arrays, by kind (element type and length), such as the
 * Transcriber's mel windows `[nMels, 3000]` and audio features `[nAudioCtx, nAudioState]`. It starts with
 * `initialSize` buffers per kind and allocates more on demand up to `maxSize`; past that,
 * callers wait (with an AbortSignal and a timeout) instead of failing.
 * @module
 */
import { AmanuensisError } from '../errors.js';
import { followAbort } from './abort-followers.js';

/** Element types a pool can hold. */
export type PoolElementType = 'float32' | 'int32' | 'float64';

/** The typed array class of an element type. */
export type ArrayOf<E extends PoolElementType> = E extends 'float32' ? Float32Array : E extends 'int32' ? Int32Array : Float64Array;

/** One kind of buffer. */
export interface BufferKind {
  /** Element type of the arrays. */
  readonly type: PoolElementType;
  /** Elements per buffer. */
  readonly length: number;
}

/** Options of {@link BufferPool}. */
export interface BufferPoolOptions<K extends string> {
  /** The kinds, by name. */
  readonly kinds: Readonly<Record<K, BufferKind>>;
  /** Buffers allocated up front per kind. Default 0. */
  readonly initialSize?: number;
  /** Most buffers per kind; further acquires wait. Default 8. */
  readonly maxSize?: number;
  /** Default wait limit of {@link BufferPool.acquire} in milliseconds. Default: no limit. */
  readonly timeoutMs?: number;
}

/** Options of one {@link BufferPool.acquire}. */
export interface AcquireOptions {
  /** Gives up waiting: the promise rejects with `ERR_ABORTED`. */
  readonly signal?: AbortSignal;
  /** Gives up after this many milliseconds: `ERR_BUFFER_POOL_TIMEOUT`. */
  readonly timeoutMs?: number;
}

/** A buffer on loan; release it with `release()` or a `using` declaration. */
export interface PooledBuffer<T> extends Disposable {
  /** The array, zero-filled on first allocation and holding stale data after reuse. */
  readonly array: T;
  /** Returns the buffer to the pool; a second call throws `ERR_BUFFER_RELEASE`. */
  release(): void;
}

/** Counters of one kind. */
export interface BufferPoolStats {
  /** Buffers on loan now. */
  readonly inUse: number;
  /** Buffers waiting in the pool. */
  readonly free: number;
  /** Most buffers in use at once so far. */
  readonly highWater: number;
  /** Buffers allocated so far. */
  readonly allocations: number;
  /** Acquires that had to wait. */
  readonly waits: number;
  /** Waits that timed out or were aborted. */
  readonly timeouts: number;
}

interface Waiter {
  resolve(array: ArrayLike<number>): void;
  reject(err: AmanuensisError): void;
}

interface KindState {
  readonly kind: BufferKind;
  readonly free: ArrayLike<number>[];
  readonly waiters: Waiter[];
  inUse: number;
  highWater: number;
  allocations: number;
  waits: number;
  timeouts: number;
}

/** Pool of typed arrays by kind. */
export class BufferPool<K extends string> {
  private readonly states = new Map<K, KindState>();
  /** Every buffer this pool made, with its kind and whether it is on loan. */
  private readonly owned = new WeakMap<object, { kind: K; onLoan: boolean }>();
  private readonly maxSize: number;
  private readonly timeoutMs: number | undefined;

  /** @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for bad sizes or kinds */
  constructor(options: BufferPoolOptions<K>) {
    const initial = options.initialSize ?? 0;
    this.maxSize = options.maxSize ?? 8;
    this.timeoutMs = options.timeoutMs;
    if (!Number.isInteger(this.maxSize) || this.maxSize < 1 || !Number.isInteger(initial) || initial < 0 || initial > this.maxSize) {
      throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'need integers 0 <= initialSize <= maxSize, maxSize >= 1');
    }
    for (const [name, kind] of Object.entries(options.kinds) as [K, BufferKind][]) {
      if (!Number.isInteger(kind.length) || kind.length < 1 || !['float32', 'int32', 'float64'].includes(kind.type)) {
        throw new AmanuensisError('ERR_INVALID_ARGUMENT', `buffer kind '${name}' needs a type and a positive length`);
      }
      const state: KindState = { kind, free: [], waiters: [], inUse: 0, highWater: 0, allocations: 0, waits: 0, timeouts: 0 };
      this.states.set(name, state);
      for (let i = 0; i < initial; i++) state.free.push(this.allocate(name, state));
    }
  }

  /**
   * Lends a buffer of `kind`, allocating one if none is free and fewer than maxSize exist,
   * otherwise waiting for a release (first come, first served).
   * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` (unknown kind), `ERR_ABORTED`, `ERR_BUFFER_POOL_TIMEOUT`
   */
  async acquire<E extends PoolElementType = 'float32'>(kind: K, options: AcquireOptions = {}): Promise<PooledBuffer<ArrayOf<E>>> {
    const state = this.state(kind);
    const ready = this.take(kind, state);
    if (ready !== undefined) return this.lend(kind, ready) as PooledBuffer<ArrayOf<E>>;
    if (options.signal?.aborted) throw new AmanuensisError('ERR_ABORTED', 'acquire was aborted');
    state.waits++;
    const array = await new Promise<ArrayLike<number>>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? this.timeoutMs;
      const cleanup = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        unfollow?.();
      };
      const fail = (err: AmanuensisError): void => {
        const i = state.waiters.indexOf(waiter);
        if (i >= 0) state.waiters.splice(i, 1);
        state.timeouts++;
        cleanup();
        reject(err);
      };
      const waiter: Waiter = {
        resolve: (a) => {
          cleanup();
          resolve(a);
        },
        reject: fail,
      };
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => fail(new AmanuensisError('ERR_BUFFER_POOL_TIMEOUT',
        `no '${kind}' buffer was released within ${timeoutMs} ms (maxSize ${this.maxSize})`)), timeoutMs);
      const unfollow = options.signal === undefined ? undefined
        : followAbort(options.signal, () => fail(new AmanuensisError('ERR_ABORTED', 'acquire was aborted')));
      state.waiters.push(waiter);
    });
    return this.lend(kind, array) as PooledBuffer<ArrayOf<E>>;
  }

  /** Lends a buffer only if one is free or may be allocated now; undefined otherwise. */
  tryAcquire<E extends PoolElementType = 'float32'>(kind: K): PooledBuffer<ArrayOf<E>> | undefined {
    const array = this.take(kind, this.state(kind));
    return array === undefined ? undefined : (this.lend(kind, array) as PooledBuffer<ArrayOf<E>>);
  }

  /**
   * Returns a lent array to the pool (the handle's `release()` does the same).
   * @throws {@link AmanuensisError} `ERR_BUFFER_RELEASE` for an array not from this pool or already returned
   */
  release(array: ArrayLike<number>): void {
    const entry = this.owned.get(array as object);
    if (entry === undefined) throw new AmanuensisError('ERR_BUFFER_RELEASE', 'this array does not belong to this pool');
    if (!entry.onLoan) throw new AmanuensisError('ERR_BUFFER_RELEASE', 'this array was already released');
    const state = this.state(entry.kind);
    entry.onLoan = false;
    state.inUse--;
    const next = state.waiters.shift();
    if (next !== undefined) {
      entry.onLoan = true;
      state.inUse++;
      next.resolve(array);
    } else {
      state.free.push(array);
    }
  }

  /** Counters of one kind. */
  stats(kind: K): BufferPoolStats {
    const s = this.state(kind);
    return { inUse: s.inUse, free: s.free.length, highWater: s.highWater, allocations: s.allocations, waits: s.waits, timeouts: s.timeouts };
  }

  private state(kind: K): KindState {
    const s = this.states.get(kind);
    if (s === undefined) throw new AmanuensisError('ERR_INVALID_ARGUMENT', `unknown buffer kind '${kind}'`);
    return s;
  }

  private allocate(kind: K, state: KindState): ArrayLike<number> {
    const n = state.kind.length;
    const array = state.kind.type === 'float32' ? new Float32Array(n) : state.kind.type === 'int32' ? new Int32Array(n) : new Float64Array(n);
    state.allocations++;
    this.owned.set(array, { kind, onLoan: false });
    return array;
  }

  /** A free or newly allocated array, marked on loan; undefined when the kind is at maxSize. */
  private take(kind: K, state: KindState): ArrayLike<number> | undefined {
    let array = state.free.pop();
    if (array === undefined) {
      if (state.inUse >= this.maxSize) return undefined;
      array = this.allocate(kind, state);
    }
    this.owned.get(array as object)!.onLoan = true;
    state.inUse++;
    state.highWater = Math.max(state.highWater, state.inUse);
    return array;
  }

  private lend(_kind: K, array: ArrayLike<number>): PooledBuffer<ArrayLike<number>> {
    let released = false;
    const release = (): void => {
      if (released) throw new AmanuensisError('ERR_BUFFER_RELEASE', 'this buffer was already released');
      released = true;
      this.release(array);
    };
    return {
      array,
      release,
      [Symbol.dispose]: () => {
        if (!released) release();
      },
    };
  }
}
