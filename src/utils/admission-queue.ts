/**
 * Admission control for concurrent calls on one model: at most `concurrency` run at once,
 * up to `maxQueue` wait their turn, and past that a call either waits for room or is
 * refused with `ERR_QUEUE_FULL`, as configured.
 * @module
 */
import { AmanuensisError, abortError, throwIfAborted } from '../errors.js';
import { followAbort } from './abort-followers.js';

/** Options of {@link AdmissionQueue}. */
export interface AdmissionQueueOptions {
  /** Calls running at once. Default 2 (one encoding while another decodes, on 2 cores). */
  readonly concurrency?: number;
  /** Calls waiting for a turn before the overflow policy applies. Default 64. */
  readonly maxQueue?: number;
  /**
   * Past `maxQueue`: `'wait'` (default) holds the call until the queue has room, so no call
   * ever fails for load; `'reject'` refuses it at once with `ERR_QUEUE_FULL`.
   */
  readonly overflow?: 'wait' | 'reject';
}

/** Counters of an {@link AdmissionQueue}. */
export interface AdmissionQueueStats {
  /** Calls running now. */
  readonly running: number;
  /** Calls in the queue. */
  readonly queued: number;
  /** Calls waiting for room in the queue (overflow `'wait'`). */
  readonly overflowing: number;
  /** Calls refused with `ERR_QUEUE_FULL` so far. */
  readonly rejected: number;
  /** Calls completed (successfully or not) so far. */
  readonly completed: number;
}

interface Ticket {
  readonly start: () => void;
  readonly cancel: (err: AmanuensisError) => void;
}

/** A bounded FIFO of calls with a fixed number of running slots. */
export class AdmissionQueue {
  private readonly concurrency: number;
  private readonly maxQueue: number;
  private readonly overflow: 'wait' | 'reject';
  private running = 0;
  private rejected = 0;
  private completed = 0;
  private readonly queue: Ticket[] = [];
  private readonly overflowing: Ticket[] = [];

  /** @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for bad options */
  constructor(options: AdmissionQueueOptions = {}) {
    this.concurrency = options.concurrency ?? 2;
    this.maxQueue = options.maxQueue ?? 64;
    this.overflow = options.overflow ?? 'wait';
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'concurrency must be a positive integer');
    if (!(Number.isInteger(this.maxQueue) && this.maxQueue >= 0) && this.maxQueue !== Infinity) throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'maxQueue must be a non-negative integer or Infinity');
    if (this.overflow !== 'wait' && this.overflow !== 'reject') throw new AmanuensisError('ERR_INVALID_ARGUMENT', "overflow must be 'wait' or 'reject'");
  }

  /** Current counters. */
  get stats(): AdmissionQueueStats {
    return { running: this.running, queued: this.queue.length, overflowing: this.overflowing.length, rejected: this.rejected, completed: this.completed };
  }

  /**
   * Runs `fn` when a slot is free.
   * @throws {@link AmanuensisError} `ERR_QUEUE_FULL` (overflow `'reject'`), `ERR_ABORTED` if the signal fires while
   *   waiting (the call is removed from the queue), or what `fn` throws
   */
  async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    throwIfAborted(signal);
    if (this.running < this.concurrency && this.queue.length === 0) {
      this.running++;
    } else {
      await this.enqueue(signal);
    }
    try {
      return await fn();
    } finally {
      this.running--;
      this.completed++;
      this.next();
    }
  }

  private enqueue(signal: AbortSignal | undefined): Promise<void> {
    const full = this.queue.length >= this.maxQueue;
    if (full && this.overflow === 'reject') {
      this.rejected++;
      return Promise.reject(new AmanuensisError('ERR_QUEUE_FULL',
        `${this.running} calls are running and ${this.queue.length} waiting (maxQueue ${this.maxQueue}); retry later`));
    }
    return new Promise<void>((resolve, reject) => {
      const list = full ? this.overflowing : this.queue;
      let unfollow: (() => void) | undefined;
      const ticket: Ticket = {
        start: () => { unfollow?.(); resolve(); },
        cancel: (err) => {
          for (const l of [this.queue, this.overflowing]) {
            const i = l.indexOf(ticket);
            if (i >= 0) l.splice(i, 1);
          }
          unfollow?.();
          reject(err);
          this.refill();
        },
      };
      if (signal !== undefined) unfollow = followAbort(signal, () => ticket.cancel(abortError(signal)));
      list.push(ticket);
    });
  }

  /** A finished call hands its slot to the oldest queued call. */
  private next(): void {
    const ticket = this.queue.shift();
    if (ticket !== undefined) {
      this.running++;
      ticket.start();
    }
    this.refill();
  }

  /** Overflowing calls move into the queue as room appears. */
  private refill(): void {
    while (this.queue.length < this.maxQueue && this.overflowing.length > 0) this.queue.push(this.overflowing.shift()!);
    while (this.running < this.concurrency && this.queue.length > 0) {
      this.running++;
      this.queue.shift()!.start();
    }
  }
}
