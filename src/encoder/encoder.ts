/**
 * The pluggable second stage of a Transcriber: the audio encoder.
 * @module
 */
import type { MelSpectrogram } from '../audio/mel-frontend.js';

/** Options of one encode call. */
export interface EncodeOptions {
  /** Cancels the call before it starts; a running native encode finishes first. */
  readonly signal?: AbortSignal;
}

/** Turns one 30 s log-mel window into audio features (openai/whisper model.py AudioEncoder). */
export interface Encoder {
  /** Backend name reported in timings, e.g. `'cpu'`. */
  readonly name: string;
  /**
   * @param mel - one window, `[nMels, 3000]` row-major (`nFrames` must be 2 × nAudioCtx)
   * @returns audio features `[nAudioCtx, nAudioState]` row-major
   * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for a window of the wrong shape, `ERR_ABORTED`
   */
  encode(mel: MelSpectrogram, options?: EncodeOptions): Promise<Float32Array>;
}
