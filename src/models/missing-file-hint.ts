/**
 * The advice appended to "model file not found": how to get one. A missing `ggml-<name>.bin`
 * of a known model gets the exact command that fetches it.
 * @module
 */
import { basename } from 'node:path';

import { WHISPER_CPP_MODELS, modelFileName } from './registry.js';

/** What to do when the model file at `path` cannot be read. */
export function missingModelFileHint(path: string): string {
  const file = basename(path);
  const known = WHISPER_CPP_MODELS.find((e) => modelFileName(e) === file);
  if (known !== undefined) {
    return `Pass the name '${known.name}' instead of a path to download it into the cache, ` +
      `or fetch it first with \`amanuensis models download ${known.name}\``;
  }
  return 'Pass a model name (e.g. \'base.en\') instead of a path to download it into the cache, or fetch one with ' +
    '`amanuensis models download <name>` (`amanuensis models list` shows the names)';
}
