/**
 * The Transcriber: log-mel front end → encoder → decoder over 30 s windows, with the seek
 * loop and prompt conditioning of openai/whisper `transcribe.py`. Loading is in `load.ts`,
 * the temperature fallback in `transcribe/fallback.ts`, language detection in
 * `decoder/language-detection.ts`.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { types } from 'node:util';

import { type MelFrontend, type MelSpectrogram, checkedMelOptions, melWindow } from './audio/mel-frontend.js';
import { rms } from './audio/rms.js';
import { assertAudio } from './audio/validate-audio.js';
import { CHUNK_LENGTH, FRAMES_PER_SECOND, HOP_LENGTH, N_FRAMES, N_SAMPLES, SAMPLE_RATE } from './constants.js';
import type { Decoder } from './decoder/decoder.js';
import type { DecodeStepProgress } from './decoder/decoder.js';
import { type LanguageDetection, detectLanguageFromFeatures } from './decoder/language-detection.js';
import type { Encoder } from './encoder/encoder.js';
import { AmanuensisError, throwIfAborted } from './errors.js';
import { type TranscriberLoadOptions, loadTranscriberParts } from './load.js';
import type { ModelDimensions } from './model/hparams.js';
import type { downloadModel, listModels } from './models/model-cache.js';
import { type ResolvedDecodingOptions, type ResolvedTranscribeOptions, type TranscribeOptions, decodingOptionsOf, resolveTranscribeOptions } from './options.js';
import { type SessionOptions, TranscriptionSession } from './streaming/session.js';
import type { Tokenizer } from './tokenizer/tokenizer.js';
import { type TranscriberBufferKind, createTranscriberPool } from './transcribe/buffers.js';
import { decodeWithFallback, isNoSpeech } from './transcribe/fallback.js';
import { Placement, type SpeechWindow, fixedWindows, gatherSpeechWindows } from './transcribe/speech-windows.js';
import { type PendingSegment, splitSegments } from './transcribe/segments.js';
import type { AlignOptions, AlignSegment, AlignmentResult } from './alignment/align-options.js';
import { type ResolvedAlignmentHeads, resolveAlignmentHeads } from './alignment/alignment-heads.js';
import { findAlignment } from './alignment/find-alignment.js';
import { lastWordEnd, skipSilenceBeforeHallucinations } from './alignment/hallucination-silence.js';
import { addWordTimestamps, DEFAULT_APPEND_PUNCTUATIONS, DEFAULT_PREPEND_PUNCTUATIONS, type SegmentWordTimes } from './alignment/word-timing.js';
import type { DecodingResult, Segment, TranscriptionResult, WindowTiming } from './types.js';
import { followAbort } from './utils/abort-followers.js';
import { AdmissionQueue, type AdmissionQueueOptions } from './utils/admission-queue.js';
import type { BufferPool } from './utils/buffer-pool.js';
import { EncoderCache, encoderCacheKey } from './utils/encoder-cache.js';
import { PerformanceProfiler } from './utils/performance-profiler.js';
import { SeededRandom } from './utils/random.js';
import { Vad, type VadLoadOptions } from './vad/vad.js';

/** The parts a {@link Transcriber} is made of. */
export interface TranscriberParts {
  /** Dimensions of the model the parts belong to. */
  readonly dims: ModelDimensions;
  /** The model's tokenizer. */
  readonly tokenizer: Tokenizer;
  /** Stage 1: samples to log-mel spectrogram. */
  readonly frontend: MelFrontend;
  /** Stage 2: log-mel window to audio features. */
  readonly encoder: Encoder;
  /** Why the encoder is not the one asked for (`'auto'` on the CPU: the NPU's reason); copied into every result's timings. */
  readonly encoderFallbackReason?: string;
  /** Stage 3: audio features and tokens to logits. */
  readonly decoder: Decoder;
  /** Identity of the model for cache keys. Default: a random id (nothing shared with other instances). */
  readonly modelId?: string;
  /** Default: a new {@link EncoderCache}; `false` disables caching. */
  readonly cache?: EncoderCache | false;
  /** Default: a pool sized for `dims` with maxSize 8. */
  readonly pool?: BufferPool<TranscriberBufferKind>;
  /** Default: `new AdmissionQueue()` (2 running, 64 queued, then wait). */
  readonly queue?: AdmissionQueue | AdmissionQueueOptions;
  /**
   * Called once by {@link Transcriber.close}: frees what the parts hold natively ({@link Transcriber.load}
   * passes the release of the model's weights, which are freed once no running native call uses them).
   */
  readonly release?: () => void;
  /**
   * How a Silero VAD is loaded when a call or session asks for one (`vad`): {@link Transcriber.load}
   * passes its `threads`, `simd`, `avx512` and `nativeBinding`. Default: {@link Vad.load}'s defaults.
   */
  readonly vadLoadOptions?: Omit<VadLoadOptions, 'signal'>;
}

/**
 * Where a call's log-mel windows come from: the whole spectrogram, or the audio and the whole
 * spectrogram's dynamic-range reference (windows computed one at a time).
 */
type MelSource = { readonly mel: MelSpectrogram } | { readonly audio: Float32Array; readonly logMax: number };

/** A window's audio features; `handle` is the pooled buffer to release after decoding (absent when cached). */
interface EncodedWindow {
  readonly features: Float32Array;
  readonly handle?: { release(): void };
  readonly cached: boolean;
}

/**
 * What the windows of a call share as they are transcribed one after another: the decoding
 * options, the language, the prompt, the results so far.
 */
