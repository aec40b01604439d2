/**
 * amanuensis: OpenAI Whisper speech-to-text inside Node.js, on whisper.cpp's GGML model files.
 * @packageDocumentation
 */
export { Transcriber } from './transcriber.js';
export type { LanguageDetection, TranscriberLoadOptions, TranscriberParts } from './transcriber.js';
export type { TranscribeOptions, TranscribeProgress } from './options.js';
export { DEFAULT_TRANSCRIBE_OPTIONS } from './options.js';
export type { DecodingResult, Segment, TranscriptionResult, TranscriptionTimings, WindowTiming } from './types.js';
export { AmanuensisError } from './errors.js';
export type { AmanuensisErrorCode } from './errors.js';
export * from './constants.js';
export { WhisperMelFrontend, melWindow } from './audio/mel-frontend.js';
export { NativeMelFrontend } from './audio/native-mel-frontend.js';
export type { MelComputeOptions, MelFrontend, MelSpectrogram } from './audio/mel-frontend.js';
export type { EncodeOptions, Encoder } from './encoder/encoder.js';
export { CpuEncoder } from './encoder/cpu-encoder.js';
export type { EncoderChoice } from './encoder/select-encoder.js';
export type { Decoder, DecoderSession } from './decoder/decoder.js';
export { CpuDecoder } from './decoder/cpu-decoder.js';
export { ApplyTimestampRules, SuppressBlank, SuppressTokens } from './decoder/logit-filters.js';
export type { LogitFilter } from './decoder/logit-filters.js';
export { Tokenizer } from './tokenizer/tokenizer.js';
export type { SpecialTokens, Task } from './tokenizer/tokenizer.js';
export { LANGUAGES } from './tokenizer/languages.js';
export { indexModelFile, parseGgmlHeader, parseGgmlModel, readModelFile, GGML_MAGIC } from './model/ggml-loader.js';
export type { GgmlHeader, GgmlModelFile, IndexedModelFile, MelFilterbank, TensorRecord } from './model/ggml-loader.js';
export type { ModelDimensions } from './model/hparams.js';
export { modelIdentity } from './model/model-identity.js';
export { GGML_TYPES } from './model/ggml-types.js';
export type { GgmlTypeInfo } from './model/ggml-types.js';
export { loadNativeAddon } from './native/binding.js';
export type { NativeAddon, NativeDecoderHandle, NativeEncoderTimings, NativeModelHandle } from './native/binding.js';
export { decodeAudio, decodeAudioFile } from './audio/audio-file.js';
export type { DecodeAudioOptions, DecodedAudio } from './audio/audio-file.js';
export { toSrt, toText, toVtt } from './formats/subtitles.js';
export { RingBuffer } from './utils/ring-buffer.js';
export type { OverflowPolicy, RingBufferOptions } from './utils/ring-buffer.js';
export { BufferPool } from './utils/buffer-pool.js';
export type { AcquireOptions, ArrayOf, BufferKind, BufferPoolOptions, BufferPoolStats, PoolElementType, PooledBuffer } from './utils/buffer-pool.js';
export { EncoderCache, encoderCacheKey } from './utils/encoder-cache.js';
export type { EncoderCacheOptions, EncoderCacheStats } from './utils/encoder-cache.js';
export { PerformanceProfiler } from './utils/performance-profiler.js';
export type { PathStats, PerformanceProfilerOptions, ProfileJson, Span } from './utils/performance-profiler.js';
export { createTranscriberPool, transcriberBufferKinds } from './transcribe/buffers.js';
export type { BufferPoolSettings, TranscriberBufferKind } from './transcribe/buffers.js';
