/**
 * The q4_0, q4_1 and q5_0 model fixtures (test/fixtures/models/): a small synthetic model, 32
 * wide, quantized by whisper.cpp's own `whisper-quantize`. bench/quantized-fixtures.ts makes them
 * again byte for byte; test/fixtures/models/README.md gives the recipe.
 */
import { fileURLToPath } from 'node:url';

import type { BlockType } from './quantized-blocks.js';
import type { SyntheticDims } from './synthetic-model.js';

/**
 * The f16 model the fixtures are quantized from (test/helpers/synthetic-model.ts): real filterbank
 * and English vocabulary, 1 head of 32, 2 encoder and 2 decoder layers. Two decoder layers make
 * whisper.cpp decode it without timestamps (test/helpers/whisper-cpp-parity.ts), in one window.
 */
export const FIXTURE_SOURCE_DIMS: SyntheticDims = { nState: 32, nHead: 1, nAudioLayer: 2, nTextLayer: 2, seed: 15, ftype: 1 };

/** The types the fixtures cover (q5_1 and q8_0 are the shared tiny.en files). */
export const FIXTURE_TYPES = ['q4_0', 'q4_1', 'q5_0'] as const satisfies readonly BlockType[];
export type FixtureType = (typeof FIXTURE_TYPES)[number];

/** Where the fixture of `type` is in the repository. */
export function quantizedFixture(type: FixtureType): string {
  return fileURLToPath(new URL(`../fixtures/models/ggml-synthetic-d32-seed15-${type}.bin`, import.meta.url));
}

/** The sha256 of each fixture as whisper.cpp 1.9.1's whisper-quantize wrote it (also in the README). */
export const FIXTURE_SHA256: Readonly<Record<FixtureType, string>> = {
  q4_0: '49b224a9d2094e1ee564d60981364fad979fc07610c4edb90032ffd065eebbc9',
  q4_1: 'c8c348f347d0b519e9aee483997418f91a2c465ef7087e2357d900d64b3c8843',
  q5_0: '4604c7d98fa1d556c6e1b8522f7751aa6b642df3c5d6ca86ade3d6c6f90a194f',
};