interface CallContext {
  readonly o: ResolvedTranscribeOptions;
  readonly calls: PerformanceProfiler;
  readonly decoding: ResolvedDecodingOptions & { readonly random: SeededRandom; readonly signal: AbortSignal | undefined; readonly profiler: PerformanceProfiler };
  /** Given, detected on the first window decoded, or `'en'` for an English-only model. */
  language: string | undefined;
  /** The initial prompt's tokens, then every segment's, in order. */
  readonly allTokens: number[];
  /** How many of `allTokens` are the initial prompt's. */
  readonly promptTokens: number;
  /** The prompt of the next window is `allTokens` from here. */
  promptResetSince: number;
  /** Runs an encode when the windows of a batch take turns at the encoder (one at a time); undefined: at once. */
  encoderTurn?: <T>(encode: () => Promise<T>) => Promise<T>;
  /** Segments so far (ids set when the call's results are joined). */
  readonly segments: Segment[];
  readonly windows: WindowTiming[];
  /** The alignment heads, with word timestamps. */
  readonly heads: ResolvedAlignmentHeads | undefined;
}

/** Frames of audio (10 ms) in a call's spectrogram, its 30 s of padding excluded. */
function contentFramesOf(source: MelSource, audio: Float32Array): number {
  return ('mel' in source ? source.mel.nFrames : Math.floor((audio.length + N_SAMPLES) / HOP_LENGTH)) - N_FRAMES;
}

/** Python's `round()` of a number to an integer: exact halves to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Whisper's 30 s of padding, for samples the Transcriber has checked at its public entry. */
const PADDED_CHECKED = checkedMelOptions({ paddingSamples: N_SAMPLES });

/** Whisper speech-to-text on one loaded model. Safe to share between concurrent calls. */
export class Transcriber {
  /** Model dimensions. */
  readonly dims: ModelDimensions;
  /** Special tokens, SOT sequence, text encoding and decoding of the model's vocabulary. */
  readonly tokenizer: Tokenizer;
  /** Stage 1: samples → log-mel spectrogram. */
  readonly frontend: MelFrontend;
  /** Stage 2: log-mel window → audio features. */
  readonly encoder: Encoder;
  /** Stage 3: audio features + tokens → logits. */
  readonly decoder: Decoder;
  /** Content-derived identity of the model, part of every cache key. */
  readonly modelId: string;
  /** Audio features by window, or undefined when caching is off. */
  readonly cache: EncoderCache | undefined;
  /** Where mel windows and audio features are borrowed from. */
  readonly pool: BufferPool<TranscriberBufferKind>;
  /** Admission control of `transcribe()` calls (and session steps): see {@link AdmissionQueue}. */
  readonly queue: AdmissionQueue;
  /** Timings of every call so far, by path (`total`, `total.mel`, `total.encode`, `total.decode.step`, …). */
  readonly profiler = new PerformanceProfiler();
  private closed = false;
  /** Fires at close(): every queued or running call then settles with `ERR_CLOSED`. */
  private readonly closing = new AbortController();
  private readonly release: (() => void) | undefined;
  private readonly encoderFallbackReason: string | undefined;
  /** The Silero VADs of `vad: true` calls, by model path ('' for the bundled one), loaded at first use. */
  private readonly vads = new Map<string, Promise<Vad>>();
  private readonly vadLoadOptions: Omit<VadLoadOptions, 'signal'>;

  /** Assembles a Transcriber from parts; most users call {@link Transcriber.load}. */
  constructor(parts: TranscriberParts) {
    this.dims = parts.dims;
    this.tokenizer = parts.tokenizer;
    this.frontend = parts.frontend;
    this.encoder = parts.encoder;
    this.decoder = parts.decoder;
    this.modelId = parts.modelId ?? randomUUID();
    this.cache = parts.cache === false ? undefined : (parts.cache ?? new EncoderCache());
    this.pool = parts.pool ?? createTranscriberPool(parts.dims);
    this.queue = parts.queue instanceof AdmissionQueue ? parts.queue : new AdmissionQueue(parts.queue);
    this.release = parts.release;
    this.encoderFallbackReason = parts.encoderFallbackReason;
    this.vadLoadOptions = parts.vadLoadOptions ?? {};
  }

  /**
   * Loads a whisper.cpp GGML model file (`ggml-tiny.en.bin`, `ggml-base.bin`, … in f32 or f16):
   * the native module, the weights, the tokenizer, the three stages and the buffer pool.
   *
   * `model` is a file's path, or the name of a whisper.cpp model (`'base.en'`,
   * `'large-v3-turbo'`: see {@link listModels}) that is not an existing file: a named model is
   * taken from the model cache, and downloaded there first when missing (see {@link downloadModel}).
   * The cache's options apply to a name: `download` (false: never fetch, fail if not cached),
   * `modelsDir` (default `$AMANUENSIS_MODELS_DIR`, else the platform's cache directory),
   * `modelsBaseUrl` (a mirror; default `$AMANUENSIS_MODELS_BASE_URL`, else where whisper.cpp
   * publishes the files), `customModels` (names of your own), `onDownloadProgress`,
   * `onWaitingForDownload` (another loader is fetching the same file), and `signal`, which
   * also cancels the download (the partial file is kept and resumed next time).
   *
   * Quantized models (names ending `-q5_0`, `-q5_1`, `-q8_0`, and q4_0/q4_1 files) load like f16
   * ones and keep their weights quantized in memory (a q5_1 file takes about its size, 0.75 byte
   * a weight against f16's 2); the kernels dequantize them exactly to float32 as they compute.
   * @param model - path of the `.bin` file, or a model name
   * @param options - threads, kernels, encoder backend, your own stages, cache, pool, queue, batching; for a name, the model cache's options
   * @throws {@link AmanuensisError} `ERR_MODEL_*` for a missing or malformed file (the codes of
   * `parseGgmlModel` in `amanuensis/advanced`), `ERR_MODEL_UNSUPPORTED_TENSOR_TYPE` for a tensor type
   * it cannot compute with (K-quants, BF16) or a name of such a quantization, `ERR_MODEL_DOWNLOAD` when a named model cannot be fetched (HTTP error,
   * no network, a silent server, size or checksum mismatch, a file system error, or not cached
   * with `download: false`), `ERR_INVALID_ARGUMENT` for a name that is neither a file nor a known model,
   * `ERR_NATIVE_LOAD` when the native module is unavailable,
   * `ERR_BACKEND_UNAVAILABLE` for `encoder: 'xdna2'` when the NPU cannot run, `ERR_INVALID_ARGUMENT`, `ERR_ABORTED`
   */
  static async load(model: string, options: TranscriberLoadOptions = {}): Promise<Transcriber> {
    return new Transcriber(await loadTranscriberParts(model, options));
  }

