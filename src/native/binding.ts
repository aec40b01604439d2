/**
 * The only place that loads the native addon (through node-gyp-build, which prefers a
 * prebuild in `prebuilds/` and falls back to `build/Release`), and the typed interface of
 * what it exports. Every native call takes its data arguments and one options object; the
 * addon is handed {@link AmanuensisError} once at load, so everything it throws or rejects
 * with is already an `AmanuensisError` with its code (no call site converts errors).
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { AmanuensisError } from '../errors.js';
import { HPARAM_FIELDS, type ModelDimensions } from '../model/hparams.js';
import type { TensorRecord } from '../model/ggml-loader.js';
import type { Xdna2Options } from '../encoder/xdna2-options.js';

/** Per-stage times the native encoder reports when asked to profile, in milliseconds. */
export interface NativeEncoderTimings {
  /** conv1, conv2, GELU and positional embedding. */
  readonly convMs: number;
  /** Each attention block, in order. */
  readonly layerMs: readonly number[];
  /** The final layer norm. */
  readonly lnPostMs: number;
}

/** Options of {@link NativeModelHandle.encode} and {@link NativeXdna2EncoderHandle.encode}. */
export interface NativeEncodeOptions {
  /** Mel bands of the window (the model's `nMels`). */
  readonly nMels: number;
  /** Frames of the window (`2 * nAudioCtx`, 3000). */
  readonly nFrames: number;
  /** Threads of the model's pool to use. */
  readonly threads: number;
  /** Report per-stage times (the XDNA2 encoder always does). Default false. */
  readonly profile?: boolean;
  /** Return the residual stream after each block. Default false. */
  readonly layers?: boolean;
  /** Receives the audio features `[nAudioCtx, nAudioState]` when given (checked again when the call completes). */
  readonly out?: Float32Array;
  /** Raised (`abort()`), the encode stops at its next block and rejects with `ERR_ABORTED` (CPU encoder). */
  readonly abort?: NativeAbortFlag;
}

/** A flag JS raises and native work polls between stages ({@link NativeModelHandle.createAbortFlag}). */
export interface NativeAbortFlag {
  /** Raises the flag; it stays raised. */
  abort(): void;
}

/** A loaded model in native memory. */
export interface NativeModelHandle {
  /**
   * mel `[nMels, nFrames]` row-major → audio features `[nAudioCtx, nAudioState]`, written into `options.out` when given.
   * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` (synchronously) for a bad argument
   */
  encode(mel: Float32Array, options: NativeEncodeOptions):
    Promise<{
      /** Audio features `[nAudioCtx, nAudioState]`. */
      features: Float32Array;
      /** Stage times, when `profile` is true. */
      timings?: NativeEncoderTimings;
      /** The residual stream `[nAudioCtx, nAudioState]` after each block, when `layers` is true. */
      layers?: Float32Array[];
    }>;
  /**
   * Self-attention caches for `nSeq` (1 to 64) sequences that advance together.
   * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT`, `ERR_OUT_OF_MEMORY`
   */
  createDecoder(options: { readonly nSeq: number }): NativeDecoderHandle;
  /** A new, lowered abort flag for {@link NativeEncodeOptions.abort}. */
  createAbortFlag(): NativeAbortFlag;
  /**
   * Drops this handle's hold on the weights: they are freed as soon as no running call (an
   * encode, a log-mel, a decoder of this model) uses them. Later calls throw `ERR_CLOSED`.
   */
  release(): void;
  /** What the model runs with. */
  info(): {
    /** Kernel path chosen at load. */
    kernels: 'avx512-vnni-avx2-fma-f16c' | 'avx512-avx2-fma-f16c' | 'avx2-fma-f16c' | 'portable';
    /** Threads of its pool. */
    threads: number;
    /** Bytes of native weight memory. */
    weightBytes: number;
  };
}

