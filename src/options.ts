/**
 * Option records with frozen defaults and their validation. Defaults follow openai/whisper's
 * `transcribe()` command-line defaults (transcribe.py and decoding.py DecodingOptions). The
 * resolved records are derived from the public {@link TranscribeOptions} by mapped types, so a
 * new option is declared once.
 * @module
 */
import type { AlignmentHeadsOption } from './alignment/alignment-heads.js';
import { DEFAULT_APPEND_PUNCTUATIONS, DEFAULT_PREPEND_PUNCTUATIONS } from './alignment/word-timing.js';
import { AmanuensisError } from './errors.js';
import type { Task } from './tokenizer/tokenizer.js';
import { type TranscribeVadOptions, resolveTranscribeVad } from './transcribe/transcribe-vad-options.js';
import type { ResolvedSpeechSegmentOptions } from './vad/speech-segment-options.js';

/** Progress of a transcription. */
export interface TranscribeProgress {
  /**
   * Frames (10 ms) processed so far: the windows done, plus, inside the window being decoded, the
   * audio its decode has reached (its latest timestamp token). Never decreases within a call.
   */
  readonly processedFrames: number;
  /** Frames of audio in total. */
  readonly totalFrames: number;
  /** processedFrames / totalFrames, 0 to 1. */
  readonly fraction: number;
  /** Tokens sampled so far by the decode of the current window (its current temperature); 0 between windows. */
  readonly decodedTokens: number;
}

/** Options of {@link Transcriber.transcribe}. */
export interface TranscribeOptions {
  /** Language code such as `'en'`; detected from the first window when omitted on multilingual models. */
  readonly language?: string;
  /** `'transcribe'` (default) or `'translate'` (to English; multilingual models only). */
  readonly task?: Task;
  /** Temperatures to try in order, falling back to the next when a decode fails the thresholds. Default 0, 0.2, …, 1.0. */
  readonly temperature?: number | readonly number[];
  /** Candidates sampled at temperatures above 0; the most likely is kept. Default 5. */
  readonly bestOf?: number;
  /** Beam width at temperature 0; omit for greedy decoding. */
  readonly beamSize?: number;
  /** Beam search patience (finished candidates = beamSize × patience). Default 1. */
  readonly patience?: number;
  /** Length penalty α of the ranking (Google NMT), or null to rank by log-probability / length. Default null. */
  readonly lengthPenalty?: number | null;
  /** Fall back when the compression ratio exceeds this. Default 2.4; null disables. */
  readonly compressionRatioThreshold?: number | null;
  /** Fall back when avgLogprob is below this. Default -1.0; null disables. */
  readonly logprobThreshold?: number | null;
  /** A window whose noSpeechProb exceeds this (and whose avgLogprob is below logprobThreshold) is silence. Default 0.6; null disables. */
  readonly noSpeechThreshold?: number | null;
  /** Give the previous window's text as the prompt of the next. Default true. */
  readonly conditionOnPreviousText?: boolean;
  /** Text to prompt the first window with (vocabulary, spelling, style). */
  readonly initialPrompt?: string;
  /** Token ids to suppress, or `'non-speech'` for openai/whisper's default set (`"-1"`). Default `'non-speech'`. */
  readonly suppressTokens?: readonly number[] | 'non-speech';
  /** Suppress a blank or EOT as the first sampled token. Default true. */
  readonly suppressBlank?: boolean;
  /** Decode text only, without timestamp tokens. Default false. */
  readonly withoutTimestamps?: boolean;
  /** Latest first timestamp, in seconds. Default 1.0. */
  readonly maxInitialTimestamp?: number;
  /** Most tokens sampled per window. Default nTextCtx / 2 (224). */
  readonly sampleLen?: number;
  /**
   * Windows whose audio RMS is below this are silence: skipped without running the encoder
   * or decoder, so silence never turns into text. Default 0.001 (about -60 dBFS); 0 disables.
   */
  readonly silenceThreshold?: number;
  /** Seed of the sampler at temperatures above 0, for reproducible results. Default 0. */
  readonly seed?: number;
  /**
   * Transcribe only speech: the Silero VAD finds the speech segments of the whole input (`true`:
   * with {@link TranscribeVadOptions}' defaults, faster-whisper's; an object: those options), the
   * segments are gathered in order into windows of at most 30 s of speech (the silence between
   * them cut out, as faster-whisper's `collect_chunks`), the windows are transcribed, and every
   * timestamp is mapped back to the input's timeline exactly (each segment's and window's
   * `sourceRanges` say which stretches of the input its audio came from). Silence and noise
   * never reach the encoder; input without speech gives no segments. Default false.
   */
  readonly vad?: boolean | TranscribeVadOptions;
  /**
   * Path of the Silero VAD model file that `vad` uses (whisper.cpp's GGML format, e.g.
   * `ggml-silero-v5.1.2.bin`). Default: the Silero VAD v6.2.0 shipped in the package. Each
   * Transcriber loads a file once, at its first use, and keeps it until `close()`.
   */
  readonly vadModel?: string;
  /**
   * Windows transcribed at once (faster-whisper's `BatchedInferencePipeline`): the windows (the
   * VAD's with `vad`, else consecutive 30 s windows) are encoded and decoded `batchSize` at a
   * time, their decoder steps batched into one native step, each window without the previous
   * window's text as prompt (`conditionOnPreviousText` does not apply across windows; `initialPrompt`
   * prompts every window; sampling above temperature 0 is seeded with `seed` plus the window's index). Results
   * are in order and on the input's timeline. 1 to 64; default 1 (one window after another,
   * each conditioned on the text before it unless `conditionOnPreviousText` is false).
   */
  readonly batchSize?: number;
  /** Cancels the transcription; it rejects with `ERR_ABORTED`. */
  readonly signal?: AbortSignal;
  /** Called after each decoder step (each sampled token) and after each window. */
  readonly onProgress?: (progress: TranscribeProgress) => void;
  /**
   * Adds `words` to every segment: each word's start, end and probability from the cross-attention
   * of the alignment heads (openai/whisper `word_timestamps=True`, same rules, same effect on where
   * the next window starts). Costs a teacher-forced decoder pass per window. Default false.
   */
  readonly wordTimestamps?: boolean;
  /** With word timestamps: punctuation merged into the word after it. Default openai's `"'“¿([{-`. */
  readonly prependPunctuations?: string;
  /** With word timestamps: punctuation merged into the word before it. Default openai's `"'.。,，!！?？:：”)]}、`. */
  readonly appendPunctuations?: string;
  /**
   * With word timestamps: the cross-attention heads aligned with. Default: the openai preset whose
   * decoder shape, vocabulary and mel bands the model has when exactly one does, else `'default'`
   * (every head of the top half of the decoder layers). The result's `alignmentHeads` says which.
   */
  readonly alignmentHeads?: AlignmentHeadsOption;
  /**
   * With word timestamps: skip silences longer than this many seconds around a segment whose
   * words look like a hallucination (improbable, very short or very long), as openai/whisper's
   * `hallucination_silence_threshold`. Default: off.
   */
  readonly hallucinationSilenceThreshold?: number;
}

