/**
 * An inactivity timer for one download attempt: a server that keeps the connection open but
 * sends nothing would otherwise hold the attempt (and the cache lock) until undici's own body
 * timeout, five minutes, once per attempt. The countdown runs only while bytes are awaited from
 * the server, not while this side reads its own disk or runs the progress callback.
 * @module
 */

/** An attempt that receives nothing for this long is cut, and resumed like a dropped connection. */
export const STALL_TIMEOUT_MS = 30_000;

/** Fires `signal` when {@link restart} is not called again within `ms`. */
export class StallWatch {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly ms: number) {}

  /** Aborted once the server has been silent for `ms` while awaited. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get fired(): boolean {
    return this.controller.signal.aborted;
  }

  /** Starts the countdown again from `ms` (bytes arrived, or they are awaited from now). */
  restart(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.controller.abort(new Error(`no data for ${this.ms} ms`)), this.ms);
  }

  /** Pauses the countdown (nothing is awaited from the server), or ends it. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
