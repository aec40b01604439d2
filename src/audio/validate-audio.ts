/**
 * The one check of audio samples, made once where audio enters the library: `transcribe()`,
 * `detectLanguage()`, a session's `push()`, and a front end's `compute()` called directly.
 * Paths inside the library trust audio that passed it instead of scanning it again.
 * @module
 */
import { AmanuensisError } from '../errors.js';

/**
 * Checks that `samples` is a Float32Array of finite samples (an empty one passes: whether
 * empty audio is an error is the caller's rule).
 * @param name - what the samples are called in the error message, e.g. `'audio'` or `'chunk'`
 * @throws {@link AmanuensisError} `ERR_INVALID_AUDIO` for anything else, or a NaN or infinite sample
 */
export function assertAudio(samples: unknown, name = 'audio'): asserts samples is Float32Array {
  if (!(samples instanceof Float32Array)) {
    throw new AmanuensisError('ERR_INVALID_AUDIO', `${name} must be a Float32Array of 16 kHz mono samples`);
  }
  for (let i = 0; i < samples.length; i++) {
    if (!Number.isFinite(samples[i])) {
      throw new AmanuensisError('ERR_INVALID_AUDIO', `${name} sample ${i} is ${samples[i]}; samples must be finite`);
    }
  }
}
