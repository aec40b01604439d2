/**
 * The shapes of the main public types, written out: adding, removing, renaming or retyping a
 * field (or making it optional, or writable) fails the type check of this file. The types are
 * imported from the entry points, so a type that leaves its entry point fails it too.
 *
 * Checked by the compiler, not at run time: `npx tsc --noEmit`, and `typecheck.test.ts`, which
 * runs tsc on this folder as part of `npm test`. When a change is intended, update the shape
 * here and say so in the CHANGELOG.
 */
import { expectTypeOf } from 'vitest';

import type {
  AdmissionQueueOptions, AmanuensisErrorCode, BufferPool, BufferPoolSettings, DecoderBatchingOptions, Decoder,
  DecoderSession, DecodingResult, EncodeOptions, Encoder, EncoderCache, EncoderChoice, EncoderFallbackWarning,
  LanguageDetection, MelComputeOptions, ModelDownloadProgress, ModelEntry, ModelInfo, MelFrontend, MelSpectrogram, MelWindowOptions, PerformanceProfiler, Segment, SessionOptions, Task, TranscribeOptions,
  TranscribeProgress, TranscriberLoadOptions, TranscriptionResult, TranscriptionTimings, SourceRange, TokenLoopOutcome, TokenLoopRequest, WindowTiming, Xdna2Options,
} from '../../src/index.js';
import type {
  SpeechEvent, SpeechEventOptions, SpeechSegment, SpeechSegmentOptions, VadLoadOptions, VadProbabilityOptions, VadSegmentOptions,
} from '../../src/index.js';
import type { TranscriberBufferKind } from '../../src/advanced.js';
import type { AlignmentHeadsOption, Word } from '../../src/index.js';
import type { PartialEvent, SegmentEvent, SessionEvent, SpeechEndSessionEvent, SpeechStartSessionEvent, WordEvent } from '../../src/index.js';

expectTypeOf<TranscribeOptions>().toEqualTypeOf<{
  readonly language?: string;
  readonly task?: Task;
  readonly temperature?: number | readonly number[];
  readonly bestOf?: number;
  readonly beamSize?: number;
  readonly patience?: number;
  readonly lengthPenalty?: number | null;
  readonly compressionRatioThreshold?: number | null;
  readonly logprobThreshold?: number | null;
  readonly noSpeechThreshold?: number | null;
  readonly conditionOnPreviousText?: boolean;
  readonly initialPrompt?: string;
  readonly suppressTokens?: readonly number[] | 'non-speech';
  readonly suppressBlank?: boolean;
  readonly withoutTimestamps?: boolean;
  readonly maxInitialTimestamp?: number;
  readonly sampleLen?: number;
  readonly silenceThreshold?: number;
  readonly seed?: number;
  readonly vad?: boolean | SpeechSegmentOptions;
  readonly vadModel?: string;
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: TranscribeProgress) => void;
  readonly wordTimestamps?: boolean;
  readonly prependPunctuations?: string;
  readonly appendPunctuations?: string;
  readonly alignmentHeads?: AlignmentHeadsOption;
  readonly hallucinationSilenceThreshold?: number;
}>();

expectTypeOf<TranscribeProgress>().toEqualTypeOf<{
  readonly processedFrames: number;
  readonly totalFrames: number;
  readonly fraction: number;
  readonly decodedTokens: number;
}>();

expectTypeOf<Task>().toEqualTypeOf<'transcribe' | 'translate'>();

expectTypeOf<TranscriptionResult>().toEqualTypeOf<{
  readonly text: string;
  readonly segments: readonly Segment[];
  readonly language: string;
  readonly durationS: number;
  readonly timings: TranscriptionTimings;
  readonly realtimeFactor: number;
  readonly alignmentHeads?: string;
}>();

expectTypeOf<Segment>().toEqualTypeOf<{
  readonly id: number;
  readonly seek: number;
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly tokens: readonly number[];
  readonly temperature: number;
  readonly avgLogprob: number;
  readonly compressionRatio: number;
  readonly noSpeechProb: number;
  readonly sourceRanges?: readonly SourceRange[];
  readonly words?: readonly Word[];
}>();

