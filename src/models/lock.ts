/**
 * A lock on one file across processes (proper-lockfile: a `<file>.lock` directory whose mtime the
 * holder refreshes; a holder that died leaves a lock that goes stale and is taken over). Waiting
 * has no deadline, since the holder may be downloading gigabytes, but it ends with the signal.
 * @module
 */
import { setTimeout as delay } from 'node:timers/promises';

import lockfile from 'proper-lockfile';

import { AmanuensisError, abortError, throwIfAborted } from '../errors.js';

/** A lock not refreshed for this long belongs to a process that died. */
const STALE_MS = 10_000;
/** Polling of a held lock: from the first interval up to the last, doubling. */
const FIRST_POLL_MS = 50;
const LAST_POLL_MS = 1_000;

/** How to wait for the lock. */
export interface FileLockWait {
  /** Ends the wait with `ERR_ABORTED`. */
  readonly signal?: AbortSignal | undefined;
  /** Called once, when the lock is first found held by another (before the first wait). */
  readonly onWait?: (() => void) | undefined;
}

/**
 * Runs `task` holding the lock on `path` (which need not exist), waiting while another holds it.
 * `task` receives a signal that fires if the lock is lost (its directory removed or taken over);
 * it should stop then, since another process may be writing the same file.
 * @throws {@link AmanuensisError} `ERR_ABORTED` when `signal` fires while waiting,
 *   `ERR_MODEL_DOWNLOAD` when the lock cannot be made (e.g. a read-only directory), or what `task` throws
 */
export async function withFileLock<T>(path: string, wait: FileLockWait, task: (lost: AbortSignal) => Promise<T>): Promise<T> {
  const lost = new AbortController();
  const release = await acquire(path, wait, (err) => lost.abort(new AmanuensisError('ERR_MODEL_DOWNLOAD', `lost the lock on '${path}': ${err.message}`, { cause: err })));
  try {
    return await task(lost.signal);
  } finally {
    // a compromised lock is already gone; there is nothing to release then
    if (!lost.signal.aborted) await release().catch(() => undefined);
  }
}

async function acquire(path: string, { signal, onWait }: FileLockWait, onCompromised: (err: Error) => void): Promise<() => Promise<void>> {
  for (let wait = FIRST_POLL_MS; ; wait = Math.min(wait * 2, LAST_POLL_MS)) {
    throwIfAborted(signal);
    try {
      return await lockfile.lock(path, { realpath: false, stale: STALE_MS, onCompromised });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') {
        throw new AmanuensisError('ERR_MODEL_DOWNLOAD', `cannot lock '${path}': ${(err as Error).message}`, { cause: err });
      }
    }
    if (wait === FIRST_POLL_MS) onWait?.();
    await sleep(wait, signal);
  }
}

async function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await delay(ms, undefined, signal === undefined ? {} : { signal });
  } catch (err) {
    throw signal?.aborted ? abortError(signal) : err;
  }
}
