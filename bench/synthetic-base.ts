/**
 * Writes a synthetic model with Whisper base dimensions (d 512, 8 heads, 6 + 6 layers, f16,
 * random weights; real filterbank and vocabulary) for the benchmarks, and prints its path.
 *
 * Run: npx tsx bench/synthetic-base.ts   (then pass the path as --model to the other benchmarks)
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { makeSyntheticModel } from '../test/helpers/synthetic-model.js';

const dir = fileURLToPath(new URL('./results/', import.meta.url));
const path = `${dir}ggml-base-synthetic-seed1.bin`;
if (!existsSync(path)) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path, makeSyntheticModel({ nState: 512, nHead: 8, nAudioLayer: 6, nTextLayer: 6, seed: 1 }));
}
console.log(path);
