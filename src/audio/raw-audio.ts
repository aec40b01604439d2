/**
 * What every decoder family hands back before the common downmix and resampling, and the
 * error every decoder uses for data it cannot decode.
 * @module
 */
import { AmanuensisError } from '../errors.js';

/** Decoded audio at the file's own rate, one plane per channel. @internal */
export interface RawAudio {
  /** One array of samples in [-1, 1] per channel. */
  readonly channels: Float32Array[];
  /** Samples per second of every plane, in Hz. */
  readonly sampleRate: number;
  /** The file's own rate, when the decoder already converted it (ffmpeg, Opus decoded at 16 kHz). */
  readonly originalSampleRate?: number | undefined;
}

/**
 * An `ERR_AUDIO_DECODE` error naming the format, so a user knows which file kind failed.
 * @param format - the format's name, e.g. "MP3"
 * @param problem - what is wrong, e.g. "the file is truncated"
 * @internal
 */
export function decodeError(format: string, problem: string, cause?: unknown): AmanuensisError {
  return new AmanuensisError('ERR_AUDIO_DECODE', `cannot decode audio (${format}): ${problem}`, cause === undefined ? undefined : { cause });
}

/**
 * The errors the wasm-audio-decoders libraries report in their result (they decode around a
 * bad frame rather than throw). A corrupt frame is never passed over in silence: the text
 * would have a hole nobody was told about.
 * @internal
 */
export function throwOnDecoderErrors(format: string, errors: readonly { message: string }[]): void {
  const first = errors[0];
  if (first !== undefined) {
    throw decodeError(format, `corrupt data (${errors.length} bad frame${errors.length === 1 ? '' : 's'}; first: ${first.message})`);
  }
}

/**
 * Checks the decoded length against the length the container declares, so a file cut short
 * (an interrupted download or upload) is reported rather than transcribed in part.
 * @param decodedFrames - samples per channel decoded
 * @param declaredFrames - samples per channel the header promises
 * @param tolerance - frames the two may differ by (a codec's frame and delay bookkeeping)
 * @internal
 */
export function throwIfShort(format: string, decodedFrames: number, declaredFrames: number, tolerance: number): void {
  if (decodedFrames + tolerance < declaredFrames) {
    throw decodeError(format, `the file is truncated or corrupt (its header declares ${declaredFrames} samples per channel, the data holds ${decodedFrames})`);
  }
}
