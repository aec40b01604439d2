/**
 * The log-mel front end in the native module: the same spectrogram as {@link WhisperMelFrontend}
 * (openai/whisper audio.py log_mel_spectrogram), with the 400-point DFT of all frames done as one
 * GEMM on the AVX2/FMA kernels, multithreaded and off the main thread.
 * @module
 */
import type { MelFilterbank } from '../model/ggml-loader.js';
import type { NativeAddon, NativeModelHandle } from '../native/binding.js';
import { AmanuensisError, throwIfAborted } from '../errors.js';
import { type MelComputeOptions, type MelFrontend, type MelSpectrogram, type MelWindowOptions, WhisperMelFrontend, checkMelInput } from './mel-frontend.js';
import { HOP_LENGTH, N_FFT, N_FRAMES } from '../constants.js';

/** Frames per native call of {@link NativeMelFrontend.logMelMax}: one window, so its scratch stays small. */
const MAX_CHUNK_FRAMES = N_FRAMES;

/** {@link MelFrontend} whose `computeAsync` runs natively; `compute` (synchronous) uses the TypeScript implementation. */
export class NativeMelFrontend implements MelFrontend {
  readonly nMels: number;
  private readonly reference: WhisperMelFrontend;

  /**
   * @param addon - the loaded native module
   * @param model - a loaded model (its thread pool does the work)
   * @param filterbank - `[nMels, 201]` filters, e.g. from the model file
   * @param threads - threads per call
   */
  constructor(private readonly addon: NativeAddon, private readonly model: NativeModelHandle,
    private readonly filterbank: MelFilterbank, private readonly threads: number) {
    this.reference = new WhisperMelFrontend(filterbank);
    this.nMels = filterbank.nMels;
  }

  compute(samples: Float32Array, options?: MelComputeOptions): MelSpectrogram {
    return this.reference.compute(samples, options);
  }

  async computeAsync(samples: Float32Array, options: MelComputeOptions = {}): Promise<MelSpectrogram> {
    const padding = checkMelInput(samples, options);
    const data = await this.addon.logMel(this.model, samples, { padding, filters: this.filterbank.data, nMels: this.nMels, threads: this.threads });
    return { data, nMels: this.nMels, nFrames: Math.floor((samples.length + padding) / HOP_LENGTH) };
  }

  async logMelMax(samples: Float32Array, options: MelComputeOptions = {}): Promise<number> {
    const padding = checkMelInput(samples, options);
    const total = Math.floor((samples.length + padding) / HOP_LENGTH);
    let max = -Infinity;
    for (let first = 0; first < total; first += MAX_CHUNK_FRAMES) {
      throwIfAborted(options.signal);
      const { logMax } = await this.range(samples, padding, first, Math.min(MAX_CHUNK_FRAMES, total - first), undefined);
      max = Math.max(max, logMax);
    }
    return max;
  }

  async computeWindow(samples: Float32Array, options: MelWindowOptions): Promise<MelSpectrogram> {
    const padding = checkMelInput(samples, options);
    const { firstFrame, frames, logMax } = options;
    if (!Number.isInteger(firstFrame) || firstFrame < 0 || !Number.isInteger(frames) || frames < 0 || !Number.isFinite(logMax)) {
      throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'firstFrame and frames must be non-negative integers and logMax a finite number');
    }
    const { data } = await this.range(samples, padding, firstFrame, frames, logMax);
    return { data: data!, nMels: this.nMels, nFrames: frames };
  }

  /**
   * Frames [first, first + frames) through the native range call, handing it only the samples
   * they read: each frame reads N_FFT / 2 samples either side of its centre, and frames at the
   * two ends read reflections, which can reach N_FFT / 2 samples further in.
   */
  private range(samples: Float32Array, padding: number, first: number, frames: number, logMax: number | undefined):
    Promise<{ logMax: number; data?: Float32Array }> {
    const reach = N_FFT; // half a frame, plus half a frame of reflection at an end
    const total = samples.length + padding;
    const from = Math.max(0, first * HOP_LENGTH - reach);
    const last = (first + Math.max(frames, 1) - 1) * HOP_LENGTH;
    const to = last + 2 * reach >= total ? samples.length : Math.min(samples.length, last + reach);
    return this.addon.logMelRange(this.model, samples.subarray(from, Math.max(from, to)), {
      offset: Math.min(from, samples.length), totalSamples: samples.length, padding, firstFrame: first, frames,
      filters: this.filterbank.data, nMels: this.nMels, threads: this.threads,
      ...(logMax === undefined ? { maxOnly: true } : { logMax }),
    });
  }
}