  /** Whether the model knows languages other than English. */
  get multilingual(): boolean {
    return this.tokenizer.multilingual;
  }

  /**
   * Transcribes (or translates) audio of any length.
   * @param audio - mono samples at 16 kHz, nominally in [-1, 1]; copied when the call is made, so
   *   the array may be reused as soon as this returns its promise
   * With `vad`, only the speech the Silero VAD finds is transcribed (see {@link TranscribeOptions.vad});
   * with `batchSize`, that many windows at once (see {@link TranscribeOptions.batchSize}).
   * @returns text, timed segments, language and per-stage timings
   * @throws {@link AmanuensisError} `ERR_INVALID_AUDIO` (not a Float32Array, empty, NaN, Infinity, or
   *   beyond ±65536), `ERR_NUMERIC` (a stage computed NaN or Infinity: corrupt weights),
   * `ERR_INVALID_ARGUMENT` (options), `ERR_MODEL_*` (a `vadModel` that cannot be loaded: the codes of
   * `Vad.load`), `ERR_ABORTED`, `ERR_CLOSED`, `ERR_QUEUE_FULL` (only with the queue's
   * overflow set to `'reject'`), or a native failure
   */
  async transcribe(audio: Float32Array, options: TranscribeOptions = {}): Promise<TranscriptionResult> {
    this.assertOpen();
    // a snapshot, checked after it is taken: what is transcribed is what was passed, even if the
    // caller reuses, fills or transfers its array (or another thread writes its shared memory)
    const snapshot = types.isFloat32Array(audio) ? audio.slice() : audio;
    assertAudio(snapshot);
    return this.transcribeChecked(snapshot, options);
  }

  /** {@link transcribe} of audio that has passed `assertAudio` (at the public entry or a session's `push`). */
  private async transcribeChecked(audio: Float32Array, options: TranscribeOptions): Promise<TranscriptionResult> {
    this.assertOpen();
    if (audio.length === 0) throw new AmanuensisError('ERR_INVALID_AUDIO', 'audio is empty');
    const resolved = resolveTranscribeOptions(options);
    this.checkTask(resolved);
    throwIfAborted(resolved.signal);
    // the call ends at the caller's abort or at close(), whichever comes first, with its reason
    const call = new AbortController();
    const ends = resolved.signal === undefined ? [this.closing.signal] : [resolved.signal, this.closing.signal];
    // one listener per signal however many calls run (utils/abort-followers.ts)
    const unfollows = ends.map((end) => followAbort(end, (reason) => call.abort(reason)));
    const o = Object.freeze({ ...resolved, signal: call.signal });
    // one profiler per call (concurrent calls never mix their spans), merged into this.profiler at the end
    const calls = new PerformanceProfiler();
    try {
      return await this.queue.run(async () => {
        try {
          return await this.run(audio, o, calls);
        } finally {
          this.profiler.merge(calls);
        }
      }, o.signal);
    } finally {
      for (const unfollow of unfollows) unfollow();
    }
  }

  private async run(audio: Float32Array, o: ResolvedTranscribeOptions, calls: PerformanceProfiler): Promise<TranscriptionResult> {
    const total = calls.span('total');
    const durationS = audio.length / SAMPLE_RATE;
    const ctx = this.callContext(o, calls, o.initialPrompt);
    const totalFrames = Math.floor(audio.length / HOP_LENGTH);
    let windowsToRun: SpeechWindow[] | undefined;
    if (o.vad !== undefined) {
      const vadSpan = calls.span('vad');
      try {
        const vad = await this.vadFor(o.vadModel);
        throwIfAborted(o.signal);
        const speech = await vad.speechSegments(audio, { ...o.vad, ...(o.signal !== undefined && { signal: o.signal }) });
        windowsToRun = gatherSpeechWindows(speech, N_SAMPLES);
      } finally {
        vadSpan.end();
      }
    } else if (o.batchSize > 1) {
      windowsToRun = fixedWindows(audio.length, N_SAMPLES);
    }

    let results: CallContext[];
    if (windowsToRun === undefined) {
      // the whole input as one span: openai/whisper's seek loop over 30 s windows
      let progressed = 0;
      await this.transcribeSpan(audio, undefined, ctx, (frames, tokens, total) => {
        progressed = Math.max(progressed, Math.min(frames, total));
        this.progress(o, progressed, total, tokens);
      });
      results = [ctx];
    } else {
      results = await this.transcribeWindows(audio, windowsToRun, ctx, totalFrames);
    }

    const segments = results.flatMap((r) => r.segments).map((s, id) => ({ ...s, id }));
    const text = this.tokenizer.decode(results.flatMap((r) => r.allTokens.slice(r.promptTokens)));
    const totalMs = total.end();
    return {
      text,
      segments,
      language: results.find((r) => r.language !== undefined)?.language ?? ctx.language ?? 'en',
      durationS,
      timings: {
        melMs: calls.total('total.mel'), encodeMs: calls.total('total.encode'), decodeMs: calls.total('total.decode'), totalMs,
        ...(o.vad !== undefined && { vadMs: calls.total('total.vad') }),
        windows: results.flatMap((r) => r.windows),
        ...(this.encoderFallbackReason !== undefined && { encoderFallbackReason: this.encoderFallbackReason }),
      },
      realtimeFactor: totalMs / 1000 / durationS,
      ...(ctx.heads !== undefined && { alignmentHeads: ctx.heads.source }),
    };
  }

