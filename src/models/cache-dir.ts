/**
 * Where cached models live and where they are fetched from: an option, else an environment
 * variable, else the platform default.
 * @module
 */
import { join } from 'node:path';

import envPaths from 'env-paths';

import { AmanuensisError } from '../errors.js';
import type { ModelCacheOptions } from './options.js';
import { type ModelEntry, modelFileName } from './registry.js';

/** Environment variable naming the models directory. */
export const MODELS_DIR_ENV = 'AMANUENSIS_MODELS_DIR';
/** Environment variable naming a mirror of the model files. */
export const MODELS_BASE_URL_ENV = 'AMANUENSIS_MODELS_BASE_URL';

/** The models directory the options (or the environment, or the platform) name. */
export function modelsDirectory(options: ModelCacheOptions = {}): string {
  const chosen = options.modelsDir ?? nonEmpty(process.env[MODELS_DIR_ENV]);
  if (chosen !== undefined) {
    if (typeof chosen !== 'string' || chosen.length === 0) throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'modelsDir must be a non-empty path');
    return chosen;
  }
  // no "-nodejs" suffix: the directory is amanuensis's own
  return join(envPaths('amanuensis', { suffix: '' }).cache, 'models');
}

/** Where `entry` is cached. */
export function cachedModelPath(entry: ModelEntry, options: ModelCacheOptions = {}): string {
  return join(modelsDirectory(options), modelFileName(entry));
}

/**
 * Where `entry` is fetched from: under the mirror when one is set, else its published URL.
 * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` when the mirror is not an http(s) URL
 */
export function modelUrl(entry: ModelEntry, options: ModelCacheOptions = {}): string {
  const mirror = options.modelsBaseUrl ?? nonEmpty(process.env[MODELS_BASE_URL_ENV]);
  if (mirror === undefined) return entry.url;
  if (typeof mirror !== 'string' || !/^https?:\/\//i.test(mirror) || !URL.canParse(mirror)) {
    throw new AmanuensisError('ERR_INVALID_ARGUMENT', `modelsBaseUrl (or ${MODELS_BASE_URL_ENV}) must be an http(s) URL, got ${JSON.stringify(mirror)}`);
  }
  return `${mirror.replace(/\/+$/, '')}/${encodeURIComponent(modelFileName(entry))}`;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
