/**
 * `Vad`: Silero VAD (v5 and v6, whisper.cpp's GGML files) in the native addon: per-frame speech
 * probabilities, speech segments, and streams.
 * @module
 */
import { assertAudio } from '../audio/validate-audio.js';
import { AmanuensisError, abortError, throwIfAborted } from '../errors.js';
import { type NativeAddon, type NativeVadHandle, loadNativeAddon } from '../native/binding.js';
import { followAbort } from '../utils/abort-followers.js';
import { defaultThreadCount } from '../utils/thread-count.js';
import { bundledVadModelPath } from './bundled-model.js';
import type { SpeechEvent, SpeechEventOptions } from './speech-events.js';
import type { SpeechSegmentOptions } from './speech-segment-options.js';
import { type SpeechSegment, speechSegmentsFromProbabilities } from './speech-segments.js';
import { VadProbabilityStream, VadStream } from './vad-stream.js';

/** Options of {@link Vad.load}. */
export interface VadLoadOptions {
  /**
   * Threads the STFT and encoder of a call are split over (1 to 256); the LSTM runs on one.
   * Default: the CPUs this process may use, as for `Transcriber.load` (the process shares one pool).
   */
  readonly threads?: number;
  /** Use the AVX2/FMA/F16C kernels when the CPU has them. Default true; false forces the portable kernels. */
  readonly simd?: boolean;
  /** With `simd`, use the AVX-512 GEMM micro-kernel when the CPU has AVX-512F. Default true. */
  readonly avx512?: boolean;
  /** Path of a built `amanuensis.node`, bypassing the prebuild lookup (for bundlers). */
  readonly nativeBinding?: string;
  /** Cancels loading. */
  readonly signal?: AbortSignal;
}

/** Options of {@link Vad.probabilities}. */
export interface VadProbabilityOptions {
  /** Cancels the call (it stops at its next block of 1024 frames) with `ERR_ABORTED`. */
  readonly signal?: AbortSignal;
  /**
   * How each frame is presented to the model. `'silero'` (default): Silero's own streaming
   * semantics (the 64 samples before the frame, reflect padding on the right), as its ONNX
   * wrapper and faster-whisper. `'whisper.cpp'`: no context, reflect padding by 64 on both sides,
   * as whisper.cpp's `whisper_vad_detect_speech` (for comparisons with it; up to ±0.2 off on speech).
   */
  readonly framing?: 'silero' | 'whisper.cpp';
}

/** Options of {@link Vad.speechSegments}: segmentation parameters and a signal. */
export interface VadSegmentOptions extends SpeechSegmentOptions {
  /** Cancels the call with `ERR_ABORTED`. */
  readonly signal?: AbortSignal;
}

/**
 * The Silero voice activity detector, computed by the native addon in float32 from a
 * whisper.cpp GGML Silero VAD file (v6.2.0 bundled; v5.1.2 loads too). Audio is 16 kHz mono
 * float samples; the model gives one speech probability per 512-sample frame (32 ms).
 *
 * @example
 * ```ts
 * const vad = await Vad.load();
 * const segments = await vad.speechSegments(samples); // [{ start, end, startSample, endSample }]
 * vad.close();
 * ```
 */
export class Vad {
  private closed = false;

  private constructor(
    private readonly native: NativeVadHandle,
    /** Threads a call uses. */
    readonly threads: number,
    /** The model's version, e.g. `'6.2.0'`. */
    readonly version: string,
    /** The kernels it runs on (chosen at load from the CPU and the `simd`/`avx512` options). */
    readonly kernels: 'avx512-avx2-fma-f16c' | 'avx2-fma-f16c' | 'portable',
  ) {}

