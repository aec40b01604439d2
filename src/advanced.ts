/**
 * `amanuensis/advanced`: the low-level pieces under the {@link index!Transcriber | Transcriber}, for tools that read
 * model files, drive the native addon themselves or manage the Transcriber's caches and buffers.
 * Most applications need only the root export, `amanuensis`.
 *
 * - The GGML reader: whisper.cpp model files parsed and validated (hyperparameters, mel
 *   filterbank, vocabulary, tensor table), their ggml types and content identity.
 * - The native addon: its loader and the typed interface of what it exports (model, decoder and
 *   XDNA2 encoder handles), as the stage implementations of the root export use them.
 * - The decoder step batcher that `Transcriber.load` puts under its CPU decoder.
 * - Cache keys of the {@link index!EncoderCache | EncoderCache} and the buffer kinds of the
 *   Transcriber's {@link index!BufferPool | BufferPool}.
 *
 * Everything here reports failures as {@link AmanuensisError}, the root export's class,
 * re-exported here for code that uses only this subpath: the same class, in ESM and in CommonJS.
 * @packageDocumentation
 */
export { AmanuensisError } from './errors.js';
export type { AmanuensisErrorCode } from './errors.js';
export { indexModelFile, parseGgmlHeader, parseGgmlModel, readModelFile, GGML_MAGIC } from './model/ggml-loader.js';
export type { GgmlHeader, GgmlModelFile, IndexedModelFile, MelFilterbank, TensorRecord } from './model/ggml-loader.js';
export { GGML_TYPES } from './model/ggml-types.js';
export type { GgmlTypeInfo } from './model/ggml-types.js';
export { modelIdentity } from './model/model-identity.js';
export { loadNativeAddon } from './native/binding.js';
export type {
  NativeAddon, NativeDecoderHandle, NativeEncoderTimings, NativeModelHandle, NativeStepEntry, NativeXdna2EncodeResult,
  NativeVadHandle, NativeXdna2EncoderHandle,
} from './native/binding.js';
export { DecoderStepBatcher } from './decoder/step-batcher.js';
export type { DecoderBatchStats } from './decoder/step-batcher.js';
export { encoderCacheKey } from './utils/encoder-cache.js';
export { createTranscriberPool, transcriberBufferKinds } from './transcribe/buffers.js';
export type { TranscriberBufferKind } from './transcribe/buffers.js';
export { SpeechEventTracker } from './vad/speech-events.js';
export { ALIGNMENT_HEAD_PRESETS, defaultAlignmentHeads, resolveAlignmentHeads } from './alignment/alignment-heads.js';
export type { ResolvedAlignmentHeads } from './alignment/alignment-heads.js';
export { findAlignment } from './alignment/find-alignment.js';
export type { AlignmentInput, RawAlignment } from './alignment/find-alignment.js';
export type { AlignmentPassRequest, AlignmentPassResult } from './decoder/decoder.js';