/** The options that have no default: they stay undefined when not given. */
type OptionWithoutDefault = 'language' | 'beamSize' | 'initialPrompt' | 'sampleLen' | 'vadModel' | 'signal' | 'onProgress' | 'alignmentHeads'
  | 'hallucinationSilenceThreshold';

/**
 * Every option of `T` present: with its default (`Required` also removes the `undefined` that
 * `?` implied), or possibly undefined for the options without a default.
 */
type Filled<T> = Required<Omit<T, OptionWithoutDefault>> & { [K in Extract<keyof T, OptionWithoutDefault>]: T[K] | undefined };

/** `T` written out as one frozen object type (hovers and error messages list its fields). */
type Frozen<T> = { readonly [K in keyof T]: T[K] };

/**
 * {@link TranscribeOptions} validated, with every default filled in and frozen; `temperature`
 * becomes the list `temperatures` (one number is a list of one). @internal
 */
export type ResolvedTranscribeOptions = Frozen<Filled<Omit<TranscribeOptions, 'temperature' | 'vad'>> & {
  /** Temperatures to try in order, at least one. */
  temperatures: readonly number[];
  /** The VAD's segmentation, every default filled in; undefined without a VAD. */
  vad: ResolvedSpeechSegmentOptions | undefined;
}>;

/**
 * The options that configure one window's decode: the fields of openai/whisper decoding.py
 * DecodingOptions, besides the language, prompt and temperature that the seek loop and the
 * fallback set. @internal
 */
export const DECODING_OPTION_KEYS = [
  'task', 'bestOf', 'beamSize', 'patience', 'lengthPenalty', 'suppressTokens', 'suppressBlank',
  'withoutTimestamps', 'maxInitialTimestamp', 'sampleLen',
] as const satisfies readonly (keyof ResolvedTranscribeOptions)[];

