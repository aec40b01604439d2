/**
 * The buffer kinds a Transcriber takes from its BufferPool.
 * @module
 */
import { N_FRAMES, N_SAMPLES } from '../constants.js';
import type { ModelDimensions } from '../model/hparams.js';
import { BufferPool, type BufferKind } from '../utils/buffer-pool.js';

/**
 * `mel`: one log-mel window `[nMels, 3000]`; `features`: audio features `[nAudioCtx, nAudioState]`;
 * `audio`: 30 s of samples (streaming windows).
 */
export type TranscriberBufferKind = 'mel' | 'features' | 'audio';

/** Sizing of the pool a Transcriber creates when it is not given one. */
export interface BufferPoolSettings {
  /** Buffers allocated up front per kind. Default 0. */
  readonly initialSize?: number;
  /** Most buffers per kind; further calls wait for one. Default 8. */
  readonly maxSize?: number;
  /** How long a call may wait for a buffer, in milliseconds. Default: no limit. */
  readonly timeoutMs?: number;
}

/** The buffer kinds of a model. */
export function transcriberBufferKinds(d: ModelDimensions): Record<TranscriberBufferKind, BufferKind> {
  return {
    mel: { type: 'float32', length: d.nMels * N_FRAMES },
    features: { type: 'float32', length: d.nAudioCtx * d.nAudioState },
    audio: { type: 'float32', length: N_SAMPLES },
  };
}

/** A pool for a model's buffers. */
export function createTranscriberPool(d: ModelDimensions, s: BufferPoolSettings = {}): BufferPool<TranscriberBufferKind> {
  return new BufferPool({ kinds: transcriberBufferKinds(d), ...s });
}
