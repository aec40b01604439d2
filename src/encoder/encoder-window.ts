/**
 * The input check every native encoder shares.
 * @module
 */
import type { MelSpectrogram } from '../audio/mel-frontend.js';
import { AmanuensisError } from '../errors.js';
import type { ModelDimensions } from '../model/hparams.js';

/**
 * Asserts that `mel` is one encoder window of the model: `[nMels, 2 × nAudioCtx]` (3000 frames for Whisper).
 * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` otherwise
 */
export function assertEncoderWindow(mel: MelSpectrogram, dims: ModelDimensions): void {
  const nFrames = 2 * dims.nAudioCtx;
  if (mel === null || typeof mel !== 'object' || !(mel.data instanceof Float32Array) ||
    mel.nMels !== dims.nMels || mel.nFrames !== nFrames || mel.data.length !== mel.nMels * mel.nFrames) {
    throw new AmanuensisError('ERR_INVALID_ARGUMENT',
      `the encoder takes a log-mel window of [${dims.nMels}, ${nFrames}] as { data: Float32Array, nMels, nFrames }`);
  }
}