/** Native decoder state: KV caches plus one window's cross-attention keys and values. */
export interface NativeDecoderHandle {
  /**
   * Computes cross-attention K/V from audio features `[nAudioCtx, nAudioState]` and empties the
   * caches; the keys of the `(layer, head)` pairs `keepF32Heads` (`[n, 2]` flattened) are also
   * kept in f32, for {@link NativeDecoderHandle.align} over those heads without features.
   * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` (synchronously: an odd `keepF32Heads`);
   * rejects with `ERR_INVALID_ARGUMENT` (a head outside the model)
   */
  setFeatures(features: Float32Array, options: { readonly threads: number; readonly keepF32Heads?: Int32Array }): Promise<void>;
  /**
   * Takes `source`'s window (its cross-attention K/V, shared rather than copied or recomputed)
   * and empties the caches. Synchronous; `source` may be running an operation.
   * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` (not a decoder, another model, no features), `ERR_DECODER_BUSY`, `ERR_CLOSED`
   */
  shareFeatures(source: NativeDecoderHandle): void;
  /**
   * Appends `options.nNew` tokens to each sequence (`tokens` is `[nSeq, nNew]`) and returns the
   * logits at the given step positions: `[nSeq, positions.length, nVocab]`, written into `out` when given.
   * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT`, `ERR_DECODER_BUSY`, `ERR_CLOSED` (synchronously);
   * rejects with `ERR_CONTEXT_OVERFLOW`, `ERR_INVALID_ARGUMENT` (tokens outside the vocabulary, or an
   * `out` array detached or shrunk while the step ran: the step has then still advanced the caches)
   * or `ERR_NUMERIC` (non-finite logits)
   */
  step(tokens: Int32Array, options: NativeStepOptions): Promise<Float32Array>;
  /** Sequence i takes the cache of sequence `source[i]` (beam search); `source` is `[nSeq]`. */
  reorder(source: Int32Array): void;
  /**
   * Word alignment's teacher-forced pass (one-sequence decoders): sets `features`
   * (`[nAudioCtx, nAudioState]`) with the heads' keys kept in f32 (or, without `features`, uses
   * the window set keeping them, via `keepF32Heads`, or shared from such a decoder), runs the whole
   * `tokens` block from position 0 (the caches emptied first), and returns for each `(layer, head)` of
   * `heads` (`[n, 2]` flattened) the softmax over the first `nPositions` audio positions of
   * every row's scaled cross-attention scores, and each row's softmax over ids below
   * `textVocabEnd` at the next token.
   * With `matrixRows` `[first, last)`, the DTW's matrix of those token rows instead of the weights,
   * computed as `alignmentMatrix` computes it (the weights are returned instead where a value is
   * not finite: the caller computes it then).
   * @returns `weights` `[nHeads, tokens.length, nPositions]` (unless `matrix` is returned), `probabilities` `[tokens.length − 1]` (0 where the next token is not below `textVocabEnd`),
   *   `matrix` `[last − first, nPositions]`
   * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT`, `ERR_DECODER_BUSY`, `ERR_CLOSED` (synchronously);
   * rejects with `ERR_INVALID_ARGUMENT` (heads outside the model, tokens outside the vocabulary), `ERR_CONTEXT_OVERFLOW`, `ERR_NUMERIC`
   */
  align(tokens: Int32Array, options: { readonly features?: Float32Array; readonly heads: Int32Array; readonly nPositions: number; readonly textVocabEnd: number;
    readonly matrixRows?: Int32Array; readonly threads: number }):
    Promise<{ weights?: Float32Array; probabilities: Float32Array; matrix?: Float64Array }>;
  /**
   * Runs a window's whole token loop natively on the process's decode scheduler, batched with
   * the loops of the model's other windows; the features must have been set. The decoder is busy
   * until the promise settles.
   * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT`, `ERR_DECODER_BUSY`, `ERR_CLOSED` (synchronously);
   * rejects with `ERR_ABORTED` (the abort flag), `ERR_CONTEXT_OVERFLOW`, `ERR_NUMERIC`
   */
  runLoop(options: NativeLoopOptions): Promise<NativeLoopResult>;
  /** Frees the caches now (rather than when garbage-collected); later calls throw `ERR_CLOSED`. */
  release(): void;
  /** Tokens already in the caches. */
  readonly nPast: number;
}