  /** A fresh {@link CallContext}: the call's decoding options, prompted with `initialPrompt`. */
  private callContext(o: ResolvedTranscribeOptions, calls: PerformanceProfiler, initialPrompt: string | undefined, seed = o.seed): CallContext {
    const promptTokens = initialPrompt === undefined ? [] : this.tokenizer.encode(' ' + initialPrompt.trim());
    return {
      o, calls,
      // transcribe.py's decode_options: shared by every window of the call; each window adds its
      // language and prompt, each fallback its temperature
      decoding: Object.freeze({ ...decodingOptionsOf(o), random: new SeededRandom(seed), signal: o.signal, profiler: calls }),
      language: o.language ?? (this.multilingual ? undefined : 'en'),
      allTokens: [...promptTokens], promptTokens: promptTokens.length, promptResetSince: 0, segments: [], windows: [],
      heads: o.wordTimestamps ? resolveAlignmentHeads(this.dims, o.alignmentHeads) : undefined,
    };
  }

  /**
   * Transcribes `windows` of `audio` (the VAD's speech windows, or fixed 30 s windows), each on
   * its own: one after another sharing `ctx` (the prompt carries over as `conditionOnPreviousText`
   * says), or with `batchSize` > 1, that many at once, each with its own context (no prompt from
   * other windows, `initialPrompt` for each, the sampler seeded with `seed + index`). A
   * multilingual model without a language detects it on the first window before the others start.
   * @returns one context per window run, in order (the shared one when sequential)
   */
  private async transcribeWindows(audio: Float32Array, windows: readonly SpeechWindow[], ctx: CallContext, totalFrames: number): Promise<CallContext[]> {
    const o = ctx.o;
    // a window's end, as a frame of the input: how far progress has got once it is done
    const endFrame = (w: SpeechWindow): number => Math.floor(w.ranges.at(-1)!.endSample / HOP_LENGTH);
    let progressed = 0;
    const report = (frames: number, tokens: number): void => {
      progressed = Math.max(progressed, Math.min(frames, totalFrames));
      this.progress(o, progressed, totalFrames, tokens);
    };
    if (o.batchSize === 1) {
      for (const w of windows) {
        throwIfAborted(o.signal);
        await this.transcribeSpan(w.audioOf(audio), w, ctx, (frames, tokens) =>
          report(Math.floor(w.toSource(frames * HOP_LENGTH, true) / HOP_LENGTH), tokens));
        report(endFrame(w), 0);
      }
      report(totalFrames, 0);
      return [ctx];
    }

    // the encoder takes every thread already: the windows take turns at it, and the decoder steps
    // of the windows encoded run (batched) while the next one encodes
    let encoderFree: Promise<unknown> = Promise.resolve();
    const encoderTurn = <T>(encode: () => Promise<T>): Promise<T> => {
      const turn = encoderFree.then(encode);
      encoderFree = turn.catch(() => undefined);
      return turn;
    };
    // the first window to fail stops the others (they would run on after the call has ended)
    const stop = new AbortController();
    const signal = o.signal === undefined ? stop.signal : AbortSignal.any([o.signal, stop.signal]);
    const contexts: CallContext[] = windows.map((_, i) => {
      const own = this.callContext({ ...o, signal, conditionOnPreviousText: false }, ctx.calls, o.initialPrompt, o.seed + i);
      own.language = ctx.language;
      own.encoderTurn = encoderTurn;
      return own;
    });
    const done = windows.map(() => false);
    let reported = 0;
    const run = async (i: number): Promise<void> => {
      const w = windows[i]!;
      await this.transcribeSpan(w.audioOf(audio), w, contexts[i]!, () => undefined);
      done[i] = true;
      // progress moves over the windows finished in order (later ones may finish first)
      while (reported < windows.length && done[reported]) report(endFrame(windows[reported++]!), 0);
    };
    let next = 0;
    if (contexts[0] !== undefined && contexts[0].language === undefined) {
      await run(next++);
      for (const c of contexts) c.language = contexts[0].language;
    }
    let failure: { error: unknown } | undefined;
    const worker = async (): Promise<void> => {
      while (failure === undefined && next < windows.length) {
        try {
          await run(next++);
        } catch (error) {
          failure ??= { error };
          stop.abort(error);
        }
      }
    };
    // every window settles before the call does: none is left running once it has failed
    await Promise.all(Array.from({ length: Math.min(o.batchSize, windows.length) }, worker));
    if (failure !== undefined) throw failure.error;
    report(totalFrames, 0);
    return contexts;
  }

