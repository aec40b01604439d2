/**
 * The AMD XDNA2 NPU encoder: the Whisper encoder with its attention and MLP projections run
 * as bf16 GEMM tiles on the NPU through XRT (loaded at run time), everything else on the
 * CPU kernels. With `device: 'software'` the same tiles run on the CPU.
 * @module
 */
import type { MelSpectrogram } from '../audio/mel-frontend.js';
import { throwIfAborted } from '../errors.js';
import type { ModelDimensions } from '../model/hparams.js';
import type { NativeAddon, NativeModelHandle, NativeXdna2EncodeResult, NativeXdna2EncoderHandle } from '../native/binding.js';
import type { EncodeOptions, Encoder } from './encoder.js';
import { assertEncoderWindow } from './encoder-window.js';
import { type Xdna2Options, resolveXdna2Options } from './xdna2-options.js';

/** {@link Encoder} on an XDNA2 device (or the software device). */
export class Xdna2Encoder implements Encoder {
  /** `'xdna2'` on the NPU, `'xdna2-software'` on the software device. */
  readonly name: string;
  /** What the last encode reported: device, tiles, padding fraction, projection time. */
  lastReport: Omit<NativeXdna2EncodeResult, 'features' | 'layers'> | undefined;

  private constructor(private readonly native: NativeXdna2EncoderHandle, private readonly dims: ModelDimensions,
    private readonly threads: number, software: boolean) {
    this.name = software ? 'xdna2-software' : 'xdna2';
  }

  /**
   * Opens the device and packs the model's encoder weights into bf16 tiles.
   * @throws {@link AmanuensisError} `ERR_BACKEND_UNAVAILABLE` with the reason (as {@link listBackends}),
   *   `ERR_INVALID_ARGUMENT` for bad options
   */
  static async create(addon: NativeAddon, model: NativeModelHandle, dims: ModelDimensions, threads: number,
    options: Xdna2Options = {}): Promise<Xdna2Encoder> {
    const resolved = resolveXdna2Options(options);
    const native = await addon.createXdna2Encoder(model, resolved);
    return new Xdna2Encoder(native, dims, threads, resolved.device === 'software');
  }

  async encode(mel: MelSpectrogram, options: EncodeOptions = {}): Promise<Float32Array> {
    const result = await this.run(mel, false, options);
    if (options.profiler !== undefined) {
      options.profiler.record('conv', result.timings.convMs);
      result.timings.layerMs.forEach((ms, i) => options.profiler!.record(`layer${i}`, ms));
      options.profiler.record('projections', result.projectionMs);
    }
    return result.features;
  }

  /**
   * Encodes and also returns the residual stream after each block (`[nAudioCtx, nAudioState]` each),
   * for checking the bf16 numerics layer by layer.
   */
  async encodeLayers(mel: MelSpectrogram): Promise<{
    /** Audio features `[nAudioCtx, nAudioState]`. */
    features: Float32Array;
    /** The residual stream after each block, `[nAudioCtx, nAudioState]` each. */
    layers: Float32Array[];
  }> {
    const { features, layers } = await this.run(mel, true, {});
    return { features, layers: layers ?? [] };
  }

  /** Releases the device; later calls reject with `ERR_CLOSED`. */
  close(): void {
    this.native.release();
  }

  private async run(mel: MelSpectrogram, layers: boolean, options: EncodeOptions): Promise<NativeXdna2EncodeResult> {
    throwIfAborted(options.signal);
    assertEncoderWindow(mel, this.dims);
    const size = this.dims.nAudioCtx * this.dims.nAudioState;
    const out = options.out instanceof Float32Array && options.out.length === size ? options.out : undefined;
    const result = await this.native.encode(mel.data, {
      nMels: mel.nMels, nFrames: mel.nFrames, threads: this.threads, layers, ...(out !== undefined && { out }),
    });
    const { features: _f, layers: _l, ...report } = result;
    this.lastReport = report;
    return result;
  }
}
