/**
 * Parity with whisper.cpp (the prebuilt in @fugood/whisper.node) on quantized files made by
 * whisper.cpp's own quantize tool: the q4_0, q4_1 and q5_0 fixtures and the shared tiny.en q8_0
 * and q5_1 files, jfk.wav, greedy at temperature 0 under whisper.cpp's decoding rules
 * (test/helpers/whisper-cpp-parity.ts).
 *
 * amanuensis with `int8Activations: false` dequantizes each block exactly and computes with f32
 * activations. whisper.cpp (and amanuensis' default on a CPU with AVX-512 VNNI), for a
 * quantized weight, first quantizes the activations to 8 bits per 32-element block (q8_0 for
 * q4_0, q5_0 and q8_0 weights, q8_1 for q4_1 and q5_1) and takes integer dot products, so its
 * logits move by up to about 0.2 (../shared/golden/README.md). Hence two checks per file:
 * - exact (the small fixtures): whisper.cpp run on the same weights dequantized into an f32 file
 *   (f32 weights, f32 activations) writes amanuensis' text on the quantized file, character for
 *   character. (For the tiny.en files the float64 golden references hold amanuensis to the f32
 *   tolerances instead, test/native/golden.test.ts: whisper.cpp on a 150 MB f32 tiny.en takes
 *   20 s here.)
 * - explained (every file, amanuensis with f32 and with 8-bit activations): on the quantized file
 *   itself whisper.cpp writes the same text, except at steps where amanuensis' own two best tokens
 *   are within 0.1 of a tie (at most two).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Transcriber } from '../../src/transcriber.js';
import { specOf, writeGgml } from '../helpers/ggml-writer.js';
import { dequantizedModel } from '../helpers/quantized-blocks.js';
import { FIXTURE_TYPES, quantizedFixture } from '../helpers/quantized-fixtures.js';
import { SYNTHETIC_MODEL_Q5_1, SYNTHETIC_MODEL_Q8_0 } from '../helpers/shared.js';
import {
  followWhisperCppText, greedyUnderWhisperCppRules, jfkFeatures, whisperCppLoopRequest, whisperCppText,
} from '../helpers/whisper-cpp-parity.js';

const dir = mkdtempSync(join(tmpdir(), 'amanuensis-quantized-parity-'));

const FIXTURES = FIXTURE_TYPES.map((type) => ({ name: `${type} fixture`, file: quantizedFixture(type) }));
const TINY_EN = [{ name: 'tiny.en q8_0', file: SYNTHETIC_MODEL_Q8_0 }, { name: 'tiny.en q5_1', file: SYNTHETIC_MODEL_Q5_1 }];

/** The largest logit gap at a step where whisper.cpp's 8-bit activations may flip amanuensis' choice. */
const NEAR_TIE = 0.1;

/** whisper.cpp's text for each file, computed once (it is the slow part of this file). */
const whisperCppTexts = new Map<string, Promise<string>>();
function whisperCppTextOnce(file: string): Promise<string> {
  if (!whisperCppTexts.has(file)) whisperCppTexts.set(file, whisperCppText(file));
  return whisperCppTexts.get(file)!;
}

/** amanuensis on `file`, with the encoder output of jfk.wav's first window, for the tests of one describe block. */
function loaded(file: string, int8Activations: boolean): { t: () => Transcriber; features: () => Float32Array } {
  let t: Transcriber | undefined;
  let features: Float32Array | undefined;
  beforeAll(async () => {
    t = await Transcriber.load(file, { threads: 2, int8Activations });
    features = await jfkFeatures(t);
  });
  afterAll(() => t?.close());
  return { t: () => t!, features: () => features! };
}

describe.each(FIXTURES)('whisper.cpp on the $name dequantized to f32 (jfk.wav, greedy, whisper.cpp\'s rules)', ({ name, file }) => {
  const model = loaded(file, false);

  it('writes amanuensis\' text on the quantized file, through the step API and the native token loop', async () => {
    const t = model.t();
    const twin = join(dir, `${name.replace(/\W+/g, '-')}-f32.bin`);
    writeFileSync(twin, writeGgml(dequantizedModel(specOf(readFileSync(file)))));
    const onDequantized = await whisperCppText(twin);
    expect(onDequantized.length).toBeGreaterThan(500);
    expect(t.tokenizer.decode(await greedyUnderWhisperCppRules(t, model.features()))).toBe(onDequantized);
    const outcome = await t.decoder.decodeLoop!(model.features(), whisperCppLoopRequest(t));
    expect(t.tokenizer.decode(outcome.candidates[0]!)).toBe(onDequantized);
  });
});

const EXPLAINED = [...FIXTURES, ...TINY_EN].flatMap((f) => [false, true].map((int8Activations) => ({ ...f, int8Activations })));

describe.each(EXPLAINED)('whisper.cpp on the $name file itself (8-bit activations; jfk.wav, greedy, whisper.cpp\'s rules), amanuensis with int8Activations $int8Activations', ({ file, int8Activations }) => {
  const model = loaded(file, int8Activations);

  it('writes amanuensis\' text but at near-ties of amanuensis\' logits', async () => {
    const onQuantized = await whisperCppTextOnce(file);
    expect(onQuantized.length).toBeGreaterThan(500);
    const { departures, explained } = await followWhisperCppText(model.t(), file, model.features(), onQuantized);
    expect(explained).toBe(true);
    expect(departures.length).toBeLessThanOrEqual(2);
    for (const d of departures) expect(d.gap).toBeLessThanOrEqual(NEAR_TIE);
  });
});