expectTypeOf<SourceRange>().toEqualTypeOf<{
  readonly start: number;
  readonly end: number;
  readonly startSample: number;
  readonly endSample: number;
}>();

expectTypeOf<Word>().toEqualTypeOf<{
  readonly word: string;
  readonly start: number;
  readonly end: number;
  readonly probability: number;
  readonly tokens: readonly number[];
}>();

expectTypeOf<WindowTiming>().toEqualTypeOf<{
  readonly seek: number;
  readonly frames: number;
  readonly skipped?: 'silence' | 'no-speech';
  readonly encodeMs: number;
  readonly cached?: boolean;
  readonly decodeMs: number;
  readonly temperatures: readonly number[];
  readonly encoder?: string;
  readonly sourceRanges?: readonly SourceRange[];
  readonly wordsMs?: number;
}>();

expectTypeOf<TranscriptionTimings>().toEqualTypeOf<{
  readonly melMs: number;
  readonly encodeMs: number;
  readonly decodeMs: number;
  readonly totalMs: number;
  readonly vadMs?: number;
  readonly windows: readonly WindowTiming[];
  readonly encoderFallbackReason?: string;
}>();

expectTypeOf<DecodingResult>().toEqualTypeOf<{
  readonly tokens: readonly number[];
  readonly text: string;
  readonly language: string;
  readonly avgLogprob: number;
  readonly noSpeechProb: number;
  readonly temperature: number;
  readonly compressionRatio: number;
}>();

expectTypeOf<LanguageDetection>().toEqualTypeOf<{
  readonly language: string;
  readonly probabilities: Readonly<Record<string, number>>;
}>();

expectTypeOf<TranscriberLoadOptions>().toEqualTypeOf<{
  readonly threads?: number;
  readonly simd?: boolean;
  readonly avx512?: boolean;
  readonly int8Activations?: boolean;
  readonly encoder?: EncoderChoice;
  readonly xdna2?: Xdna2Options;
  readonly onWarning?: (warning: EncoderFallbackWarning) => void;
  readonly frontend?: MelFrontend;
  readonly decoder?: Decoder;
  readonly tiktokenFile?: string;
  readonly nativeBinding?: string;
  readonly signal?: AbortSignal;
  readonly cache?: EncoderCache | false;
  readonly bufferPool?: BufferPool<TranscriberBufferKind> | BufferPoolSettings;
  readonly profile?: boolean;
  readonly queue?: AdmissionQueueOptions;
  readonly decoderBatching?: DecoderBatchingOptions | false;
  readonly tokenLoop?: 'native' | 'typescript';
  readonly download?: boolean;
  readonly onDownloadProgress?: (progress: ModelDownloadProgress) => void;
  readonly onWaitingForDownload?: (model: string) => void;
  readonly modelsDir?: string;
  readonly modelsBaseUrl?: string;
  readonly customModels?: readonly ModelEntry[];
}>();

expectTypeOf<ModelDownloadProgress>().toEqualTypeOf<{
  readonly model: string;
  readonly bytesDone: number;
  readonly bytesTotal: number | undefined;
}>();

expectTypeOf<ModelEntry>().toEqualTypeOf<{
  readonly name: string;
  readonly file?: string;
  readonly url: string;
  readonly sha256?: string;
  readonly sha1?: string;
  readonly bytes?: number;
  readonly approxMiB?: number;
}>();

expectTypeOf<ModelInfo>().toEqualTypeOf<{
  readonly name: string;
  readonly url: string;
  readonly path: string;
  readonly cached: boolean;
  readonly bytes: number | undefined;
  readonly approxMiB: number | undefined;
  readonly verifiedBy: 'sha256' | 'sha1' | 'size';
  readonly loadable: boolean;
  readonly quantization: string | undefined;
}>();

expectTypeOf<EncoderChoice>().toEqualTypeOf<'auto' | 'cpu' | 'xdna2' | Encoder>();

