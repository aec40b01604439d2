/**
 * Makes the q4_0, q4_1 and q5_0 model fixtures of test/fixtures/models/ again: the small f16
 * synthetic model of test/helpers/quantized-fixtures.ts, quantized by whisper.cpp's own
 * `whisper-quantize` (built from the whisper.cpp tree nodejs-whisper ships, as for the other
 * benchmarks). Prints each file's size and sha256 and whether it is byte for byte the committed one.
 *
 * Run: npx tsx bench/quantized-fixtures.ts   (needs cmake and a C++ compiler on first use)
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { FIXTURE_SHA256, FIXTURE_SOURCE_DIMS, FIXTURE_TYPES, quantizedFixture } from '../test/helpers/quantized-fixtures.js';
import { writeSyntheticModel } from '../test/helpers/synthetic-model.js';
import { buildWhisperCpp, whisperCppQuantize } from './whisper-cpp-native.js';

const build = buildWhisperCpp('native');
const dir = mkdtempSync(join(tmpdir(), 'amanuensis-fixtures-'));
try {
  const source = join(dir, 'ggml-synthetic-d32-seed15-f16.bin');
  writeSyntheticModel(source, FIXTURE_SOURCE_DIMS);
  console.log(`source f16 model: ${readFileSync(source).length} B, sha256 ${sha256(source)}`);
  for (const type of FIXTURE_TYPES) {
    const out = quantizedFixture(type);
    whisperCppQuantize(build, source, out, type);
    const sum = sha256(out);
    const same = sum === FIXTURE_SHA256[type] ? 'the committed bytes' : `DIFFERS from the recorded ${FIXTURE_SHA256[type] || '(none)'}`;
    console.log(`${type}: ${readFileSync(out).length} B, sha256 ${sum} (${same}), whisper.cpp ${build.version}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}