/** Options of {@link NativeDecoderHandle.runLoop}: a resolved token loop (see `TokenLoopRequest`). */
export interface NativeLoopOptions {
  readonly initial: Int32Array;
  readonly sotIndex: number;
  readonly temperature: number;
  /** Beam width, or 0 for greedy decoding and sampling. */
  readonly beamSize: number;
  readonly patience: number;
  readonly sampleLen: number;
  readonly eot: number;
  readonly noSpeech: number;
  readonly noTimestamps: number;
  readonly timestampBegin: number;
  readonly suppressBlank: boolean;
  readonly blankTokens: Int32Array;
  readonly suppressTokens: Int32Array;
  readonly timestamps: boolean;
  /** In timestamp steps (0.02 s), or -1 for no limit. */
  readonly maxInitialTimestampIndex: number;
  readonly requireInitialTimestamp: boolean;
  /** The Mulberry32 state to sample from (an unsigned 32-bit integer). */
  readonly randomState: number;
  readonly threads: number;
  /** Most sequences in the batches this loop takes part in. */
  readonly maxBatchSequences: number;
  readonly abort?: NativeAbortFlag;
  /** After steps: tokens sampled so far, the latest timestamp (in steps). Coalesced: not every step is reported. */
  readonly onStep?: (tokens: number, latestTimestamp: number) => void;
}

/** What {@link NativeDecoderHandle.runLoop} resolves to. */
export interface NativeLoopResult {
  /** Each candidate's sampled tokens up to EOT. */
  readonly candidates: Int32Array[];
  readonly sumLogprobs: Float64Array;
  readonly noSpeechProb: number;
  /** The sampler's state after the loop. */
  readonly randomState: number;
  /** Steps run. */
  readonly steps: number;
}

/** Options of {@link NativeDecoderHandle.step}. */
export interface NativeStepOptions {
  /** Tokens appended to each sequence. */
  readonly nNew: number;
  /** Positions in the appended block whose logits are returned. */
  readonly positions: Int32Array;
  /** Threads of the model's pool to use. */
  readonly threads: number;
  /** Receives the logits `[nSeq, positions.length, nVocab]` when given. */
  readonly out?: Float32Array;
}

/** One decoder's part of a batched step ({@link NativeAddon.stepDecoders}). */
export interface NativeStepEntry {
  /** The decoder to step. */
  readonly decoder: NativeDecoderHandle;
  /** `[nSeq, nNew]` row-major. */
  readonly tokens: Int32Array;
  /** Tokens appended to each sequence. */
  readonly nNew: number;
  /** Positions in the appended block whose logits are returned. */
  readonly positions: Int32Array;
  /** Receives the logits `[nSeq, positions.length, nVocab]` when given. */
  readonly out?: Float32Array;
}

/** What one XDNA2 encode reports. */
export interface NativeXdna2EncodeResult {
  /** Audio features `[nAudioCtx, nAudioState]`. */
  features: Float32Array;
  /** `'xrt'` or `'software'`. */
  device: string;
  /** GEMM tiles the device ran. */
  tiles: number;
  /** Fraction of the device's multiply-adds spent on zero padding. */
  padding: number;
  /** Milliseconds in the offloaded projections (host tiling included). */
  projectionMs: number;
  /** Stage times. */
  timings: NativeEncoderTimings;
  /** The residual stream after each block, when asked for. */
  layers?: Float32Array[];
}

/** An encoder whose block projections run as bf16 GEMM tiles on an XDNA2 device. */
export interface NativeXdna2EncoderHandle {
  /** mel `[nMels, nFrames]` row-major → audio features, written into `options.out` when given. */
  encode(mel: Float32Array, options: NativeEncodeOptions): Promise<NativeXdna2EncodeResult>;
  /** Drops the handle's hold on the device (it closes when no encode is running). */
  release(): void;
}

/** Options of {@link NativeAddon.loadModel}. */
export interface NativeLoadOptions {
  /** The 11 header values in file order ({@link hparamsInFileOrder}). */
  readonly hparams: Int32Array;
  /** Where each tensor lies in the file. */
  readonly tensors: readonly TensorRecord[];
  /** Threads this model's calls may use at most (1 to 256); the process shares one pool, and a model asking for more threads than it has starts a larger one. */
  readonly threads: number;
  /** Use the AVX2/FMA/F16C kernels where the CPU has them. Default true. */
  readonly simd?: boolean;
  /** With `simd`, use the AVX-512 GEMM micro-kernel where the CPU has AVX-512F. Default true. */
  readonly avx512?: boolean;
  /**
   * With `avx512`, quantize the activations of the decoder's products over quantized weights to 8
   * bits and use AVX-512 VNNI integer dot products where the CPU has them. Default true.
   */
  readonly int8Activations?: boolean;
}

