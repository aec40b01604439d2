/**
 * The native CPU encoder: conv stem, positional embedding, pre-LN attention blocks and
 * ln_post, multithreaded, with AVX2/FMA/F16C kernels when the CPU has them.
 * @module
 */
import type { MelSpectrogram } from '../audio/mel-frontend.js';
import { throwIfAborted } from '../errors.js';
import type { ModelDimensions } from '../model/hparams.js';
import type { NativeEncoderTimings, NativeModelHandle } from '../native/binding.js';
import { followAbort } from '../utils/abort-followers.js';
import type { EncodeOptions, Encoder } from './encoder.js';
import { assertEncoderWindow } from './encoder-window.js';

/** {@link Encoder} running in the native module on a loaded model. */
export class CpuEncoder implements Encoder {
  readonly name = 'cpu';
  /** Internal timings of the last encode (conv stem, each block, ln_post), when profiling. */
  lastTimings: NativeEncoderTimings | undefined;

  /**
   * @param model - native model handle
   * @param dims - its dimensions
   * @param threads - threads per encode
   * @param profile - collect per-layer timings (in {@link lastTimings} and, when given, the call's profiler as
   *   `conv`, `layer0`…, `lnPost` under the current span)
   */
  constructor(private readonly model: NativeModelHandle, private readonly dims: ModelDimensions,
    private readonly threads: number, private readonly profile = false) {}

  async encode(mel: MelSpectrogram, options: EncodeOptions = {}): Promise<Float32Array> {
    throwIfAborted(options.signal);
    assertEncoderWindow(mel, this.dims);
    const size = this.dims.nAudioCtx * this.dims.nAudioState;
    const out = options.out instanceof Float32Array && options.out.length === size ? options.out : undefined;
    // an abort stops the native encode at its next block, not after the last one
    const signal = options.signal;
    const abort = signal === undefined ? undefined : this.model.createAbortFlag();
    const unfollow = signal === undefined ? undefined : followAbort(signal, () => abort!.abort());
    let result;
    try {
      result = await this.model.encode(mel.data, {
        nMels: mel.nMels, nFrames: mel.nFrames, threads: this.threads, profile: this.profile,
        ...(out !== undefined && { out }), ...(abort !== undefined && { abort }),
      });
    } catch (err) {
      // the native layer says ERR_ABORTED; the signal's own reason (e.g. ERR_CLOSED) says why
      if (signal?.aborted === true) throwIfAborted(signal);
      throw err;
    } finally {
      unfollow?.();
    }
    const { features, timings } = result;
    this.lastTimings = timings;
    if (timings !== undefined && options.profiler !== undefined) {
      options.profiler.record('conv', timings.convMs);
      timings.layerMs.forEach((ms, i) => options.profiler!.record(`layer${i}`, ms));
      options.profiler.record('lnPost', timings.lnPostMs);
    }
    return features;
  }
}