  /**
   * openai/whisper's seek loop over `audio`: 30 s windows, each skipped as silence, or encoded,
   * decoded with the temperature fallback, skipped as no speech, or split into segments, the seek
   * advancing past them; the prompt, language and results go to `ctx`. With `placement` (the
   * window of the input that `audio` was cut from), every timestamp is mapped back to the input.
   * @param onProgress - frames of `audio` reached, tokens of the current decode, frames of `audio` in all
   */
  private async transcribeSpan(audio: Float32Array, placement: SpeechWindow | undefined, ctx: CallContext,
    onProgress: (frames: number, tokens: number, total: number) => void): Promise<void> {
    const { o, calls, decoding } = ctx;
    // a front end that computes windows takes the recording one window at a time (bounded memory
    // for any length): first openai's dynamic-range reference over the whole spectrogram, then
    // each window as the seek loop reaches it; any other computes the whole spectrogram here
    const source = await this.melSourceOf(audio, o.signal, calls);
    const durationS = audio.length / SAMPLE_RATE;
    const contentFrames = contentFramesOf(source, audio);
    const place = placement === undefined ? undefined : new Placement(placement);
    const heads = ctx.heads;
    // end of the last word so far on this span's timeline (openai's last_speech_timestamp): the
    // pause rule of the next window's first word
    let lastSpeech = 0;

    for (let seek = 0; seek < contentFrames;) {
      throwIfAborted(o.signal);
      const segmentFrames = Math.min(N_FRAMES, contentFrames - seek);
      const at = { seek, frames: segmentFrames, ...place?.window(seek, segmentFrames) };
      if (rms(audio, seek * HOP_LENGTH, Math.min(audio.length, (seek + segmentFrames) * HOP_LENGTH)) < o.silenceThreshold) {
        ctx.windows.push({ ...at, skipped: 'silence', encodeMs: 0, decodeMs: 0, temperatures: [] });
        seek += segmentFrames;
        onProgress(seek, 0, contentFrames);
        continue;
      }

      const melWindowed = await this.melWindowAt(source, seek, o.signal, calls);
      const encodeSpan = calls.span('encode');
      let encoded: EncodedWindow;
      try {
        encoded = ctx.encoderTurn === undefined ? await this.windowFeatures(melWindowed.window, o.signal, calls)
          : await ctx.encoderTurn(() => this.windowFeatures(melWindowed.window, o.signal, calls));
      } finally {
        melWindowed.release();
      }
      const { features, handle, cached } = encoded;
      const encodeMs = encodeSpan.end();
      let window: WindowTiming;
      let result: DecodingResult;
      let split: { segments: PendingSegment[]; advance: number } | undefined;
      let wordTimes: SegmentWordTimes | undefined;
      let retained: { release(): void } | undefined;
      try {
        const decodeSpan = calls.span('decode');
        // with word timestamps the decoder keeps the window's cross-attention keys and values (the heads' keys in f32) for the alignment
        if (heads !== undefined) retained = await this.decoder.retainFeatures?.(features, heads.heads);
        ctx.language ??= (await detectLanguageFromFeatures(this.decoder, this.tokenizer, features)).language;
        const prompt = ctx.allTokens.slice(ctx.promptResetSince);
        const windowStart = seek;
        const onStep = o.onProgress === undefined ? undefined : (step: DecodeStepProgress): void => {
          onProgress(windowStart + Math.min(segmentFrames, Math.round(step.decodedS * FRAMES_PER_SECOND)), step.tokens, contentFrames);
        };
        const fallback = await decodeWithFallback(this.decoder, this.tokenizer, features,
          { ...decoding, language: ctx.language, prompt, ...(onStep !== undefined && { onStep }) }, o);
        result = fallback.result;
        const decodeMs = decodeSpan.end();
        let wordsMs: number | undefined;
        if (heads !== undefined && !isNoSpeech(result, o)) {
          // while the window's features are still held
          const wordsSpan = calls.span('words');
          split = splitSegments(result, this.tokenizer, seek, segmentFrames);
          wordTimes = await this.windowWords(features, split.segments, {
            sotSequence: this.tokenizer.sotSequence(ctx.language, o.task), language: ctx.language ?? 'en', numFrames: segmentFrames, heads,
            timeOffset: seek / FRAMES_PER_SECOND, lastSpeech, prepend: o.prependPunctuations, append: o.appendPunctuations,
          });
          wordsMs = wordsSpan.end();
        }
        window = { ...at, encodeMs, decodeMs, temperatures: fallback.temperatures, encoder: this.encoder.name, ...(cached && { cached }), ...(wordsMs !== undefined && { wordsMs }) };
      } finally {
        retained?.release();
        handle?.release();
      }

      if (isNoSpeech(result, o)) {
        ctx.windows.push({ ...window, skipped: 'no-speech' });
        seek += segmentFrames;
        onProgress(seek, 0, contentFrames);
        continue;
      }
      ctx.windows.push(window);

      split ??= splitSegments(result, this.tokenizer, seek, segmentFrames);
      let advanceTo = seek + (split.advance > 0 ? split.advance : segmentFrames);
      let keep = split.segments.length;
      if (wordTimes !== undefined) {
        // openai: unless the window ended on a single timestamp, the next one starts at the last word's end
        const tokens = result.tokens;
        const begin = this.tokenizer.special.timestampBegin;
        const singleTimestampEnding = tokens.length >= 2 && tokens[tokens.length - 2]! < begin && tokens[tokens.length - 1]! >= begin;
        const wordsEnd = lastWordEnd(wordTimes.segments);
        if (!singleTimestampEnding && wordsEnd !== undefined && wordsEnd > seek / FRAMES_PER_SECOND) {
          advanceTo = roundHalfEven(wordsEnd * FRAMES_PER_SECOND);
        }
        if (o.hallucinationSilenceThreshold !== undefined) {
          const decision = skipSilenceBeforeHallucinations({
            segments: wordTimes.segments, threshold: o.hallucinationSilenceThreshold, seek, segmentFrames, contentFrames,
            singleTimestampEnding, lastSpeechTimestamp: lastSpeech, nextSeek: advanceTo,
          });
          if (decision.skipWindow) {
            // an anomalous first segment after a long gap: decode again from the end of the gap
            seek = decision.seek > seek ? decision.seek : seek + segmentFrames;
            onProgress(seek, 0, contentFrames);
            continue;
          }
          keep = decision.keep;
          advanceTo = decision.seek;
        }
        const keptEnd = lastWordEnd(wordTimes.segments.slice(0, keep));
        if (keptEnd !== undefined) lastSpeech = keptEnd;
      }
      split.segments.slice(0, keep).forEach((pending, i) => {
        // with word timestamps, the segment bounds openai's word rules chose
        const timed = wordTimes?.segments[i];
        const s = timed === undefined ? pending : { ...pending, start: timed.start, end: timed.end };
        if (s.start === s.end || s.text.trim() === '') return;
        // the last window is padded with silence to 30 s, and its timestamps can point into the
        // padding: segments end at the end of the audio (openai/whisper leaves them past it)
        const end = Math.min(s.end, durationS);
        ctx.segments.push({
          id: 0, seek: at.seek, start: Math.min(s.start, end), end, text: s.text, tokens: s.tokens,
          temperature: result.temperature, avgLogprob: result.avgLogprob,
          compressionRatio: result.compressionRatio, noSpeechProb: result.noSpeechProb,
          ...place?.segment(Math.min(s.start, end), end),
          ...(timed !== undefined && { words: place === undefined ? timed.words : timed.words.map((w) => ({ ...w, ...place.times(w.start, w.end) })) }),
        });
        ctx.allTokens.push(...s.tokens);
      });
      if (!o.conditionOnPreviousText || result.temperature > 0.5) ctx.promptResetSince = ctx.allTokens.length;
      // a zero advance (a zero-length first segment) would decode the same window forever
      seek = advanceTo > seek ? advanceTo : seek + segmentFrames;
      onProgress(seek, 0, contentFrames);
    }
  }

