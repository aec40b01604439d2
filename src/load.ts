/**
 * Loading a whisper.cpp model file into the parts of a Transcriber (what `Transcriber.load`
 * does): options checked, the model file indexed, the native addon and the weights loaded,
 * then the tokenizer, the three stages (log-mel front end, encoder by backend choice, decoder
 * with its step batcher) and the buffer pool made for the model.
 * @module
 */
import { readFile } from 'node:fs/promises';

import type { MelFrontend, WhisperMelFrontend } from './audio/mel-frontend.js';
import { NativeMelFrontend } from './audio/native-mel-frontend.js';
import { CpuDecoder } from './decoder/cpu-decoder.js';
import type { Decoder } from './decoder/decoder.js';
import { type DecoderBatchingOptions, DecoderStepBatcher } from './decoder/step-batcher.js';
import type { Encoder } from './encoder/encoder.js';
import { type EncoderChoice, type EncoderFallbackWarning, selectEncoder } from './encoder/select-encoder.js';
import type { Xdna2Options } from './encoder/xdna2-options.js';
import { AmanuensisError, throwIfAborted } from './errors.js';
import { assertSupportedTypes, indexModelFile } from './model/ggml-loader.js';
import type { ModelDownloadOptions } from './models/options.js';
import { resolveModelFile } from './models/resolve-model.js';
import { hparamsInFileOrder, loadNativeAddon } from './native/binding.js';
import { Tokenizer } from './tokenizer/tokenizer.js';
import type { Transcriber, TranscriberParts } from './transcriber.js';
import { type BufferPoolSettings, type TranscriberBufferKind, createTranscriberPool } from './transcribe/buffers.js';
import type { AdmissionQueueOptions } from './utils/admission-queue.js';
import { BufferPool } from './utils/buffer-pool.js';
import type { EncoderCache } from './utils/encoder-cache.js';
import { defaultThreadCount } from './utils/thread-count.js';

/**
 * Options of {@link Transcriber.load}. With a model name, the model cache's options apply too
 * (see {@link ModelDownloadOptions}): `download` (default true; false never touches the network),
 * `modelsDir` (where cached models are kept), `modelsBaseUrl` (a mirror of the model files),
 * `customModels` (names of your own), `onDownloadProgress` (bytes as they arrive),
 * `onWaitingForDownload` (another loader is already fetching the same file), and `signal` also
 * cancels the download. Quantized models (`-q5_0`, `-q5_1`, `-q8_0`, and q4_0/q4_1 files) load like
 * f16 ones; a name that says another quantization is refused with `ERR_MODEL_UNSUPPORTED_TENSOR_TYPE`
 * before any download.
 */
