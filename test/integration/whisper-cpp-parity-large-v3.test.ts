/**
 * Parity with whisper.cpp (the prebuilt in @fugood/whisper.node) on a model with large-v3's
 * layout: openai's 128-band filterbank, the 51866-token vocabulary (Cantonese added, so every
 * special token after the languages one id later than in large-v2) and the multilingual prompt
 * [sot, en, transcribe]. The model is the generator's (random weights, 256 wide, 4 heads, one
 * encoder and one decoder layer), made here in a second; jfk.wav, greedy at temperature 0 under
 * whisper.cpp's rules (test/helpers/whisper-cpp-parity.ts). Wide enough that the text tokens
 * outweigh the timestamps, so that whisper.cpp decodes the one window to its length limit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Transcriber } from '../../src/transcriber.js';
import { melFilters128, writeSyntheticModel } from '../helpers/synthetic-model.js';
import { greedyUnderWhisperCppRules, jfkFeatures, whisperCppLoopRequest, whisperCppPrompt, whisperCppText } from '../helpers/whisper-cpp-parity.js';

const dir = mkdtempSync(join(tmpdir(), 'amanuensis-large-v3-layout-'));
const model = join(dir, 'large-v3-layout.bin');
let whisperCppOutput: string;
let t: Transcriber;
let features: Float32Array;

beforeAll(async () => {
  writeSyntheticModel(model, { nState: 256, nHead: 4, nAudioLayer: 1, nTextLayer: 1, seed: 1, nVocab: 51866, filters: melFilters128() });
  whisperCppOutput = await whisperCppText(model);
  t = await Transcriber.load(model, { threads: 2 });
  features = await jfkFeatures(t);
});

afterAll(() => {
  t.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('whisper.cpp parity on a large-v3 layout (128 mels, 51866 tokens; jfk.wav, greedy, whisper.cpp\'s rules)', () => {
  it('the model has large-v3\'s front end, vocabulary and prompt', () => {
    expect(t.dims).toMatchObject({ nMels: 128, nVocab: 51866 });
    expect(t.frontend.nMels).toBe(128);
    // sot 50258, English the first language, transcribe after the 100 languages and translate
    expect(whisperCppPrompt(t)).toEqual([50258, 50259, 50360]);
    expect(t.tokenizer.special.timestampBegin).toBe(50365);
  });

  it('amanuensis writes exactly whisper.cpp\'s text, through the step API and the native token loop', async () => {
    expect(whisperCppOutput.length).toBeGreaterThan(500);
    expect(t.tokenizer.decode(await greedyUnderWhisperCppRules(t, features))).toBe(whisperCppOutput);
    const outcome = await t.decoder.decodeLoop!(features, whisperCppLoopRequest(t));
    expect(t.tokenizer.decode(outcome.candidates[0]!)).toBe(whisperCppOutput);
  });
});