  /** The Silero VAD of `path` (the bundled model when undefined), loaded at its first use and kept until close(). */
  private vadFor(path: string | undefined): Promise<Vad> {
    this.assertOpen();
    const key = path ?? '';
    let vad = this.vads.get(key);
    if (vad === undefined) {
      vad = Vad.load(path, this.vadLoadOptions);
      this.vads.set(key, vad);
      // a failed load is not kept: the next call tries again
      vad.catch(() => this.vads.delete(key));
    }
    return vad;
  }

  /**
   * Word timestamps of one window's segments (openai/whisper `add_word_timestamps` over the
   * window's `current_segments`): one alignment of all their text tokens.
   */
  private async windowWords(features: Float32Array, segments: readonly PendingSegment[], w: {
    sotSequence: readonly number[]; language: string; numFrames: number; heads: ResolvedAlignmentHeads;
    timeOffset: number; lastSpeech: number; prepend: string; append: string;
  }): Promise<SegmentWordTimes> {
    const eot = this.tokenizer.special.eot;
    const textTokens = segments.flatMap((s) => s.tokens.filter((t) => t < eot));
    const raw = await findAlignment(this.decoder, features, {
      tokenizer: this.tokenizer, sotSequence: w.sotSequence, textTokens, numFrames: w.numFrames, heads: w.heads, language: w.language,
    });
    const timed = segments.map((s) => ({ start: s.start, end: s.end, tokens: s.tokens }));
    return addWordTimestamps(raw.words, timed, (s) => s.tokens.filter((t) => t < eot).length, w.timeOffset, w.lastSpeech, w.prepend, w.append);
  }

