/**
 * The one error class of the library. Every failure the library reports is an
 * {@link AmanuensisError} with a stable {@link AmanuensisErrorCode} (the native module creates
 * it directly: the class is handed to the addon once at load), so callers can switch on `err.code`.
 * @module
 */

/** Stable machine-readable error codes. */
export type AmanuensisErrorCode =
  /** An option or argument has the wrong type or is out of range. */
  | 'ERR_INVALID_ARGUMENT'
  /** Audio is empty, not a Float32Array, or contains NaN or Infinity. */
  | 'ERR_INVALID_AUDIO'
  /** An audio file could not be read or decoded. */
  | 'ERR_AUDIO_DECODE'
  /** The model file does not exist or cannot be read. */
  | 'ERR_MODEL_NOT_FOUND'
  /** The file does not start with the GGML magic `0x67676d6c`. */
  | 'ERR_MODEL_BAD_MAGIC'
  /** The file ends inside the header, the filterbank, the vocabulary or a tensor. */
  | 'ERR_MODEL_TRUNCATED'
  /** The file has a header but no tensors (whisper.cpp's `for-tests-*.bin`). */
  | 'ERR_MODEL_NO_TENSORS'
  /** Hyperparameters are absurd or inconsistent (e.g. zero heads, state not divisible by heads). */
  | 'ERR_MODEL_BAD_HPARAMS'
  /** A tensor's ggml type is not a known ggml type. */
  | 'ERR_MODEL_UNKNOWN_TENSOR_TYPE'
  /** A tensor's ggml type is known (e.g. a quantized type) but not supported yet. */
  | 'ERR_MODEL_UNSUPPORTED_TENSOR_TYPE'
  /** A tensor the architecture needs is absent. */
  | 'ERR_MODEL_MISSING_TENSOR'
  /** A tensor has a shape other than the hyperparameters imply, or a bad name or rank. */
  | 'ERR_MODEL_TENSOR_SHAPE'
  /** Two tensors have the same name. */
  | 'ERR_MODEL_DUPLICATE_TENSOR'
  /**
   * A model asked for by name could not be fetched: the server answered with an error, could not
   * be reached, or sent a file whose size or checksum is not the published one (nothing of it is
   * kept), or it is not in the cache and downloading is off. The message says where it is
   * fetched from and where to put the file by hand.
   */
  | 'ERR_MODEL_DOWNLOAD'
  /** The native module could not be loaded. */
  | 'ERR_NATIVE_LOAD'
  /** The native module failed in an unexpected way. */
  | 'ERR_NATIVE'
  /** Native memory could not be allocated. */
  | 'ERR_OUT_OF_MEMORY'
  /** A decoder was given more tokens than its text context holds. */
  | 'ERR_CONTEXT_OVERFLOW'
  /** A native decoder was used by two operations at once. */
  | 'ERR_DECODER_BUSY'
  /** The operation was cancelled through an AbortSignal. */
  | 'ERR_ABORTED'
  /** The Transcriber was used after `close()`. */
  | 'ERR_CLOSED'
  /** A RingBuffer chunk does not fit under its overflow policy. */
  | 'ERR_BUFFER_OVERFLOW'
  /** A BufferPool acquire waited longer than its timeout. */
  | 'ERR_BUFFER_POOL_TIMEOUT'
  /** A buffer was released twice, or released to a pool it does not belong to. */
  | 'ERR_BUFFER_RELEASE'
  /** The requested encoder backend cannot run here; the message gives the reason (as {@link listBackends}). */
  | 'ERR_BACKEND_UNAVAILABLE'
  /** An accelerator failed while running (e.g. an NPU kernel did not complete). */
  | 'ERR_BACKEND'
  /** The Transcriber's queue is full and its overflow policy is `'reject'`. */
  | 'ERR_QUEUE_FULL'
  /** A stage computed NaN or Infinity (the message names it): the model's weights are corrupt. */
  | 'ERR_NUMERIC';

/**
 * Marks AmanuensisError instances across copies of this module: an application that loads both
 * the ESM and the CommonJS build has two classes, but one native addon, which makes its errors
 * with whichever class handed to it last.
 */
const BRAND = Symbol.for('amanuensis.AmanuensisError');

/** Every error thrown or rejected by amanuensis. */
export class AmanuensisError extends Error {
  /** `instanceof` holds for an AmanuensisError of any copy of the library (ESM and CommonJS builds). */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  /** Stable code to switch on. */
  readonly code: AmanuensisErrorCode;

  /**
   * @param code - one of {@link AmanuensisErrorCode}
   * @param message - what went wrong and, where possible, what to do
   * @param options - `cause`: the underlying error, if any
   */
  constructor(code: AmanuensisErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AmanuensisError';
    this.code = code;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/**
 * Wraps anything thrown that is not already an {@link AmanuensisError} (a library's error, a
 * bug) in one with `fallbackCode`, keeping the original as `cause`. The native module needs no
 * conversion: it is handed this class at load and throws it directly.
 * @internal
 */
export function toAmanuensisError(err: unknown, fallbackCode: AmanuensisErrorCode = 'ERR_NATIVE'): AmanuensisError {
  if (err instanceof AmanuensisError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new AmanuensisError(fallbackCode, message, { cause: err });
}

/**
 * The error of a fired signal: its reason when that is an {@link AmanuensisError} (a closing
 * Transcriber aborts its calls with `ERR_CLOSED`), else `ERR_ABORTED` with the reason as cause.
 * @internal
 */
export function abortError(signal: AbortSignal): AmanuensisError {
  return signal.reason instanceof AmanuensisError
    ? signal.reason
    : new AmanuensisError('ERR_ABORTED', 'the operation was aborted', { cause: signal.reason });
}

/** Throws {@link abortError} if the signal has fired. @internal */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}