/** A loaded Silero VAD model in native memory ({@link NativeAddon.loadVad}). */
export interface NativeVadHandle {
  /**
   * One speech probability per 512 samples of `samples` (16 kHz; the last partial frame
   * zero-padded), from `state` (a new stream when omitted), and the state after the last frame.
   * `framing` `'whisper.cpp'` drops the 64-sample context and reflect-pads each frame on both sides
   * as whisper.cpp does (comparisons only).
   * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT`, `ERR_CLOSED` (synchronously); rejects
   *   with `ERR_INVALID_AUDIO` (a NaN or infinite sample), `ERR_ABORTED` (the abort flag) or `ERR_NUMERIC`
   */
  probabilities(samples: Float32Array, options: {
    readonly threads: number;
    /** h (128), c (128), then the 64 context samples. */
    readonly state?: Float32Array;
    readonly framing?: 'silero' | 'whisper.cpp';
    readonly abort?: NativeAbortFlag;
  }): Promise<{
    /** One per 512 samples. */
    probabilities: Float32Array;
    /** The state after the last frame (320 values), for the next call of the stream. */
    state: Float32Array;
  }>;
  /** The file's version and layout, and what the model runs with. */
  info(): {
    /** Major, minor, patch of the Silero VAD release. */
    version: [number, number, number];
    /** The STFT basis was stored with unreversed extents (whisper.cpp's first v5.1.2 files). */
    legacyStftShape: boolean;
    /** Threads of the pool the model holds. */
    threads: number;
    /** Kernel path chosen at load. */
    kernels: 'avx512-avx2-fma-f16c' | 'avx2-fma-f16c' | 'portable';
  };
  /** A new, lowered abort flag for `probabilities`. */
  createAbortFlag(): NativeAbortFlag;
  /** Drops this handle's hold on the weights; later calls throw `ERR_CLOSED`. */
  release(): void;
}

/** Options of {@link NativeAddon.logMel}. */
export interface NativeLogMelOptions {
  /** Zero samples appended before the STFT. */
  readonly padding: number;
  /** Mel filterbank `[nMels, 201]` row-major. */
  readonly filters: Float32Array;
  /** Mel bands. */
  readonly nMels: number;
  /** Threads of the model's pool to use. */
  readonly threads: number;
}

