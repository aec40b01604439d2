/**
 * An LRU cache of audio features keyed by a hash of the encoder input and the model's
 * identity, bounded by entries and bytes (bookkeeping by the lru-cache package, hashing by
 * node:crypto). A hit skips the encoder entirely.
 * @module
 */
import { createHash } from 'node:crypto';

import { LRUCache } from 'lru-cache';

import { AmanuensisError } from '../errors.js';

/** Options of {@link EncoderCache}. */
export interface EncoderCacheOptions {
  /** Most entries. Default 32. */
  readonly maxEntries?: number;
  /** Most bytes of features held. Default 256 MiB. */
  readonly maxBytes?: number;
}

/** Counters of an {@link EncoderCache}. */
export interface EncoderCacheStats {
  /** Lookups that found features. */
  readonly hits: number;
  /** Lookups that did not. */
  readonly misses: number;
  /** hits / (hits + misses); 0 before any lookup. */
  readonly hitRate: number;
  /** Entries dropped to respect the bounds. */
  readonly evictions: number;
  /** Entries held now. */
  readonly entries: number;
  /** Bytes of features held. */
  readonly bytes: number;
}

/**
 * The cache key of an encoder input for one model: SHA-256 over the model identity and the
 * input's bytes, hex.
 * @param modelId - identity of the model (see `Transcriber.modelId`); different models never share keys
 * @param input - the encoder input, e.g. a log-mel window `[nMels, 3000]`
 */
export function encoderCacheKey(modelId: string, input: Float32Array): string {
  return createHash('sha256')
    .update(modelId)
    .update('\0')
    .update(new Uint8Array(input.buffer, input.byteOffset, input.byteLength))
    .digest('hex');
}

/** LRU of audio features `[nAudioCtx, nAudioState]` by key. Stored arrays must not be modified. */
export class EncoderCache {
  private readonly lru: LRUCache<string, Float32Array>;
  private hits = 0;
  private misses = 0;
  private evictions = 0;

  /** @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for non-positive bounds */
  constructor(options: EncoderCacheOptions = {}) {
    const maxEntries = options.maxEntries ?? 32;
    const maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
    if (!Number.isInteger(maxEntries) || maxEntries < 1 || !Number.isInteger(maxBytes) || maxBytes < 1) {
      throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'maxEntries and maxBytes must be positive integers');
    }
    this.lru = new LRUCache<string, Float32Array>({
      max: maxEntries,
      maxSize: maxBytes,
      sizeCalculation: (v) => Math.max(1, v.byteLength),
      dispose: (_v, _k, reason) => {
        if (reason === 'evict') this.evictions++;
      },
    });
  }

  /** The features for `key`, counting a hit or a miss; undefined on a miss. */
  get(key: string): Float32Array | undefined {
    const v = this.lru.get(key);
    if (v === undefined) this.misses++;
    else this.hits++;
    return v;
  }

  /**
   * Stores features (the array itself, not a copy). An entry larger than maxBytes is not stored.
   * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for a non-Float32Array
   */
  set(key: string, features: Float32Array): void {
    if (!(features instanceof Float32Array)) throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'features must be a Float32Array');
    this.lru.set(key, features);
  }

  /** Whether `key` is cached (does not count as a lookup or refresh recency). */
  has(key: string): boolean {
    return this.lru.has(key);
  }

  /** Removes one entry; true if it was there. */
  delete(key: string): boolean {
    return this.lru.delete(key);
  }

  /** Removes every entry (the counters are kept). */
  clear(): void {
    this.lru.clear();
  }

  /** Counters and current size. */
  stats(): EncoderCacheStats {
    const lookups = this.hits + this.misses;
    return {
      hits: this.hits,
      misses: this.misses,
      hitRate: lookups === 0 ? 0 : this.hits / lookups,
      evictions: this.evictions,
      entries: this.lru.size,
      bytes: this.lru.calculatedSize,
    };
  }
}
