/**
 * The model cache: whisper.cpp model files asked for by name, kept in one directory and fetched
 * there once. A cached file is used without any network call; a missing one is downloaded under
 * a lock, so that concurrent loaders (in any process) download it once and all use that file.
 * @module
 */
import { mkdir, stat } from 'node:fs/promises';

import { AmanuensisError } from '../errors.js';
import { GGML_MAGIC } from '../model/ggml-loader.js';
import { cachedModelPath, modelUrl, modelsDirectory } from './cache-dir.js';
import { downloadFile } from './download.js';
import { isLoadable, quantizationOf } from './loadable.js';
import { withFileLock } from './lock.js';
import type { ModelCacheOptions, ModelDownloadOptions } from './options.js';
import { type ModelEntry, modelRegistry } from './registry.js';
import { unknownModelError } from './unknown-model.js';

/** How every whisper.cpp model file starts: the GGML magic, little-endian ("lmgg"). */
const GGML_MAGIC_BYTES = Buffer.alloc(4);
GGML_MAGIC_BYTES.writeUInt32LE(GGML_MAGIC);

/** A model known by name and its state in the cache (see {@link listModels}). */
export interface ModelInfo {
  /** The name to pass to {@link Transcriber.load} or {@link downloadModel}. */
  readonly name: string;
  /** Where it is fetched from (the mirror's URL when one is set). */
  readonly url: string;
  /** Where it is, or would be, cached. */
  readonly path: string;
  /** Whether the file is in the cache. */
  readonly cached: boolean;
  /** Bytes: of the cached file, else the published size when known exactly. */
  readonly bytes: number | undefined;
  /** Approximate size in MiB as published, when published. */
  readonly approxMiB: number | undefined;
  /** The checksum a download is verified against: `'sha256'`, `'sha1'`, or `'size'` when only the announced size is checked. */
  readonly verifiedBy: 'sha256' | 'sha1' | 'size';
  /**
   * Whether {@link Transcriber.load} accepts this name: true for every f16 and quantized
   * (`-q5_0`, `-q5_1`, `-q8_0`) file of the registry; false only for a custom name that says a
   * quantization the loader does not compute with (refused with `ERR_MODEL_UNSUPPORTED_TENSOR_TYPE`).
   */
  readonly loadable: boolean;
  /** The quantization the name says the file has (`'q5_0'`, `'q5_1'`, `'q8_0'`), undefined for f32/f16 files. */
  readonly quantization: string | undefined;
}

/**
 * Every model known by name (whisper.cpp's, then your `customModels`), with whether it is cached.
 * Reads the cache directory only; no network.
 * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for a bad option or custom entry
 */
export async function listModels(options: ModelCacheOptions = {}): Promise<ModelInfo[]> {
  return Promise.all([...modelRegistry(options.customModels).values()].map(async (entry) => {
    const path = cachedModelPath(entry, options);
    const size = await cachedSize(path);
    return {
      name: entry.name,
      url: modelUrl(entry, options),
      path,
      cached: size !== undefined,
      bytes: size ?? entry.bytes,
      approxMiB: entry.approxMiB,
      verifiedBy: entry.sha256 !== undefined ? 'sha256' : entry.sha1 !== undefined ? 'sha1' : 'size',
      loadable: isLoadable(entry),
      quantization: quantizationOf(entry),
    } satisfies ModelInfo;
  }));
}

/**
 * Where the model `name` is, or would be, cached. Touches neither the disk nor the network.
 * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for an unknown name (with the close ones)
 */
export function modelPath(name: string, options: ModelCacheOptions = {}): string {
  return cachedModelPath(knownModel(name, options), options);
}

