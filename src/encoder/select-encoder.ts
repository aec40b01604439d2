/**
 * Choice of the encoder backend.
 * @module
 */
import { AmanuensisError } from '../errors.js';
import type { ModelDimensions } from '../model/hparams.js';
import type { NativeModelHandle } from '../native/binding.js';
import { CpuEncoder } from './cpu-encoder.js';
import type { Encoder } from './encoder.js';

/** Which encoder a Transcriber uses: a backend name, or an Encoder of your own. */
export type EncoderChoice = 'auto' | 'cpu' | Encoder;

/**
 * Resolves an {@link EncoderChoice}. `'auto'` picks the best available backend; today that
 * is the CPU.
 * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for an unknown name
 */
export function selectEncoder(choice: EncoderChoice, model: NativeModelHandle, dims: ModelDimensions, threads: number,
  profile = false): Encoder {
  if (typeof choice === 'object' && choice !== null && typeof choice.encode === 'function') return choice;
  if (choice === 'auto' || choice === 'cpu') return new CpuEncoder(model, dims, threads, profile);
  throw new AmanuensisError('ERR_INVALID_ARGUMENT', `encoder must be 'auto', 'cpu' or an object with encode(); got ${String(choice)}`);
}
