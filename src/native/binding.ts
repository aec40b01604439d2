/**
 * The only place that loads the native addon (through node-gyp-build, which prefers a
 * prebuild in `prebuilds/` and falls back to `build/Release`), and the typed interface of
 * what it exports.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { AmanuensisError } from '../errors.js';
import type { ModelDimensions } from '../model/hparams.js';
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

/** A loaded model in native memory. */
export interface NativeModelHandle {
  /** mel `[nMels, nFrames]` → audio features `[nAudioCtx, nAudioState]`, written into `out` when given. */
  encode(mel: Float32Array, nMels: number, nFrames: number, threads: number, profile: boolean, out?: Float32Array, layers?: boolean):
    Promise<{
      /** Audio features `[nAudioCtx, nAudioState]`. */
      features: Float32Array;
      /** Stage times, when `profile` is true. */
      timings?: NativeEncoderTimings;
      /** The residual stream `[nAudioCtx, nAudioState]` after each block, when `layers` is true. */
      layers?: Float32Array[];
    }>;
  /** Self-attention caches for `nSeq` sequences that advance together. */
  createDecoder(nSeq: number): NativeDecoderHandle;
  /** What the model runs with. */
  info(): {
    /** Kernel path chosen at load. */
    kernels: 'avx512-avx2-fma-f16c' | 'avx2-fma-f16c' | 'portable';
    /** Threads of its pool. */
    threads: number;
    /** Bytes of native weight memory. */
    weightBytes: number;
  };
}

/** Native decoder state: KV caches plus one window's cross-attention keys and values. */
export interface NativeDecoderHandle {
  /** Computes cross-attention K/V from audio features `[nAudioCtx, nAudioState]` and empties the caches. */
  setFeatures(features: Float32Array, threads: number): Promise<void>;
  /**
   * Appends `nNew` tokens to each sequence (`tokens` is `[nSeq, nNew]`) and returns the
   * logits at the given step positions: `[nSeq, positions.length, nVocab]`, written into `out` when given.
   */
  step(tokens: Int32Array, nNew: number, positions: Int32Array, threads: number, out?: Float32Array): Promise<Float32Array>;
  /** Sequence i takes the cache of sequence `source[i]`. */
  reorder(source: Int32Array): void;
  /** Empties the self-attention caches, keeping the audio features. */
  rewind(): void;
  /** Frees the caches now (rather than when garbage-collected); later calls throw `ERR_CLOSED`. */
  release(): void;
  /** Tokens already in the caches. */
  readonly nPast: number;
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
  /** mel `[nMels, nFrames]` → audio features, written into `out` when given. */
  encode(mel: Float32Array, nMels: number, nFrames: number, threads: number, layers: boolean, out?: Float32Array):
    Promise<NativeXdna2EncodeResult>;
  /** Drops the handle's hold on the device (it closes when no encode is running). */
  release(): void;
}

/** What the addon exports. */
export interface NativeAddon {
  /** `file`: the whole model file in memory, or its path (each tensor is then read straight into native memory). */
  loadModel(file: Uint8Array | string, hparams: ModelDimensions, tensors: readonly TensorRecord[],
    options: { threads: number; simd: boolean; avx512?: boolean }): Promise<NativeModelHandle>;
  /**
   * One step of several decoders of one model as a single batch: their rows share every
   * weight product. Resolves to one result per entry, in order: its logits
   * `[nSeq, positions.length, nVocab]` (`out` when given), or the Error (with `code`) that refused it.
   */
  stepDecoders(entries: readonly NativeStepEntry[], threads: number): Promise<(Float32Array | Error)[]>;
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
    /** All three: the SIMD kernels can run. */
    simdKernels: boolean;
    /** The SIMD kernels and AVX-512F: the AVX-512 GEMM micro-kernel can run too. */
    avx512Kernels: boolean;
  };
  /** Log-mel spectrogram `[nMels, (samples + padding) / 160]` on a model's threads and kernels. */
  logMel(model: NativeModelHandle, samples: Float32Array, padding: number, filters: Float32Array, nMels: number, threads: number): Promise<Float32Array>;
  /**
   * Median milliseconds of `[M, K] x W^T` for a linear weight W `[N, K]` (benchmarks), with the
   * AVX-512 micro-kernel where the CPU has it unless `avx512` is false.
   */
  benchLinear(M: number, N: number, K: number, f16: boolean, threads: number, runs: number, avx512?: boolean): Promise<number>;
  /** Read bandwidth in GB/s over a buffer of `megabytes` (benchmarks). */
  benchReadBandwidth(threads: number, megabytes: number): Promise<number>;
  /**
   * FMA throughput of this machine on `threads` threads over about `seconds`, in GFLOP/s
   * (benchmarks): with 16-lane AVX-512 FMAs where the CPU has them unless `avx512` is false.
   */
  benchFmaPeak(threads: number, seconds: number, avx512?: boolean): Promise<number>;
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
   * software device: A `[M, K]`, W `[N, K]`, result `[M, N]` (tests and benchmarks).
   */
  tiledLinear(A: Float32Array, M: number, W: Float32Array, N: number, K: number,
    options?: { tile?: { m: number; k: number; n: number }; slots?: number; bias?: Float32Array; gelu?: boolean; c?: Float32Array }):
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

function packageRoot(): string {
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
    loaded.set(key, addon);
    return addon;
  } catch (err) {
    throw new AmanuensisError('ERR_NATIVE_LOAD',
      'the amanuensis native module could not be loaded. No prebuild matches this platform ' +
      `(${process.platform}-${process.arch}, Node ${process.versions.node}) and no local build was found. ` +
      'Build it with `npm rebuild amanuensis` (needs python3, make and a C++17 compiler), ' +
      `or pass nativeBinding with the path of a built amanuensis.node. Cause: ${(err as Error).message}`,
      { cause: err });
  }
}