/**
 * The cached file of the model `name`, downloaded first if it is not cached (see
 * {@link ModelDownloadOptions}): resumed from a partial file an interrupted download left,
 * verified against the announced size and the published checksum, then renamed into place.
 * While another process downloads the same file, this waits for it and then uses its file.
 * Quantized models (`-q5_0`, `-q5_1`, `-q8_0`) are downloaded too, though
 * {@link Transcriber.load} cannot load them yet (see {@link ModelInfo.loadable}).
 * @param name - a whisper.cpp model name (`'base.en'`, `'large-v3-turbo-q5_0'`: see {@link listModels}) or a custom one
 * @returns the path of the cached file
 * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for an unknown name or a bad option,
 *   `ERR_MODEL_DOWNLOAD` when it cannot be fetched (HTTP error, no network, size or checksum
 *   mismatch) or is not cached with `download: false`, `ERR_ABORTED`
 */
export async function downloadModel(name: string, options: ModelDownloadOptions = {}): Promise<string> {
  return ensureCached(knownModel(name, options), options);
}

/** @internal The registry entry of `name`, if it is a known name. */
export function findModel(name: string, options: ModelCacheOptions = {}): ModelEntry | undefined {
  return modelRegistry(options.customModels).get(name);
}

/** @internal The cached file of `entry`, downloaded first when missing. */
export async function ensureCached(entry: ModelEntry, options: ModelDownloadOptions): Promise<string> {
  assertDownloadOptions(options);
  const path = cachedModelPath(entry, options);
  if (await cachedSize(path) !== undefined) return path;
  const url = modelUrl(entry, options);
  const byHand = `To place it by hand, download ${url} and save it as ${path}`;
  if (options.download === false) {
    throw new AmanuensisError('ERR_MODEL_DOWNLOAD',
      `model '${entry.name}' is not in the cache and downloading is off. ${byHand}, or run \`amanuensis models download ${entry.name}\``);
  }
  await makeDirectory(modelsDirectory(options));
  const onWaitingForDownload = options.onWaitingForDownload;
  const onWait = onWaitingForDownload === undefined ? undefined : (): void => onWaitingForDownload(entry.name);
  await withFileLock(path, { signal: options.signal, onWait }, async (lockLost) => {
    // another process may have finished it while this one waited for the lock
    if (await cachedSize(path) !== undefined) return;
    const onProgress = options.onDownloadProgress;
    await downloadFile({
      url, path,
      ...(entry.sha256 !== undefined && { sha256: entry.sha256 }),
      ...(entry.sha1 !== undefined && { sha1: entry.sha1 }),
      ...(entry.bytes !== undefined && { bytes: entry.bytes }),
      startsWith: GGML_MAGIC_BYTES,
      ...(onProgress !== undefined && { onProgress: (bytesDone, bytesTotal) => onProgress({ model: entry.name, bytesDone, bytesTotal }) }),
      signal: options.signal === undefined ? lockLost : AbortSignal.any([options.signal, lockLost]),
      hint: `${byHand}.`,
    });
  });
  return path;
}

function knownModel(name: string, options: ModelCacheOptions): ModelEntry {
  if (typeof name !== 'string' || name.length === 0) throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'the model name must be a non-empty string');
  const registry = modelRegistry(options.customModels);
  const entry = registry.get(name);
  if (entry === undefined) throw unknownModelError(name, registry.keys());
  return entry;
}

function assertDownloadOptions(options: ModelDownloadOptions): void {
  if (options.download !== undefined && typeof options.download !== 'boolean') {
    throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'download must be a boolean');
  }
  if (options.onDownloadProgress !== undefined && typeof options.onDownloadProgress !== 'function') {
    throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'onDownloadProgress must be a function');
  }
  if (options.onWaitingForDownload !== undefined && typeof options.onWaitingForDownload !== 'function') {
    throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'onWaitingForDownload must be a function');
  }
}

/** The size of a regular file at `path`, or undefined when there is none. */
async function cachedSize(path: string): Promise<number | undefined> {
  try {
    const s = await stat(path);
    return s.isFile() ? s.size : undefined;
  } catch {
    return undefined;
  }
}

async function makeDirectory(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new AmanuensisError('ERR_MODEL_DOWNLOAD',
      `cannot create the models directory '${dir}' (${(err as Error).message}); choose another with the modelsDir option or AMANUENSIS_MODELS_DIR`, { cause: err });
  }
}