/** What the addon exports. */
export interface NativeAddon {
  /** Hands the addon the error class every native failure is made of (done once by {@link loadNativeAddon}). */
  initialize(options: { readonly errorClass: typeof AmanuensisError }): void;
  /**
   * Validates the tensor table against the file and the hparams and reads the weights into native memory.
   * `file`: the whole model file in memory (copied first), or its path (each tensor is then read
   * straight into native memory). The native loader checks each tensor's element count and byte
   * range; the shapes in ggml's terms are checked by the reader (`parseGgmlModel`, `indexModelFile`).
   * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT`; rejects with `ERR_MODEL_*`, `ERR_OUT_OF_MEMORY`
   */
  loadModel(file: Uint8Array | string, options: NativeLoadOptions): Promise<NativeModelHandle>;
  /**
   * Reads and validates a whisper.cpp GGML Silero VAD file (its bytes, copied first, or its path) and
   * widens its weights to f32.
   * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT`; rejects with `ERR_MODEL_*` or `ERR_NUMERIC` (a non-finite weight)
   */
  loadVad(file: Uint8Array | string, options: { readonly threads: number; readonly simd?: boolean; readonly avx512?: boolean }): Promise<NativeVadHandle>;
  /**
   * One step of several decoders of one model as a single batch: their rows share every
   * weight product. Resolves to one result per entry, in order: its logits
   * `[nSeq, positions.length, nVocab]` (`out` when given), or the Error (with `code`) that refused it.
   */
  stepDecoders(entries: readonly NativeStepEntry[], options: { readonly threads: number }): Promise<(Float32Array | AmanuensisError)[]>;
  /**
   * What the process's decode scheduler (the native token loops) has done so far: batched steps
   * run, loop steps served, and the most loops one batched step served.
   */
  decodeSchedulerStats(): { readonly batches: number; readonly steps: number; readonly largestBatch: number };
  /** CPU features detected at run time. */
  cpuInfo(): {
    /** AVX2 instructions. */
    avx2: boolean;
    /** Fused multiply-add. */
    fma: boolean;
    /** Half-precision conversion. */
    f16c: boolean;
    /** AVX-512 Foundation, with the OS saving its registers. */
    avx512f: boolean;
    /** AVX-512 VNNI with BW and VL (8-bit integer dot products). */
    avx512vnni: boolean;
    /** All three: the SIMD kernels can run. */
    simdKernels: boolean;
    /** The SIMD kernels and AVX-512F: the AVX-512 GEMM micro-kernel can run too. */
    avx512Kernels: boolean;
    /** The AVX-512 kernels and AVX-512 VNNI/BW/VL: quantized weights can meet 8-bit activations. */
    int8Kernels: boolean;
  };
  /**
   * Log-mel spectrogram `[nMels, (samples + padding) / 160]` row-major on a model's threads and kernels.
   * The samples are not checked for NaN or Infinity here (the public front ends check them).
   */
  logMel(model: NativeModelHandle, samples: Float32Array, options: NativeLogMelOptions): Promise<Float32Array>;
  /**
   * Frames `[firstFrame, firstFrame + frames)` of the log-mel spectrogram of `totalSamples` samples
   * and `padding` zeros, from `slice`, which holds samples `[offset, offset + slice.length)` (every
   * sample those frames read; `ERR_INVALID_ARGUMENT` otherwise). Floored at `logMax - 8` when given,
   * else at the range's own maximum. Resolves to the range's maximum log10 value and, unless
   * `maxOnly`, the frames `[nMels, frames]` row-major.
   */
  logMelRange(model: NativeModelHandle, slice: Float32Array, options: {
    readonly offset: number; readonly totalSamples: number; readonly padding: number; readonly firstFrame: number;
    readonly frames: number; readonly filters: Float32Array; readonly nMels: number; readonly threads: number;
    readonly logMax?: number; readonly maxOnly?: boolean;
  }): Promise<{ logMax: number; data?: Float32Array }>;
  /**
   * Median milliseconds of `[m, k] x W^T` for a linear weight W `[n, k]` (benchmarks), with the
   * AVX-512 micro-kernel where the CPU has it unless `avx512` is false.
   */
  benchLinear(options: { m: number; n: number; k: number; f16: boolean; threads: number; runs: number; avx512?: boolean }): Promise<number>;
  /**
   * One linear layer through the encoder's parallel GEMM (tests): `[m, n]` = A `[m, k]` × W^T
   * (+ bias, exact GELU), W `[n, k]` as a Float32Array (`ggmlType` 0, F32, the default) or the
   * bytes of f16 values (1) or ggml blocks (2 q4_0, 3 q4_1, 6 q5_0, 7 q5_1, 8 q8_0); `c` given, the
   * product is added to it (the residual epilogue). `simd: false` forces the portable kernels,
   * `avx512: false` the AVX2 ones.
   */
  linearProduct(a: Float32Array, w: Float32Array | Uint8Array, options: {
    m: number; n: number; k: number; ggmlType?: number;
    bias?: Float32Array; gelu?: boolean; c?: Float32Array; threads?: number; simd?: boolean; avx512?: boolean;
  }): Promise<Float32Array>;
  /**
   * Mean milliseconds of one single-token step of a one-sequence decoder (features set), `steps`
   * of them run back to back in the native module (benchmarks: the cost of a step without JS).
   */
  benchDecoderSteps(options: { decoder: NativeDecoderHandle; steps: number; threads: number }): Promise<number>;
  /** Read bandwidth in GB/s over a buffer of `megabytes` (benchmarks). */
  benchReadBandwidth(options: { threads: number; megabytes: number }): Promise<number>;
  /**
   * FMA throughput of this machine on `threads` threads over about `seconds` (default 0.5), in GFLOP/s
   * (benchmarks): with 16-lane AVX-512 FMAs where the CPU has them unless `avx512` is false.
   */
  benchFmaPeak(options: { threads: number; seconds?: number; avx512?: boolean }): Promise<number>;
  /** Whether the XDNA2 backend can run: device, then XRT library, then kernel artifacts. */
  xdna2Probe(options?: Xdna2Options): {
    /** Device, library and artifacts are all there. */
    available: boolean;
    /** Why not (the first missing piece). */
    reason?: string;
    /** The loader's message, when the library failed to load. */
    detail?: string;
    /** The accel node found. */
    device?: string;
  };
  /** Opens the device (or the software device) and packs the model's encoder weights into bf16 tiles. */
  createXdna2Encoder(model: NativeModelHandle, options: Xdna2Options): Promise<NativeXdna2EncoderHandle>;
  /**
   * `C = A W^T` (+ bias, GELU, `C +=` when `c` is given) through the XDNA2 host tiling on the
   * software device: A `[m, k]`, W `[n, k]`, result `[m, n]` (tests and benchmarks).
   */
  tiledLinear(A: Float32Array, W: Float32Array,
    options: { m: number; n: number; k: number; tile?: { m: number; k: number; n: number }; slots?: number; bias?: Float32Array; gelu?: boolean; c?: Float32Array }):
    Promise<{
      /** The result `[M, N]`. */
      c: Float32Array;
      /** Kernel launches. */
      tiles: number;
      /** Multiply-adds the device performed, padding included. */
      paddedMacs: number;
    }>;
}

