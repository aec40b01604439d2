/**
 * The pluggable second stage of a Transcriber: the audio encoder.
 * @module
 */
import type { MelSpectrogram } from '../audio/mel-frontend.js';
import type { PerformanceProfiler } from '../utils/performance-profiler.js';

/** Options of one encode call. */
export interface EncodeOptions {
  /** Cancels the call: before it starts, or (CPU encoder) at the next encoder block of a running encode. */
  readonly signal?: AbortSignal;
  /** Where to write the features (`[nAudioCtx, nAudioState]`, e.g. a pooled buffer); an encoder may ignore it and return its own array. */
  readonly out?: Float32Array;
  /** Receives the encoder's internal stage timings under the current span, when the encoder reports them. */
  readonly profiler?: PerformanceProfiler;
}

/** Turns one 30 s log-mel window into audio features (openai/whisper model.py AudioEncoder). */
export interface Encoder {
  /** Backend name reported in timings, e.g. `'cpu'`. */
  readonly name: string;
  /**
   * @param mel - one window, `[nMels, 3000]` row-major (`nFrames` must be 2 × nAudioCtx)
   * @returns audio features `[nAudioCtx, nAudioState]` row-major (`options.out` if the encoder used it)
   * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for a window of the wrong shape, `ERR_ABORTED`
   */
  encode(mel: MelSpectrogram, options?: EncodeOptions): Promise<Float32Array>;
}
