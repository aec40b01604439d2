/**
 * What `Transcriber.load` is given: a model file's path, or a model's name. An existing file
 * wins; then a known name (fetched into the cache if missing, unless it names a quantization
 * the loader does not compute with: see loadable.ts); then anything that looks like a
 * path is left to the file loader (which reports it missing); anything else is an unknown name.
 * @module
 */
import { stat } from 'node:fs/promises';

import { isLoadable, unloadableModelError } from './loadable.js';
import { ensureCached, findModel } from './model-cache.js';
import type { ModelDownloadOptions } from './options.js';
import { modelRegistry } from './registry.js';
import { unknownModelError } from './unknown-model.js';

/**
 * The path of the model file `model` names.
 * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for an unknown name,
 *   `ERR_MODEL_UNSUPPORTED_TENSOR_TYPE` for a name of an unsupported quantization (before any download), and the errors of {@link downloadModel}
 * @internal
 */
export async function resolveModelFile(model: string, options: ModelDownloadOptions = {}): Promise<string> {
  // not a string, or empty: the file loader reports it
  if (typeof model !== 'string' || model.length === 0 || await isFile(model)) return model;
  const entry = findModel(model, options);
  if (entry !== undefined) {
    if (!isLoadable(entry)) throw unloadableModelError(entry, modelRegistry(options.customModels));
    return ensureCached(entry, options);
  }
  if (looksLikePath(model)) return model;
  throw unknownModelError(model, modelRegistry(options.customModels).keys());
}

/** A directory part or a model file's extension: the caller meant a file. */
function looksLikePath(model: string): boolean {
  return /[/\\]/.test(model) || /\.(bin|gguf)$/i.test(model);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
