/** 128-band models (large-v3): openai's exact filterbanks, and a synthetic 128-mel model end to end. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { WhisperMelFrontend } from '../../src/audio/mel-frontend.js';
import { N_SAMPLES } from '../../src/constants.js';
import { parseGgmlModel } from '../../src/model/ggml-loader.js';
import { Transcriber } from '../../src/transcriber.js';
import { readNpz } from '../helpers/npz.js';
import { makeSyntheticModel } from '../helpers/synthetic-model.js';
import { diffStats, jfkSamplesReference, SYNTHETIC_MODEL } from '../helpers/shared.js';

const npz = readNpz(fileURLToPath(new URL('../../../shared/models/openai-whisper-assets/mel_filters.npz', import.meta.url)));

describe('mel filterbanks of 80 and 128 bands', () => {
  it('the filterbank in the GGML file is openai\'s mel_80', () => {
    expect(npz.mel_80!.shape).toEqual([80, 201]);
    const fromFile = parseGgmlModel(readFileSync(SYNTHETIC_MODEL)).melFilters.data;
    expect(diffStats(fromFile, npz.mel_80!.data).max).toBe(0);
  });

  it('a 128-band front end gives [128, frames] of finite values within the log-mel range', () => {
    const fe = new WhisperMelFrontend({ nMels: 128, nFreq: 201, data: npz.mel_128!.data });
    const audio = jfkSamplesReference();
    const mel = fe.compute(audio, { paddingSamples: N_SAMPLES });
    expect(mel.nMels).toBe(128);
    expect(mel.nFrames).toBe(1100 + 3000);
    expect(mel.data.every((v) => Number.isFinite(v) && v >= -1.5 - 1e-6 && v <= 3)).toBe(true);
  });

  it('a synthetic 128-mel model (large-v3 layout) loads and transcribes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'amanuensis-'));
    const path = join(dir, 'synthetic-128.bin');
    writeFileSync(path, makeSyntheticModel({ nState: 64, nHead: 1, nAudioLayer: 1, nTextLayer: 1, filters: { nMels: 128, nFreq: 201, data: npz.mel_128!.data } }));
    const t = await Transcriber.load(path, { threads: 2 });
    expect(t.dims.nMels).toBe(128);
    expect(t.frontend.nMels).toBe(128);
    const r = await t.transcribe(jfkSamplesReference(), { temperature: 0, sampleLen: 8 });
    expect(r.timings.windows).toHaveLength(1);
    expect(r.timings.encodeMs).toBeGreaterThan(0);
  });
});