expectTypeOf<SessionOptions>().toEqualTypeOf<{
  readonly language?: string;
  readonly task?: Task;
  readonly temperature?: number | readonly number[];
  readonly bestOf?: number;
  readonly beamSize?: number;
  readonly patience?: number;
  readonly lengthPenalty?: number | null;
  readonly compressionRatioThreshold?: number | null;
  readonly logprobThreshold?: number | null;
  readonly noSpeechThreshold?: number | null;
  readonly suppressTokens?: readonly number[] | 'non-speech';
  readonly suppressBlank?: boolean;
  readonly withoutTimestamps?: boolean;
  readonly maxInitialTimestamp?: number;
  readonly sampleLen?: number;
  readonly silenceThreshold?: number;
  readonly seed?: number;
  readonly vadModel?: string;
  readonly stepMs?: number;
  readonly granularity?: 'word' | 'segment';
  readonly vad?: 'silero' | 'energy' | boolean;
  readonly vadOptions?: SpeechEventOptions;
  readonly vadThreshold?: number;
  readonly initialPrompt?: string;
  readonly signal?: AbortSignal;
  readonly wordTimestamps?: boolean;
  readonly prependPunctuations?: string;
  readonly appendPunctuations?: string;
  readonly alignmentHeads?: AlignmentHeadsOption;
  readonly hallucinationSilenceThreshold?: number;
}>();

expectTypeOf<WordEvent>().toEqualTypeOf<{
  readonly type: 'word';
  readonly word: string;
  readonly start: number;
  readonly end: number;
  readonly probability: number;
  readonly latencyMs: number;
}>();

expectTypeOf<SessionEvent>().toEqualTypeOf<PartialEvent | WordEvent | SegmentEvent | SpeechStartSessionEvent | SpeechEndSessionEvent>();

expectTypeOf<MelFrontend>().toEqualTypeOf<{
  readonly nMels: number;
  compute(samples: Float32Array, options?: MelComputeOptions): MelSpectrogram;
  computeAsync?(samples: Float32Array, options?: MelComputeOptions): Promise<MelSpectrogram>;
  logMelMax?(samples: Float32Array, options?: MelComputeOptions): Promise<number>;
  computeWindow?(samples: Float32Array, options: MelWindowOptions): Promise<MelSpectrogram>;
}>();

expectTypeOf<MelSpectrogram>().toEqualTypeOf<{
  readonly data: Float32Array;
  readonly nMels: number;
  readonly nFrames: number;
}>();

expectTypeOf<MelComputeOptions>().toEqualTypeOf<{ readonly paddingSamples?: number; readonly signal?: AbortSignal }>();

expectTypeOf<Encoder>().toEqualTypeOf<{
  readonly name: string;
  encode(mel: MelSpectrogram, options?: EncodeOptions): Promise<Float32Array>;
}>();

expectTypeOf<EncodeOptions>().toEqualTypeOf<{
  readonly signal?: AbortSignal;
  readonly out?: Float32Array;
  readonly profiler?: PerformanceProfiler;
}>();

expectTypeOf<Decoder>().toEqualTypeOf<{
  readonly nVocab: number;
  readonly nTextCtx: number;
  session(features: Float32Array, nSeq: number): Promise<DecoderSession>;
  logits(tokens: readonly number[] | Int32Array, features: Float32Array): Promise<Float32Array>;
  decodeLoop?(features: Float32Array, request: TokenLoopRequest): Promise<TokenLoopOutcome>;
  alignmentPass?(features: Float32Array, tokens: readonly number[], request: {
    readonly heads: readonly (readonly [number, number])[];
    readonly nPositions: number;
    readonly textVocabEnd: number;
    readonly matrixRows?: readonly [number, number];
  }): Promise<{ readonly weights?: Float32Array; readonly probabilities: Float32Array; readonly matrix?: Float64Array }>;
  retainFeatures?(features: Float32Array, alignmentHeads?: readonly (readonly [number, number])[]): Promise<{ release(): void }>;
}>();

