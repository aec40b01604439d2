/**
 * Where the Silero VAD model shipped in the npm package lies.
 * @module
 */
import { join } from 'node:path';

import { packageRoot } from '../native/binding.js';

/** File name of the bundled model: Silero VAD v6.2.0 in whisper.cpp's GGML format (MIT; notice beside it). */
export const BUNDLED_VAD_MODEL = 'ggml-silero-v6.2.0.bin';

/**
 * Path of the Silero VAD v6.2.0 model inside the installed package (`models/silero-vad/`),
 * found from the package root as the native addon is, so it works from the ESM and the CommonJS build.
 */
export function bundledVadModelPath(): string {
  return join(packageRoot(), 'models', 'silero-vad', BUNDLED_VAD_MODEL);
}