  /**
   * Forced alignment: the times of a known transcript's words in the audio, as openai/whisper's
   * word timestamps would give them for windows decoded without timestamps whose text is the
   * transcript. `text` as a string is one segment spanning the whole audio (at most 30 s): start
   * 0, end the audio's duration, the last speech at 0. Longer audio takes the transcript as timed
   * segments of at most 30 s each (from subtitles or a transcription, say): each is aligned as a
   * clip of its own (the audio from its start to its end), its times then moved to its start, the
   * last speech carried from one segment to the next as `transcribe()` carries it from window to
   * window. The encoder input is the clip's log-mel with Whisper's 30 s of zero samples appended
   * and the max − 8 floor taken over all of it (as `transcribe()` and whisper.cpp compute it).
   * @param audio - mono samples at 16 kHz
   * @param text - the transcript, or its segments in seconds; each text is encoded with a leading space, as Whisper writes text
   * @throws {@link AmanuensisError} `ERR_INVALID_AUDIO`, `ERR_INVALID_ARGUMENT` (a string for audio
   *   longer than 30 s, an empty text, a segment outside the audio, before the previous one's end or
   *   longer than 30 s, a language
   *   this model cannot do, bad alignment heads or options), `ERR_CONTEXT_OVERFLOW` (a text whose
   *   tokens do not fit the decoder), `ERR_ABORTED`, `ERR_CLOSED`, `ERR_QUEUE_FULL`, or a native failure
   */
  async align(audio: Float32Array, text: string | readonly AlignSegment[], options: AlignOptions = {}): Promise<AlignmentResult> {
    this.assertOpen();
    const snapshot = types.isFloat32Array(audio) ? audio.slice() : audio;
    assertAudio(snapshot);
    if (snapshot.length === 0) throw new AmanuensisError('ERR_INVALID_AUDIO', 'audio is empty');
    const durationS = snapshot.length / SAMPLE_RATE;
    const pieces = this.alignSegmentsOf(text, snapshot.length, durationS);
    if (typeof options !== 'object' || options === null) throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'options must be an object');
    this.checkTask({ language: options.language });
    const prepend = options.prependPunctuations ?? DEFAULT_PREPEND_PUNCTUATIONS;
    const append = options.appendPunctuations ?? DEFAULT_APPEND_PUNCTUATIONS;
    if (typeof prepend !== 'string' || typeof append !== 'string') throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'prependPunctuations and appendPunctuations must be strings');
    const heads = resolveAlignmentHeads(this.dims, options.alignmentHeads);
    const signal = AbortSignal.any(options.signal === undefined ? [this.closing.signal] : [options.signal, this.closing.signal]);
    throwIfAborted(signal);
    return this.queue.run(async () => {
      let language = options.language;
      let lastSpeech = 0;
      const segments: AlignmentResult['segments'][number][] = [];
      for (const piece of pieces) {
        throwIfAborted(signal);
        // each segment is aligned as a clip of its own (its spectrogram's floor from the clip alone)
        const first = Math.round(piece.start * SAMPLE_RATE);
        const clip = snapshot.subarray(first, Math.max(first + 1, Math.round(piece.end * SAMPLE_RATE)));
        const mel = await this.paddedMel(clip);
        throwIfAborted(signal);
        const numFrames = mel.nFrames - N_FRAMES;
        const features = await this.encoder.encode(melWindow(mel, 0), { signal });
        throwIfAborted(signal);
        language ??= this.multilingual ? (await detectLanguageFromFeatures(this.decoder, this.tokenizer, features)).language : 'en';
        const raw = await findAlignment(this.decoder, features, {
          tokenizer: this.tokenizer, sotSequence: this.tokenizer.sotSequence(language, 'transcribe'), textTokens: piece.tokens, numFrames, heads, language,
        });
        const timed = addWordTimestamps(raw.words, [{ start: piece.start, end: piece.end, tokens: piece.tokens }], (s) => s.tokens.length,
          first / SAMPLE_RATE, lastSpeech, prepend, append);
        const segment = timed.segments[0]!;
        lastSpeech = timed.lastSpeechTimestamp;
        segments.push({ start: segment.start, end: segment.end, words: segment.words });
      }
      return {
        words: segments.flatMap((s) => s.words), start: segments[0]!.start, end: segments[segments.length - 1]!.end, segments,
        language: language ?? 'en', alignmentHeads: heads.source,
      };
    }, signal);
  }

  /** align()'s text as segments with their tokens, checked against the audio. */
  private alignSegmentsOf(text: string | readonly AlignSegment[], samples: number, durationS: number):
    { start: number; end: number; tokens: number[] }[] {
    const encoded = (t: unknown): number[] => {
      if (typeof t !== 'string' || t.trim() === '') throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'align() needs non-empty text');
      return this.tokenizer.encode(' ' + t.trim());
    };
    if (typeof text === 'string') {
      if (samples > N_SAMPLES) {
        throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'a text as one string aligns up to 30 s of audio (480000 samples); give longer audio\'s transcript as segments of up to 30 s, or transcribe it with wordTimestamps');
      }
      return [{ start: 0, end: durationS, tokens: encoded(text) }];
    }
    if (!Array.isArray(text) || text.length === 0) throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'align() takes a text or a non-empty list of { start, end, text } segments');
    // in order and apart: the last speech carries from one segment to the next, forwards only
    let previousEnd = 0;
    return text.map((s: AlignSegment, i) => {
      const ok = typeof s === 'object' && s !== null && Number.isFinite(s.start) && Number.isFinite(s.end) &&
        s.start >= previousEnd && s.start < s.end && s.end <= durationS + 1e-9 && s.end - s.start <= CHUNK_LENGTH;
      if (!ok) {
        throw new AmanuensisError('ERR_INVALID_ARGUMENT',
          `segment ${i} must have ${previousEnd} <= start < end <= ${durationS} s (the audio, after the previous segment) and last at most ${CHUNK_LENGTH} s`);
      }
      previousEnd = s.end;
      return { start: s.start, end: s.end, tokens: encoded(s.text) };
    });
  }

  /**
   * Where a call's mel windows come from: a front end that computes windows takes the recording
   * one window at a time (bounded memory for any length), after openai's dynamic-range reference
   * over the whole spectrogram; any other computes the whole spectrogram here.
   */
  private async melSourceOf(audio: Float32Array, signal: AbortSignal | undefined, calls: PerformanceProfiler): Promise<MelSource> {
    return this.frontend.logMelMax !== undefined && this.frontend.computeWindow !== undefined
      ? { audio, logMax: await calls.measure('mel', () => this.frontend.logMelMax!(audio, checkedMelOptions({ paddingSamples: N_SAMPLES, ...(signal !== undefined && { signal }) }))) }
      : { mel: await calls.measure('mel', () => this.paddedMel(audio)) };
  }

  /**
   * The log-mel window at `seek`: computed on its own (timed as `mel`, not `encode`), or copied
   * out of the whole spectrogram into a pooled buffer; `release` gives the buffer back.
   */
  private async melWindowAt(source: MelSource, seek: number, signal: AbortSignal | undefined, calls: PerformanceProfiler):
    Promise<{ window: MelSpectrogram; release(): void }> {
    if ('audio' in source) {
      const options = checkedMelOptions({ paddingSamples: N_SAMPLES, firstFrame: seek, frames: N_FRAMES, logMax: source.logMax });
      const window = await calls.measure('mel', () => this.frontend.computeWindow!(source.audio, options));
      return { window, release: () => undefined };
    }
    const melBuffer = await this.pool.acquire('mel', signal === undefined ? {} : { signal });
    return { window: melWindow(source.mel, seek, melBuffer.array as Float32Array), release: () => melBuffer.release() };
  }

  /**
   * The audio features of a log-mel window: from the cache, or encoded into a pooled buffer
   * (returned as `handle`, to release after decoding) and then cached.
   */
  private async windowFeatures(window: MelSpectrogram, signal: AbortSignal | undefined, calls: PerformanceProfiler):
    Promise<EncodedWindow> {
    const key = this.cache === undefined ? undefined : encoderCacheKey(this.modelId, window.data);
    const hit = key === undefined ? undefined : this.cache!.get(key);
    if (hit !== undefined) return { features: hit, cached: true };
    const featureBuffer = await this.pool.acquire('features', signal === undefined ? {} : { signal });
    try {
      const features = await this.encoder.encode(window, { out: featureBuffer.array as Float32Array, profiler: calls, ...(signal !== undefined && { signal }) });
      // the pooled buffer is reused by the next window: the cache keeps its own copy
      if (key !== undefined) this.cache!.set(key, features.slice());
      return { features, handle: featureBuffer, cached: false };
    } catch (err) {
      featureBuffer.release();
      throw err;
    }
  }

  /**
   * Identifies the spoken language from the first 30 s (openai/whisper `detect_language`). Runs
   * through the Transcriber's queue like `transcribe()`.
   * @param audio - mono samples at 16 kHz (the first 30 s are copied at the call)
   * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for English-only models, `ERR_INVALID_AUDIO`
   * (not audio, or empty), `ERR_CLOSED`, `ERR_QUEUE_FULL` (with the queue's overflow set to `'reject'`)
   */
  async detectLanguage(audio: Float32Array): Promise<LanguageDetection> {
    this.assertOpen();
    assertAudio(audio);
    if (!this.multilingual) throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'this model is English-only');
    if (audio.length === 0) throw new AmanuensisError('ERR_INVALID_AUDIO', 'audio is empty');
    const window = audio.slice(0, N_SAMPLES);
    // through the queue like every call, so close() settles it with ERR_CLOSED too
    return this.queue.run(async () => {
      const signal = this.closing.signal;
      const mel = await this.paddedMel(window);
      throwIfAborted(signal);
      const features = await this.encoder.encode(melWindow(mel, 0), { signal });
      throwIfAborted(signal);
      return detectLanguageFromFeatures(this.decoder, this.tokenizer, features);
    }, this.closing.signal);
  }

  /**
   * Starts a streaming session: push 16 kHz chunks of any size, receive `'partial'` events,
   * confirmed `'word'` (with `granularity: 'word'`, the default) and `'segment'` events, and with
   * the Silero gate (the default) `'speechstart'` and `'speechend'` (or iterate them with
   * `for await`). Sessions share this Transcriber (its queue, and its Silero VAD) with every other call.
   * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for bad options (the decoding options
   *   included, and a language or task this model cannot do), `ERR_CLOSED`, `ERR_ABORTED` (an aborted `signal`)
   */
  createSession(options: SessionOptions = {}): TranscriptionSession {
    this.assertOpen();
    // what only the model can say (language, task) here, the rest by the session: all before the first push
    this.checkTask(options);
    // the session checks each chunk as it is pushed, and transcribes its own copies of them
    return new TranscriptionSession({
      transcribe: (audio, o) => this.transcribeChecked(audio, o), closed: () => this.closed, vad: (model) => this.vadFor(model),
    }, options);
  }

  /**
   * Closes this Transcriber: queued calls reject with `ERR_CLOSED` at once, running ones at their
   * next decoder step or window (also `ERR_CLOSED`), and later calls, sessions' `push()` and the
   * stages' native calls throw `ERR_CLOSED`. The model's native memory is freed as soon as no
   * running native call uses it. Calling it again does nothing.
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.closing.abort(new AmanuensisError('ERR_CLOSED', 'this Transcriber has been closed'));
    this.release?.();
    for (const vad of this.vads.values()) vad.then((v) => v.close(), () => undefined);
  }

  /**
   * The spectrogram with Whisper's 30 s of padding, off the main thread when the front end can.
   * `audio` has passed `assertAudio` at the public entry point.
   */
  private async paddedMel(audio: Float32Array): Promise<MelSpectrogram> {
    const frontend = this.frontend;
    return frontend.computeAsync === undefined ? frontend.compute(audio, PADDED_CHECKED) : frontend.computeAsync(audio, PADDED_CHECKED);
  }

  private assertOpen(): void {
    if (this.closed) throw new AmanuensisError('ERR_CLOSED', 'this Transcriber has been closed');
  }

  /** The language and task are ones this model can do. */
  private checkTask(o: Pick<TranscribeOptions, 'language' | 'task'>): void {
    if (this.multilingual) {
      if (o.language !== undefined && this.tokenizer.languageToken(o.language) === undefined) {
        throw new AmanuensisError('ERR_INVALID_ARGUMENT', `unknown language '${o.language}'`);
      }
      return;
    }
    if (o.language !== undefined && o.language !== 'en') {
      throw new AmanuensisError('ERR_INVALID_ARGUMENT', `this model is English-only; it cannot transcribe language '${o.language}'`);
    }
    if (o.task === 'translate') {
      throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'this model is English-only; translation needs a multilingual model');
    }
  }

  private progress(o: ResolvedTranscribeOptions, processedFrames: number, totalFrames: number, decodedTokens: number): void {
    o.onProgress?.({ processedFrames, totalFrames, fraction: totalFrames > 0 ? processedFrames / totalFrames : 1, decodedTokens });
  }
}