/** The decoding options of a resolved record (see {@link DECODING_OPTION_KEYS}). @internal */
export type ResolvedDecodingOptions = Pick<ResolvedTranscribeOptions, (typeof DECODING_OPTION_KEYS)[number]>;

/**
 * The defaults of {@link TranscribeOptions}, frozen: task `'transcribe'`; temperatures 0, 0.2, …, 1.0;
 * bestOf 5; patience 1; lengthPenalty null; thresholds 2.4 (compression ratio), -1.0 (avgLogprob),
 * 0.6 (noSpeechProb); conditionOnPreviousText true; suppressTokens `'non-speech'`; suppressBlank true;
 * withoutTimestamps false; maxInitialTimestamp 1.0 s; silenceThreshold 0.001 RMS; seed 0; batchSize 1.
 */
export const DEFAULT_TRANSCRIBE_OPTIONS = Object.freeze({
  /** Transcribe in the spoken language. */
  task: 'transcribe' as Task,
  /** Greedy first, then sampling hotter on each fallback. */
  temperatures: Object.freeze([0, 0.2, 0.4, 0.6, 0.8, 1.0]) as readonly number[],
  /** Candidates per sampled decode. */
  bestOf: 5,
  /** Beam search patience. */
  patience: 1,
  /** Rank by log-probability over length. */
  lengthPenalty: null,
  /** Fallback above this compression ratio. */
  compressionRatioThreshold: 2.4,
  /** Fallback below this average log-probability. */
  logprobThreshold: -1.0,
  /** Silence above this no-speech probability (with a low log-probability). */
  noSpeechThreshold: 0.6,
  /** Prompt each window with the previous text. */
  conditionOnPreviousText: true,
  /** openai/whisper's non-speech set. */
  suppressTokens: 'non-speech' as const,
  /** No blank first token. */
  suppressBlank: true,
  /** Timestamps on. */
  withoutTimestamps: false,
  /** Seconds. */
  maxInitialTimestamp: 1.0,
  /** RMS, about -60 dBFS. */
  silenceThreshold: 0.001,
  /** Sampler seed. */
  seed: 0,
  /** One window at a time. */
  batchSize: 1,
  /** Segment times only. */
  wordTimestamps: false,
  /** openai/whisper's default. */
  prependPunctuations: DEFAULT_PREPEND_PUNCTUATIONS,
  /** openai/whisper's default. */
  appendPunctuations: DEFAULT_APPEND_PUNCTUATIONS,
});

function invalid(message: string): never {
  throw new AmanuensisError('ERR_INVALID_ARGUMENT', message);
}

function positiveInt(v: unknown, name: string, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) invalid(`${name} must be an integer from 1 to ${max}`);
  return v;
}

function finiteOrNull(v: unknown, name: string): number | null {
  if (v === null) return null;
  if (typeof v !== 'number' || !Number.isFinite(v)) invalid(`${name} must be a finite number or null`);
  return v;
}

/**
 * Fills in defaults and validates, once per call.
 * @returns a frozen record
 * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` naming the bad option
 */