expectTypeOf<DecoderSession>().toEqualTypeOf<{
  readonly nSeq: number;
  step(tokens: Int32Array, nNew: number, positions: Int32Array): Promise<Float32Array>;
  reorder(source: Int32Array): void;
  close?(): void;
}>();

expectTypeOf<AmanuensisErrorCode>().toEqualTypeOf<
  | 'ERR_INVALID_ARGUMENT' | 'ERR_INVALID_AUDIO' | 'ERR_AUDIO_DECODE'
  | 'ERR_MODEL_NOT_FOUND' | 'ERR_MODEL_BAD_MAGIC' | 'ERR_MODEL_TRUNCATED' | 'ERR_MODEL_NO_TENSORS'
  | 'ERR_MODEL_BAD_HPARAMS' | 'ERR_MODEL_UNKNOWN_TENSOR_TYPE' | 'ERR_MODEL_UNSUPPORTED_TENSOR_TYPE'
  | 'ERR_MODEL_MISSING_TENSOR' | 'ERR_MODEL_TENSOR_SHAPE' | 'ERR_MODEL_DUPLICATE_TENSOR' | 'ERR_MODEL_DOWNLOAD'
  | 'ERR_NATIVE_LOAD' | 'ERR_NATIVE' | 'ERR_OUT_OF_MEMORY' | 'ERR_CONTEXT_OVERFLOW' | 'ERR_DECODER_BUSY'
  | 'ERR_ABORTED' | 'ERR_CLOSED' | 'ERR_BUFFER_OVERFLOW' | 'ERR_BUFFER_POOL_TIMEOUT' | 'ERR_BUFFER_RELEASE'
  | 'ERR_BACKEND_UNAVAILABLE' | 'ERR_BACKEND' | 'ERR_QUEUE_FULL' | 'ERR_NUMERIC'
>();

expectTypeOf<MelWindowOptions>().toEqualTypeOf<{
  readonly paddingSamples?: number;
  readonly signal?: AbortSignal;
  readonly firstFrame: number;
  readonly frames: number;
  readonly logMax: number;
}>();

expectTypeOf<SpeechSegment>().toEqualTypeOf<{
  readonly start: number;
  readonly end: number;
  readonly startSample: number;
  readonly endSample: number;
}>();

expectTypeOf<SpeechSegmentOptions>().toEqualTypeOf<{
  readonly threshold?: number;
  readonly negThreshold?: number;
  readonly minSpeechDurationMs?: number;
  readonly maxSpeechDurationS?: number;
  readonly minSilenceDurationMs?: number;
  readonly speechPadMs?: number;
  readonly minSilenceAtMaxSpeechMs?: number;
  readonly useMaxPossibleSilenceAtMaxSpeech?: boolean;
}>();

expectTypeOf<VadSegmentOptions>().toEqualTypeOf<{
  readonly threshold?: number;
  readonly negThreshold?: number;
  readonly minSpeechDurationMs?: number;
  readonly maxSpeechDurationS?: number;
  readonly minSilenceDurationMs?: number;
  readonly speechPadMs?: number;
  readonly minSilenceAtMaxSpeechMs?: number;
  readonly useMaxPossibleSilenceAtMaxSpeech?: boolean;
  readonly signal?: AbortSignal;
}>();

expectTypeOf<VadLoadOptions>().toEqualTypeOf<{
  readonly threads?: number;
  readonly simd?: boolean;
  readonly avx512?: boolean;
  readonly nativeBinding?: string;
  readonly signal?: AbortSignal;
}>();

expectTypeOf<VadProbabilityOptions>().toEqualTypeOf<{
  readonly signal?: AbortSignal;
  readonly framing?: 'silero' | 'whisper.cpp';
}>();

expectTypeOf<SpeechEvent>().toEqualTypeOf<
  { readonly start: number; readonly startSample: number } | { readonly end: number; readonly endSample: number }
>();

expectTypeOf<SpeechEventOptions>().toEqualTypeOf<{
  readonly threshold?: number;
  readonly negThreshold?: number;
  readonly minSilenceDurationMs?: number;
  readonly speechPadMs?: number;
}>();
