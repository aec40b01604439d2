/**
 * The two inputs of a command, obtained at once: the audio file decoded while the model loads
 * (downloading first, for a name not yet cached). The first of them to fail stops the other:
 * the model's load and download end through a shared signal, and a Transcriber that finishes
 * loading anyway is closed. Without this, a bad audio file printed its error and the process
 * lived on until a download of gigabytes ended.
 * @module
 */
import type { Transcriber } from '../transcriber.js';

/**
 * Runs `readAudio` and `loadModel` concurrently, giving both one signal that fires at the first
 * failure (with that error as the reason).
 * @returns the audio and the Transcriber, once both succeeded
 * @throws the first failure, after the other task has settled (a Transcriber it loaded is closed)
 */
export async function loadInputs<Audio>(
  readAudio: (signal: AbortSignal) => Promise<Audio>,
  loadModel: (signal: AbortSignal) => Promise<Transcriber>,
): Promise<[Audio, Transcriber]> {
  const firstFailure = new AbortController();
  const run = async <T>(task: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    try {
      return await task(firstFailure.signal);
    } catch (err) {
      if (!firstFailure.signal.aborted) firstFailure.abort(err);
      throw err;
    }
  };
  const audio = run(readAudio);
  const model = run(loadModel);
  try {
    return await Promise.all([audio, model]);
  } catch (err) {
    // the first failure is the one reported; the other task's (ERR_ABORTED, mostly) is not
    const [, loaded] = await Promise.allSettled([audio, model]);
    if (loaded.status === 'fulfilled') loaded.value.close();
    throw firstFailure.signal.reason ?? err;
  }
}