  /**
   * Loads a Silero VAD model in whisper.cpp's GGML format (`ggml-silero-v*.bin`, as made by
   * its `models/convert-silero-vad-to-ggml.py`, versions 5 and 6).
   * @param model - path of the file, or its bytes; the Silero VAD v6.2.0 shipped in the package when omitted
   * @throws {@link AmanuensisError} `ERR_MODEL_NOT_FOUND` (cannot be read), `ERR_MODEL_BAD_MAGIC`,
   *   `ERR_MODEL_TRUNCATED`, `ERR_MODEL_BAD_HPARAMS` (not a Silero VAD model, or another
   *   architecture), `ERR_MODEL_TENSOR_SHAPE`, `ERR_MODEL_UNKNOWN_TENSOR_TYPE`,
   *   `ERR_MODEL_UNSUPPORTED_TENSOR_TYPE`, `ERR_MODEL_DUPLICATE_TENSOR`, `ERR_MODEL_NO_TENSORS`,
   *   `ERR_MODEL_MISSING_TENSOR`, `ERR_NUMERIC` (a weight is NaN or infinite); `ERR_INVALID_ARGUMENT`
   *   for bad options; `ERR_NATIVE_LOAD`; `ERR_ABORTED`
   */
  static async load(model?: string | Uint8Array, options: VadLoadOptions = {}): Promise<Vad> {
    if (model !== undefined && !(model instanceof Uint8Array) && (typeof model !== 'string' || model.length === 0)) {
      throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'the VAD model must be a non-empty path or the bytes of the file');
    }
    const threads = options.threads ?? defaultThreadCount();
    if (!Number.isInteger(threads) || threads < 1 || threads > 256) {
      throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'threads must be an integer from 1 to 256');
    }
    for (const flag of ['simd', 'avx512'] as const) {
      if (options[flag] !== undefined && typeof options[flag] !== 'boolean') {
        throw new AmanuensisError('ERR_INVALID_ARGUMENT', `${flag} must be a boolean`);
      }
    }
    throwIfAborted(options.signal);
    const addon: NativeAddon = loadNativeAddon(options.nativeBinding);
    const native = await addon.loadVad(model ?? bundledVadModelPath(), { threads, simd: options.simd ?? true, avx512: options.avx512 ?? true });
    if (options.signal?.aborted === true) {
      native.release();
      throwIfAborted(options.signal);
    }
    const info = native.info();
    return new Vad(native, threads, info.version.join('.'), info.kernels);
  }

  /**
   * The speech probability of each 512-sample frame of `samples` (frame i starts at sample
   * 512·i; the last partial frame is zero-padded), each frame seeing the 64 samples before it
   * and the LSTM state carried from the previous one, starting from zeros: Silero's
   * `get_speech_timestamps` / OnnxWrapper semantics.
   * @param samples - 16 kHz mono audio
   * @returns `ceil(samples.length / 512)` probabilities in [0, 1]
   * @throws {@link AmanuensisError} `ERR_INVALID_AUDIO` (not a Float32Array, NaN, Infinity),
   *   `ERR_INVALID_ARGUMENT`, `ERR_CLOSED`, `ERR_ABORTED`
   */
  async probabilities(samples: Float32Array, options: VadProbabilityOptions = {}): Promise<Float32Array> {
    assertAudio(samples, 'samples');
    if (options.framing !== undefined && options.framing !== 'silero' && options.framing !== 'whisper.cpp') {
      throw new AmanuensisError('ERR_INVALID_ARGUMENT', `framing must be 'silero' or 'whisper.cpp'; got ${String(options.framing)}`);
    }
    return (await this.run(samples, undefined, options.signal, options.framing)).probabilities;
  }

  /**
   * The speech segments of `samples`: {@link probabilities}, then
   * {@link speechSegmentsFromProbabilities} (the rules of Silero's `get_speech_timestamps`,
   * utils_vad.py, with its parameters and defaults).
   * @param samples - 16 kHz mono audio
   * @returns segments in order, in seconds and samples of `samples`
   * @throws {@link AmanuensisError} as {@link probabilities}, and `ERR_INVALID_ARGUMENT` for an option out of range
   */
  async speechSegments(samples: Float32Array, options: VadSegmentOptions = {}): Promise<SpeechSegment[]> {
    assertAudio(samples, 'samples');
    // the options are checked before the model runs
    speechSegmentsFromProbabilities([], 0, options);
    const probabilities = await this.probabilities(samples, { signal: options.signal });
    return speechSegmentsFromProbabilities(probabilities, samples.length, options);
  }

  /**
   * A stream of speech start and end events (Silero's `VADIterator` semantics) for audio that
   * arrives in chunks of any size.
   * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for an option out of range, `ERR_CLOSED`
   */
  stream(options: SpeechEventOptions = {}): VadStream {
    this.assertOpen();
    return new VadStream(this, options);
  }

  /**
   * The speech events of audio arriving as chunks of any size: {@link stream} over an iterable,
   * ended (an open segment closed at the last sample) when the iterable is.
   * @param chunks - 16 kHz mono chunks, from e.g. a decoder or a microphone
   * @throws {@link AmanuensisError} as {@link VadStream.push}; `ERR_INVALID_ARGUMENT` for an option out of range
   */
  async *speechEvents(chunks: AsyncIterable<Float32Array> | Iterable<Float32Array>,
    options: SpeechEventOptions & { readonly signal?: AbortSignal } = {}): AsyncGenerator<SpeechEvent> {
    const stream = this.stream(options);
    const call = { signal: options.signal };
    for await (const chunk of chunks) yield* await stream.push(chunk, call);
    yield* await stream.end(call);
  }

  /**
   * A stream of per-frame probabilities for audio that arrives in chunks of any size: the
   * probabilities are those {@link probabilities} gives for the whole audio.
   * @throws {@link AmanuensisError} `ERR_CLOSED`
   */
  probabilityStream(): VadProbabilityStream {
    this.assertOpen();
    return new VadProbabilityStream(this);
  }

  /** Releases the model's native memory (at once if no call is running, else when they end). Later calls reject with `ERR_CLOSED`. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.native.release();
  }

  /** {@link close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  /**
   * One native call: probabilities of `samples` from `state` (a new stream when undefined) and the state after it.
   * @internal
   */
  async run(samples: Float32Array, state: Float32Array | undefined, signal: AbortSignal | undefined,
    framing?: 'silero' | 'whisper.cpp'): Promise<{ probabilities: Float32Array; state: Float32Array }> {
    this.assertOpen();
    throwIfAborted(signal);
    const abort = signal === undefined ? undefined : this.native.createAbortFlag();
    const unfollow = signal === undefined ? undefined : followAbort(signal, () => abort!.abort());
    try {
      const out = await this.native.probabilities(samples, {
        threads: this.threads, ...(state !== undefined && { state }), ...(framing !== undefined && { framing }),
        ...(abort !== undefined && { abort }),
      });
      // a call aborted after its last check still settles as aborted
      throwIfAborted(signal);
      return out;
    } catch (err) {
      if (signal?.aborted === true) throw abortError(signal);
      throw err;
    } finally {
      unfollow?.();
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new AmanuensisError('ERR_CLOSED', 'this Vad has been closed');
  }
}
