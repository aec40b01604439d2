/**
 * Options of the model cache: where models are kept, where they are fetched from, and how a
 * download reports and stops.
 * @module
 */
import type { ModelEntry } from './registry.js';

/** Where models asked for by name are kept and fetched from. */
export interface ModelCacheOptions {
  /**
   * Directory of the cached model files. Default: the `AMANUENSIS_MODELS_DIR` environment variable,
   * else `models` in the platform's cache directory (`~/.cache/amanuensis/models` on Linux,
   * `~/Library/Caches/amanuensis/models` on macOS, `%LOCALAPPDATA%\amanuensis\Cache\models` on Windows).
   */
  readonly modelsDir?: string;
  /**
   * A mirror holding the model files under their file names (`<modelsBaseUrl>/ggml-base.en.bin`).
   * Default: the `AMANUENSIS_MODELS_BASE_URL` environment variable, else each model's published location.
   */
  readonly modelsBaseUrl?: string;
  /** Models to know by name besides whisper.cpp's (an entry with a built-in name replaces it). */
  readonly customModels?: readonly ModelEntry[];
}

/** Progress of a model download. */
export interface ModelDownloadProgress {
  /** The model's name. */
  readonly model: string;
  /** Bytes in the partial file so far, including those kept from an earlier, interrupted download. */
  readonly bytesDone: number;
  /** Size of the whole file in bytes, as the server announces it; undefined when it announces none. */
  readonly bytesTotal: number | undefined;
}

/** Options of fetching a model by name into the cache. */
export interface ModelDownloadOptions extends ModelCacheOptions {
  /**
   * Fetch a model that is not in the cache. Default true; false never touches the network and
   * rejects with `ERR_MODEL_DOWNLOAD` when the file is not cached.
   */
  readonly download?: boolean;
  /** Called as bytes arrive (once per chunk received). */
  readonly onDownloadProgress?: (progress: ModelDownloadProgress) => void;
  /**
   * Called once when another loader (in this process or another) is already downloading the
   * same model, before waiting for it to finish; its file is then used. With the model's name.
   */
  readonly onWaitingForDownload?: (model: string) => void;
  /** Cancels the download (the partial file stays, and the next download resumes it) or the wait for another process's download. */
  readonly signal?: AbortSignal;
}