export interface TranscriberLoadOptions extends ModelDownloadOptions {
  /**
   * Threads for the encoder and decoder (1 to 256). Default: the smallest of the CPUs the process may
   * run on (`os.availableParallelism()`), the physical cores and the container's CPU quota. Every
   * Transcriber of the process shares one native thread pool, sized by the largest `threads` asked for.
   */
  readonly threads?: number;
  /** Use the AVX2/FMA/F16C kernels when the CPU has them (checked at run time). Default true; false forces the portable kernels. */
  readonly simd?: boolean;
  /**
   * With the SIMD kernels, also use the AVX-512 GEMM micro-kernel when the CPU has AVX-512F
   * (checked at run time; 1.35–1.45× the AVX2 kernel's throughput on the encoder's shapes).
   * Default true; false keeps the GEMM on AVX2.
   */
  readonly avx512?: boolean;
  /**
   * For quantized model files (q4_0, q4_1, q5_0, q5_1, q8_0): with the AVX-512 kernels on a CPU with
   * AVX-512 VNNI, the decoder's products quantize their activations to 8 bits per 32-element block
   * and use integer dot products, as whisper.cpp does (a decoder step 1.1–1.5× faster on tiny.en).
   * Its numbers are those of 8-bit activations: logits within 0.4 of the float64 reference on the
   * synthetic model instead of 2e-2. Default true; false keeps float32 activations, which compute
   * exactly the dequantized model. f16/f32 files are unaffected.
   */
  readonly int8Activations?: boolean;
  /**
   * Encoder backend or your own {@link Encoder}. Default `'auto'`: the XDNA2 NPU when it can run
   * (see {@link listBackends}), otherwise the CPU: silently when there is no NPU at all, with one
   * {@link EncoderFallbackWarning} when an NPU is there but cannot run (no XRT, no kernel artifacts).
   * `'xdna2'` rejects with `ERR_BACKEND_UNAVAILABLE` and the reason when the NPU cannot run.
   */
  readonly encoder?: EncoderChoice;
  /** Where the XDNA2 backend finds XRT, the device and the compiled kernel. */
  readonly xdna2?: Xdna2Options;
  /** Receives the warning of an `'auto'` fallback to the CPU from an NPU that is present. Default: `process.emitWarning`. */
  readonly onWarning?: (warning: EncoderFallbackWarning) => void;
  /** Your own log-mel front end. Default: {@link NativeMelFrontend} with the model's filterbank ({@link WhisperMelFrontend} is the TypeScript one). */
  readonly frontend?: MelFrontend;
  /** Your own decoder. Default: the native CPU decoder. */
  readonly decoder?: Decoder;
  /**
   * openai/whisper's lossless token rank file (`gpt2.tiktoken` for `.en` models, `multilingual.tiktoken`
   * otherwise). Optional: without it, the ~350 partial-UTF-8 tokens that whisper.cpp files store as
   * U+FFFD decode as U+FFFD, exactly as whisper.cpp prints them.
   */
  readonly tiktokenFile?: string;
  /** Path of a built `amanuensis.node`, bypassing the prebuild lookup (for bundlers). */
  readonly nativeBinding?: string;
  /** Cancels loading (and the download of a model asked for by name). */
  readonly signal?: AbortSignal;
  /** Audio features cache consulted before encoding each window; `false` disables it. Default: a new {@link EncoderCache} (32 entries, 256 MiB). */
  readonly cache?: EncoderCache | false;
  /** The pool of mel window and audio feature buffers (or its sizing). Default: maxSize 8 per kind. */
  readonly bufferPool?: BufferPool<TranscriberBufferKind> | BufferPoolSettings;
  /** Record the native encoder's per-layer times in the profiler (`total.encode.conv`, `…layer0`, …). Default false. */
  readonly profile?: boolean;
  /** Admission control of concurrent calls (running slots, queue bound, overflow policy). */
  readonly queue?: AdmissionQueueOptions;
  /**
   * Batching of the native decoder's steps across concurrent calls and sessions: steps that
   * are ready together run as one native step, reading each weight once for all of them
   * (see `bench/concurrency.ts`). `false` steps every decoder alone. Default: `{ maxSequences: 64 }`.
   */
  readonly decoderBatching?: DecoderBatchingOptions | false;
  /**
   * Where the default decoder runs each window's token loop (logit filters, sampling, beam search):
   * `'native'` (default) in the native module, with the logits never crossing into JavaScript and the
   * loops of concurrent windows batched step by step; `'typescript'` steps the decoder from
   * JavaScript (the reference implementation; each step then crosses to the main thread).
   */
  readonly tokenLoop?: 'native' | 'typescript';
}

