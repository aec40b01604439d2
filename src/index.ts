/**
 * amanuensis: OpenAI Whisper speech-to-text inside Node.js, on whisper.cpp's GGML model files.
 *
 * What an application needs: the {@link Transcriber} and its streaming sessions, the model cache, the options
 * and result records, the three pluggable stages with their implementations, the utilities
 * the Transcriber is built from, audio decoding, subtitle writers, errors and constants. The
 * model file reader, the native addon's interface, cache keys and buffer kinds are in the
 * subpath export `amanuensis/advanced`.
 * @packageDocumentation
 */
export { Transcriber } from './transcriber.js';
export type { TranscriberParts } from './transcriber.js';
export type { TranscriberLoadOptions } from './load.js';
export { downloadModel, listModels, modelPath } from './models/model-cache.js';
export type { ModelInfo } from './models/model-cache.js';
export type { ModelCacheOptions, ModelDownloadOptions, ModelDownloadProgress } from './models/options.js';
export type { ModelEntry } from './models/registry.js';
export type { LanguageDetection } from './decoder/language-detection.js';
export type { TranscribeOptions, TranscribeProgress } from './options.js';
export { DEFAULT_TRANSCRIBE_OPTIONS } from './options.js';
export type { DecodingResult, Segment, SourceRange, TranscriptionResult, TranscriptionTimings, WindowTiming, Word } from './types.js';
export type { TranscribeVadOptions } from './transcribe/transcribe-vad-options.js';
export { TRANSCRIBE_VAD_DEFAULTS } from './transcribe/transcribe-vad-options.js';
export type { AlignmentHead, AlignmentHeadsOption, AlignmentHeadsPreset } from './alignment/alignment-heads.js';
export type { AlignOptions, AlignSegment, AlignmentResult } from './alignment/align-options.js';
export { AmanuensisError } from './errors.js';
export type { AmanuensisErrorCode } from './errors.js';
export * from './constants.js';
export { WhisperMelFrontend, melWindow } from './audio/mel-frontend.js';
export { NativeMelFrontend } from './audio/native-mel-frontend.js';
export type { MelComputeOptions, MelFrontend, MelSpectrogram, MelWindowOptions } from './audio/mel-frontend.js';
export type { EncodeOptions, Encoder } from './encoder/encoder.js';
export { CpuEncoder } from './encoder/cpu-encoder.js';
export type { EncoderChoice, EncoderFallbackWarning } from './encoder/select-encoder.js';
export { Xdna2Encoder } from './encoder/xdna2-encoder.js';
export type { Xdna2Options, Xdna2TileShape } from './encoder/xdna2-options.js';
export { listBackends } from './encoder/backends.js';
export type { BackendInfo, ListBackendsOptions } from './encoder/backends.js';
export type { DecodeStepProgress, Decoder, DecoderSession, TokenLoopOutcome, TokenLoopRequest } from './decoder/decoder.js';
export { CpuDecoder } from './decoder/cpu-decoder.js';
export type { DecoderBatchingOptions } from './decoder/step-batcher.js';
export { ApplyTimestampRules, SuppressBlank, SuppressTokens } from './decoder/logit-filters.js';
export type { LogitFilter } from './decoder/logit-filters.js';
export { Tokenizer } from './tokenizer/tokenizer.js';
export type { SpecialTokens, Task } from './tokenizer/tokenizer.js';
export { LANGUAGES } from './tokenizer/languages.js';
export type { ModelDimensions } from './model/hparams.js';
export { decodeAudio, decodeAudioFile } from './audio/audio-file.js';
export type { DecodeAudioOptions, DecodedAudio } from './audio/audio-file.js';
export { createPcmChunkTransform, PcmChunkDecoder } from './audio/pcm-chunk-decoder.js';
export type { PcmChunkDecoderOptions, PcmEncoding } from './audio/pcm-chunk-decoder.js';
export { toSrt, toText, toTsv, toVtt } from './formats/subtitles.js';
export type { SubtitleLayoutOptions, SubtitleSource } from './formats/subtitles.js';
export { RingBuffer } from './utils/ring-buffer.js';
export type { OverflowPolicy, RingBufferOptions } from './utils/ring-buffer.js';
export { BufferPool } from './utils/buffer-pool.js';
export type { AcquireOptions, ArrayOf, BufferKind, BufferPoolOptions, BufferPoolStats, PoolElementType, PooledBuffer } from './utils/buffer-pool.js';
export type { BufferPoolSettings } from './transcribe/buffers.js';
export { EncoderCache } from './utils/encoder-cache.js';
export type { EncoderCacheOptions, EncoderCacheStats } from './utils/encoder-cache.js';
export { PerformanceProfiler } from './utils/performance-profiler.js';
export type { PathStats, PerformanceProfilerOptions, ProfileJson, Span } from './utils/performance-profiler.js';
export { TranscriptionSession } from './streaming/session.js';
export type { SessionOptions } from './streaming/session.js';
export type { PartialEvent, SegmentEvent, SessionEvent, SpeechEndSessionEvent, SpeechStartSessionEvent, WordEvent } from './streaming/session-events.js';
export { SESSION_VAD_DEFAULTS } from './streaming/session.js';
export { Vad } from './vad/vad.js';
export type { VadLoadOptions, VadProbabilityOptions, VadSegmentOptions } from './vad/vad.js';
export { VadProbabilityStream, VadStream } from './vad/vad-stream.js';
export { speechSegmentsFromProbabilities } from './vad/speech-segments.js';
export type { SpeechSegment } from './vad/speech-segments.js';
export type { SpeechSegmentOptions } from './vad/speech-segment-options.js';
export type { SpeechEndEvent, SpeechEvent, SpeechEventOptions, SpeechStartEvent } from './vad/speech-events.js';
export { VAD_FRAME_SAMPLES } from './vad/vad-constants.js';
export { AdmissionQueue } from './utils/admission-queue.js';
export type { AdmissionQueueOptions, AdmissionQueueStats } from './utils/admission-queue.js';
