/**
 * The buffer kinds a Transcriber takes from its BufferPool.
 * @module
 */
import { N_FRAMES } from '../constants.js';
import type { ModelDimensions } from '../model/hparams.js';
import { BufferPool, type BufferKind } from '../utils/buffer-pool.js';

/** `mel`: one log-mel window `[nMels, N_FRAMES]`; `features`: audio features `[nAudioCtx, nAudioState]`. */
export type TranscriberBufferKind = 'mel' | 'features';

/** Sizing of the pool a Transcriber creates when it is not given one. */
export interface BufferPoolSettings {
  /** Buffers allocated up front per kind. Default 0. */
  readonly initialSize?: number;
  /** Most buffers per kind; further calls wait for one. Default 8. */
  readonly maxSize?: number;
  /** How long a call may wait for a buffer, in milliseconds. Default: no limit. */
  readonly timeoutMs?: number;
}

/**
 * The buffer kinds of a model, each a float32 array: `mel` of `nMels × N_FRAMES` values,
 * `features` of `nAudioCtx × nAudioState`.
 * @param d - the model's dimensions
 */
export function transcriberBufferKinds(d: ModelDimensions): Record<TranscriberBufferKind, BufferKind> {
  return {
    mel: { type: 'float32', length: d.nMels * N_FRAMES },
    features: { type: 'float32', length: d.nAudioCtx * d.nAudioState },
  };
}

/**
 * A pool of a model's buffer kinds, as a Transcriber makes when it is given none.
 * @param d - the model's dimensions
 * @param s - sizing; default `maxSize` 8 per kind, nothing allocated up front
 * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for bad sizes
 */
export function createTranscriberPool(d: ModelDimensions, s: BufferPoolSettings = {}): BufferPool<TranscriberBufferKind> {
  return new BufferPool({ kinds: transcriberBufferKinds(d), ...s });
}
