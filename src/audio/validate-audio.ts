/**
 * The one check of audio samples, made once where audio enters the library: `transcribe()`,
 * `detectLanguage()`, a session's `push()`, and a front end's `compute()` called directly.
 * Paths inside the library trust audio that passed it instead of scanning it again.
 * @module
 */
import { types } from 'node:util';

import { AmanuensisError } from '../errors.js';

/**
 * The largest sample magnitude accepted. Samples are nominally in [-1, 1]; int16 values not
 * divided by 32768 still pass, but larger values are not audio, and from about 1e19 the
 * spectrogram's power overflows float32 and every later stage computes NaN.
 */
export const MAX_SAMPLE_MAGNITUDE = 65536;

/**
 * Checks that `samples` is a Float32Array of finite samples within ±{@link MAX_SAMPLE_MAGNITUDE}
 * (an empty one passes: whether empty audio is an error is the caller's rule).
 * @param name - what the samples are called in the error message, e.g. `'audio'` or `'chunk'`
 * @throws {@link AmanuensisError} `ERR_INVALID_AUDIO` for anything else (an object that only
 * inherits from Float32Array included), or a NaN, infinite or out-of-range sample
 */
export function assertAudio(samples: unknown, name = 'audio'): asserts samples is Float32Array {
  // the internal slot, not the prototype chain: Object.create(Float32Array.prototype) is no array
  if (!types.isFloat32Array(samples)) {
    throw new AmanuensisError('ERR_INVALID_AUDIO', `${name} must be a Float32Array of 16 kHz mono samples`);
  }
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i]!;
    if (!(Math.abs(v) <= MAX_SAMPLE_MAGNITUDE)) {
      throw new AmanuensisError('ERR_INVALID_AUDIO', Number.isFinite(v)
        ? `${name} sample ${i} is ${v}; samples are nominally in [-1, 1] and must lie within ±${MAX_SAMPLE_MAGNITUDE}`
        : `${name} sample ${i} is ${v}; samples must be finite`);
    }
  }
}
