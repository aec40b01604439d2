/**
 * The log-mel front end in the native module: the same spectrogram as {@link WhisperMelFrontend}
 * (openai/whisper audio.py log_mel_spectrogram), with the 400-point DFT of all frames done as one
 * GEMM on the AVX2/FMA kernels, multithreaded and off the main thread.
 * @module
 */
import type { MelFilterbank } from '../model/ggml-loader.js';
import type { NativeAddon, NativeModelHandle } from '../native/binding.js';
import { type MelComputeOptions, type MelFrontend, type MelSpectrogram, WhisperMelFrontend, checkMelInput } from './mel-frontend.js';
import { HOP_LENGTH } from '../constants.js';

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
}