export function resolveTranscribeOptions(o: TranscribeOptions = {}): ResolvedTranscribeOptions {
  if (typeof o !== 'object' || o === null) invalid('options must be an object');
  const d = DEFAULT_TRANSCRIBE_OPTIONS;
  const temps = o.temperature === undefined ? d.temperatures : typeof o.temperature === 'number' ? [o.temperature] : [...o.temperature];
  if (temps.length === 0 || temps.some((t) => typeof t !== 'number' || !Number.isFinite(t) || t < 0)) {
    invalid('temperature must be a non-negative number or a non-empty list of them');
  }
  const task = o.task ?? d.task;
  if (task !== 'transcribe' && task !== 'translate') invalid(`task must be 'transcribe' or 'translate'`);
  if (o.language !== undefined && (typeof o.language !== 'string' || o.language.length === 0)) invalid('language must be a language code such as "en"');
  if (o.initialPrompt !== undefined && typeof o.initialPrompt !== 'string') invalid('initialPrompt must be a string');
  const suppressTokens = o.suppressTokens ?? d.suppressTokens;
  if (suppressTokens !== 'non-speech' && (!Array.isArray(suppressTokens) || suppressTokens.some((t) => !Number.isInteger(t) || t < 0))) {
    invalid(`suppressTokens must be 'non-speech' or a list of token ids`);
  }
  const maxInitialTimestamp = o.maxInitialTimestamp ?? d.maxInitialTimestamp;
  if (!Number.isFinite(maxInitialTimestamp) || maxInitialTimestamp < 0) invalid('maxInitialTimestamp must be a non-negative number of seconds');
  const silenceThreshold = o.silenceThreshold ?? d.silenceThreshold;
  if (!Number.isFinite(silenceThreshold) || silenceThreshold < 0) invalid('silenceThreshold must be a non-negative RMS level');
  const patience = o.patience ?? d.patience;
  if (!Number.isFinite(patience) || patience <= 0) invalid('patience must be a positive number');
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) invalid('signal must be an AbortSignal');
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') invalid('onProgress must be a function');
  const wordTimestamps = o.wordTimestamps ?? d.wordTimestamps;
  if (typeof wordTimestamps !== 'boolean') invalid('wordTimestamps must be a boolean');
  const prependPunctuations = o.prependPunctuations ?? d.prependPunctuations;
  const appendPunctuations = o.appendPunctuations ?? d.appendPunctuations;
  if (typeof prependPunctuations !== 'string' || typeof appendPunctuations !== 'string') invalid('prependPunctuations and appendPunctuations must be strings');
  if (o.alignmentHeads !== undefined && typeof o.alignmentHeads !== 'string' && !Array.isArray(o.alignmentHeads)) {
    invalid('alignmentHeads must be a preset name or a list of [layer, head] pairs');
  }
  const hallucination = o.hallucinationSilenceThreshold;
  if (hallucination !== undefined && (typeof hallucination !== 'number' || !Number.isFinite(hallucination) || hallucination < 0)) {
    invalid('hallucinationSilenceThreshold must be a non-negative number of seconds');
  }
  const seed = o.seed ?? d.seed;
  if (!Number.isInteger(seed)) invalid('seed must be an integer');
  const vad = resolveTranscribeVad(o.vad);
  if (o.vadModel !== undefined && (typeof o.vadModel !== 'string' || o.vadModel.length === 0)) invalid('vadModel must be the path of a Silero VAD model file');
  return Object.freeze({
    language: o.language,
    task,
    temperatures: Object.freeze(temps),
    bestOf: positiveInt(o.bestOf ?? d.bestOf, 'bestOf', 64),
    beamSize: o.beamSize === undefined ? undefined : positiveInt(o.beamSize, 'beamSize', 64),
    patience,
    lengthPenalty: finiteOrNull(o.lengthPenalty ?? d.lengthPenalty, 'lengthPenalty'),
    compressionRatioThreshold: finiteOrNull(o.compressionRatioThreshold === undefined ? d.compressionRatioThreshold : o.compressionRatioThreshold, 'compressionRatioThreshold'),
    logprobThreshold: finiteOrNull(o.logprobThreshold === undefined ? d.logprobThreshold : o.logprobThreshold, 'logprobThreshold'),
    noSpeechThreshold: finiteOrNull(o.noSpeechThreshold === undefined ? d.noSpeechThreshold : o.noSpeechThreshold, 'noSpeechThreshold'),
    conditionOnPreviousText: o.conditionOnPreviousText ?? d.conditionOnPreviousText,
    initialPrompt: o.initialPrompt,
    // a copy: the caller's array may change while the call runs
    suppressTokens: suppressTokens === 'non-speech' ? suppressTokens : Object.freeze([...suppressTokens]),
    suppressBlank: o.suppressBlank ?? d.suppressBlank,
    withoutTimestamps: o.withoutTimestamps ?? d.withoutTimestamps,
    maxInitialTimestamp,
    sampleLen: o.sampleLen === undefined ? undefined : positiveInt(o.sampleLen, 'sampleLen', 65_536),
    silenceThreshold,
    seed,
    vad,
    vadModel: o.vadModel,
    batchSize: positiveInt(o.batchSize ?? d.batchSize, 'batchSize', 64),
    signal: o.signal,
    onProgress: o.onProgress,
    wordTimestamps,
    prependPunctuations,
    appendPunctuations,
    alignmentHeads: o.alignmentHeads,
    hallucinationSilenceThreshold: hallucination,
  });
}

/**
 * The decoding options of a resolved record, frozen: what every window's decode of one call
 * shares, as openai/whisper transcribe.py's `decode_options`. @internal
 */
export function decodingOptionsOf(o: ResolvedTranscribeOptions): ResolvedDecodingOptions {
  return Object.freeze(Object.fromEntries(DECODING_OPTION_KEYS.map((key) => [key, o[key]]))) as ResolvedDecodingOptions;
}