const loaded = new Map<string, NativeAddon>();

/**
 * The directory of the amanuensis package (its package.json), from the ESM or the CommonJS build,
 * or from the sources under a test runner.
 * @internal
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'amanuensis') return dir;
      } catch {
        // an unreadable manifest is not ours: keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the amanuensis package root');
    dir = parent;
  }
}

/**
 * Loads (once) and returns the native addon.
 * @param bindingPath - explicit path of an `amanuensis.node` file, bypassing the lookup
 *   (the escape hatch for bundlers and unusual layouts)
 * @throws {@link AmanuensisError} `ERR_NATIVE_LOAD` with instructions when it cannot be loaded
 */
export function loadNativeAddon(bindingPath?: string): NativeAddon {
  const key = bindingPath ?? '';
  const cached = loaded.get(key);
  if (cached !== undefined) return cached;
  const require = createRequire(import.meta.url);
  try {
    const addon = (bindingPath !== undefined
      ? require(bindingPath)
      : (require('node-gyp-build') as (root: string) => unknown)(packageRoot())) as NativeAddon;
    addon.initialize({ errorClass: AmanuensisError });
    assertCurrentAddon(addon);
    loaded.set(key, addon);
    return addon;
  } catch (err) {
    if (err instanceof AmanuensisError) throw err;
    throw new AmanuensisError('ERR_NATIVE_LOAD',
      'the amanuensis native module could not be loaded. No prebuild matches this platform ' +
      `(${process.platform}-${process.arch}, Node ${process.versions.node}) and no local build was found. ` +
      'Build it with `npm rebuild amanuensis` (needs python3, make and a C++17 compiler), ' +
      `or pass nativeBinding with the path of a built amanuensis.node. Cause: ${(err as Error).message}`,
      { cause: err });
  }
}

/**
 * An addon built from older sources than this JavaScript (a stale prebuild or build left in a
 * working tree) lacks functions the JavaScript calls: refused at load with the fix, rather than
 * a TypeError at the first call that needs one of them.
 */
function assertCurrentAddon(addon: NativeAddon): void {
  const required = ['loadModel', 'loadVad', 'cpuInfo', 'decodeSchedulerStats'] as const;
  const missing = required.filter((name) => typeof (addon as unknown as Record<string, unknown>)[name] !== 'function');
  if (missing.length > 0) {
    throw new AmanuensisError('ERR_NATIVE_LOAD',
      `the amanuensis native module is older than its JavaScript (it lacks ${missing.join(', ')}): ` +
      'rebuild it (`npm rebuild amanuensis`, or `npm run build:native` / `npm run prebuild` in a clone)');
  }
}

/** The 11 hyperparameters as the addon takes them: an Int32Array in file order ({@link HPARAM_FIELDS}). */
export function hparamsInFileOrder(dims: ModelDimensions): Int32Array {
  return Int32Array.from(HPARAM_FIELDS, (field) => dims[field]);
}
