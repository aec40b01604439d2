/**
 * Many concurrent calls following one `AbortSignal` through a single `'abort'` listener.
 * Every concurrent call used to add its own listener to the signal it follows (the caller's
 * signal, a transcriber's close signal), and Node warns "Possible EventTarget memory leak" past
 * 10 listeners on one signal: 16 concurrent transcriptions printed it. Concurrency is unbounded
 * by design, so the calls register here instead.
 * @module
 */

interface Followers {
  readonly callbacks: Set<(reason: unknown) => void>;
  readonly listener: () => void;
}

const following = new WeakMap<AbortSignal, Followers>();

/**
 * Calls `callback(signal.reason)` once when `signal` aborts, unless the returned function was
 * called first. Whatever the number of followers, `signal` carries one listener of ours, removed
 * when the last follower leaves. A signal already aborted is not checked here: callers do that first.
 * @returns stops following (idempotent)
 */
export function followAbort(signal: AbortSignal, callback: (reason: unknown) => void): () => void {
  let entry = following.get(signal);
  if (entry === undefined) {
    const callbacks = new Set<(reason: unknown) => void>();
    const listener = (): void => {
      following.delete(signal);
      for (const f of [...callbacks]) f(signal.reason);
    };
    entry = { callbacks, listener };
    following.set(signal, entry);
    signal.addEventListener('abort', listener, { once: true });
  }
  const own = entry;
  // a distinct function per call, so that one callback followed twice is two followers
  const follower = (reason: unknown): void => callback(reason);
  own.callbacks.add(follower);
  return () => {
    if (!own.callbacks.delete(follower) || own.callbacks.size > 0) return;
    if (following.get(signal) === own) following.delete(signal);
    signal.removeEventListener('abort', own.listener);
  };
}
