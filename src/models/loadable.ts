/**
 * Which models in the registry Transcriber.load accepts. The loader computes with f32, f16 and
 * ggml's 32-element block types q4_0, q4_1, q5_0, q5_1 and q8_0, which covers every file
 * whisper.cpp publishes; a name that says another quantization is refused before anything is
 * fetched, instead of after gigabytes. {@link isLoadable} is the one place to change when the
 * loader learns another type.
 * @module
 */
import { AmanuensisError } from '../errors.js';
import type { ModelEntry } from './registry.js';

/** `-q5_0`, `-q5_1`, `-q8_0`… at the end of a model name. */
const QUANTIZED_NAME = /-(q\d+_\d+)$/i;
/** The same before the extension of a file name. */
const QUANTIZED_FILE = /-(q\d+_\d+)\.(?:bin|gguf)$/i;
/** The quantizations the loader computes with (ggml's 32-element block types). */
const LOADABLE_QUANTIZATIONS: ReadonlySet<string> = new Set(['q4_0', 'q4_1', 'q5_0', 'q5_1', 'q8_0']);

/** The quantization an entry's name (or file name) says it has, such as `'q5_0'`; undefined for f32/f16 files. */
export function quantizationOf(entry: ModelEntry): string | undefined {
  return (QUANTIZED_NAME.exec(entry.name) ?? (entry.file === undefined ? null : QUANTIZED_FILE.exec(entry.file)))?.[1]?.toLowerCase();
}

/** Whether Transcriber.load can load the entry's file: f32/f16, or a quantization the loader computes with. */
export function isLoadable(entry: ModelEntry): boolean {
  const quantization = quantizationOf(entry);
  return quantization === undefined || LOADABLE_QUANTIZATIONS.has(quantization);
}

/**
 * `ERR_MODEL_UNSUPPORTED_TENSOR_TYPE` for an entry that {@link isLoadable} refuses, naming the
 * unquantized model of the same size when `known` has it.
 */
export function unloadableModelError(entry: ModelEntry, known: ReadonlyMap<string, ModelEntry>): AmanuensisError {
  const unquantized = entry.name.replace(QUANTIZED_NAME, '');
  const instead = unquantized !== entry.name && known.has(unquantized) ? `; use '${unquantized}' (f16) instead` : '';
  return new AmanuensisError('ERR_MODEL_UNSUPPORTED_TENSOR_TYPE',
    `model '${entry.name}' is quantized as ${quantizationOf(entry) ?? 'an unknown type'}, which amanuensis does not compute with ` +
    `(supported: q4_0, q4_1, q5_0, q5_1, q8_0)${instead}. Nothing was downloaded.`);
}