/**
 * The parts of a {@link Transcriber} for a whisper.cpp GGML model file: {@link Transcriber.load}
 * is `new Transcriber(await loadTranscriberParts(model, options))`.
 * @param model - path of the `.bin` file, or a model name (fetched into the cache if missing)
 * @throws {@link AmanuensisError} `ERR_MODEL_*` for a missing or malformed file (and
 *   `ERR_MODEL_UNSUPPORTED_TENSOR_TYPE` for a tensor type or a name's quantization it cannot compute with), `ERR_MODEL_DOWNLOAD`
 *   when a named model cannot be fetched, `ERR_NATIVE_LOAD` when
 *   the native module is unavailable, `ERR_BACKEND_UNAVAILABLE` for `encoder: 'xdna2'` when the NPU
 *   cannot run, `ERR_INVALID_ARGUMENT`, `ERR_ABORTED`
 * @internal
 */
export async function loadTranscriberParts(model: string, options: TranscriberLoadOptions = {}): Promise<TranscriberParts> {
  const threads = options.threads ?? defaultThreadCount();
  if (!Number.isInteger(threads) || threads < 1 || threads > 256) {
    throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'threads must be an integer from 1 to 256');
  }
  if (options.tokenLoop !== undefined && options.tokenLoop !== 'native' && options.tokenLoop !== 'typescript') {
    throw new AmanuensisError('ERR_INVALID_ARGUMENT', `tokenLoop must be 'native' or 'typescript'; got ${String(options.tokenLoop)}`);
  }
  throwIfAborted(options.signal);
  const modelPath = await resolveModelFile(model, options);
  // the weights are read once, by the native loader, straight into its arena
  const file = await indexModelFile(modelPath);
  assertSupportedTypes(file);
  const addon = loadNativeAddon(options.nativeBinding);
  // built before the weights load so that bad options fail fast
  const batcher = options.decoderBatching === false ? undefined : new DecoderStepBatcher(addon, threads, options.decoderBatching);
  const native = await addon.loadModel(file.path, {
    hparams: hparamsInFileOrder(file.dims), tensors: file.tensors, threads, simd: options.simd ?? true, avx512: options.avx512 ?? true,
    int8Activations: options.int8Activations ?? true,
  });
  // the weights are native memory: freed at once if the rest of loading fails
  try {
    throwIfAborted(options.signal);
    const tokenizer = options.tiktokenFile === undefined
      ? Tokenizer.fromVocab(file.vocab, file.dims.nVocab)
      : Tokenizer.fromTiktoken(await readFile(options.tiktokenFile, 'utf8'), file.dims.nVocab);
    const pool = options.bufferPool instanceof BufferPool ? options.bufferPool : createTranscriberPool(file.dims, options.bufferPool);
    const { encoder, fallbackReason } = await selectEncoder(options.encoder ?? 'auto', {
      addon, model: native, dims: file.dims, threads, profile: options.profile ?? false,
      ...(options.xdna2 !== undefined && { xdna2: options.xdna2 }),
      ...(options.onWarning !== undefined && { onWarning: options.onWarning }),
    });
    return {
      dims: file.dims,
      tokenizer,
      frontend: options.frontend ?? new NativeMelFrontend(addon, native, file.melFilters, threads),
      encoder,
      ...(fallbackReason !== undefined && { encoderFallbackReason: fallbackReason }),
      decoder: options.decoder ?? new CpuDecoder(native, file.dims, threads, batcher, options.tokenLoop === 'typescript' ? false : {
        maxBatchSequences: options.decoderBatching === false ? 1 : (options.decoderBatching?.maxSequences ?? 64),
      }),
      modelId: file.identity,
      vadLoadOptions: {
        threads, simd: options.simd ?? true, avx512: options.avx512 ?? true,
        ...(options.nativeBinding !== undefined && { nativeBinding: options.nativeBinding }),
      },
      ...(options.cache !== undefined && { cache: options.cache }),
      ...(options.queue !== undefined && { queue: options.queue }),
      pool,
      release: () => {
        // the encoder chosen here (an XDNA2 device) is ours to close; a user's own is not
        if (typeof options.encoder !== 'object') (encoder as { close?: () => void }).close?.();
        native.release();
      },
    };
  } catch (err) {
    native.release();
    throw err;
  }
}
