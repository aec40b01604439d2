/**
 * Which models in the registry Transcriber.load accepts today. Quantized files (q5_0, q5_1,
 * q8_0) can be downloaded and cached, but the loader reads f32 and f16 weights only: a name
 * for a quantized file is refused before anything is fetched, instead of after gigabytes. When
 * quantized weights load, {@link isLoadable} is the one place to change.
 * @module
 */
import { AmanuensisError } from '../errors.js';
import type { ModelEntry } from './registry.js';

/** `-q5_0`, `-q5_1`, `-q8_0`… at the end of a model name. */
const QUANTIZED_NAME = /-(q\d+_\d+)$/i;
/** The same before the extension of a file name. */
const QUANTIZED_FILE = /-(q\d+_\d+)\.(?:bin|gguf)$/i;

/** The quantization an entry's name (or file name) says it has, such as `'q5_0'`; undefined for f32/f16 files. */
export function quantizationOf(entry: ModelEntry): string | undefined {
  return (QUANTIZED_NAME.exec(entry.name) ?? (entry.file === undefined ? null : QUANTIZED_FILE.exec(entry.file)))?.[1]?.toLowerCase();
}

/** Whether Transcriber.load can load the entry's file today (quantized weights cannot be read yet). */
export function isLoadable(entry: ModelEntry): boolean {
  return quantizationOf(entry) === undefined;
}

/**
 * `ERR_MODEL_UNSUPPORTED_TENSOR_TYPE` for an entry that {@link isLoadable} refuses, naming the
 * unquantized model of the same size when `known` has it.
 */
export function unloadableModelError(entry: ModelEntry, known: ReadonlyMap<string, ModelEntry>): AmanuensisError {
  const unquantized = entry.name.replace(QUANTIZED_NAME, '');
  const instead = unquantized !== entry.name && known.has(unquantized) ? `; use '${unquantized}' (f16) instead` : '';
  return new AmanuensisError('ERR_MODEL_UNSUPPORTED_TENSOR_TYPE',
    `model '${entry.name}' is quantized (${quantizationOf(entry) ?? 'quantized'}), and quantized models (q5_0, q5_1, q8_0) are not supported yet${instead}. ` +
    'Nothing was downloaded.');
}
