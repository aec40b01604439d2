import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { BluesteinDft } from '../../src/audio/dft.js';
import { WhisperMelFrontend, checkedMelOptions } from '../../src/audio/mel-frontend.js';
import { N_FRAMES, N_SAMPLES } from '../../src/constants.js';
import { parseGgmlModel } from '../../src/model/ggml-loader.js';
import { diffStats, goldenF32, goldenMeta, jfkSamplesReference, SYNTHETIC_MODEL } from '../helpers/shared.js';

const filters = parseGgmlModel(readFileSync(SYNTHETIC_MODEL)).melFilters;

/** The textbook O(N^2) DFT, the reference for the fast one. */
function naiveDft(x: Float64Array, n: number): Float64Array {
  const out = new Float64Array(2 * n);
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < n; j++) {
      const a = (-2 * Math.PI * ((j * k) % n)) / n;
      out[2 * k]! += x[2 * j]! * Math.cos(a) - x[2 * j + 1]! * Math.sin(a);
      out[2 * k + 1]! += x[2 * j]! * Math.sin(a) + x[2 * j + 1]! * Math.cos(a);
    }
  }
  return out;
}

function columns(data: Float32Array, nFrames: number, nMels: number, take: number): Float32Array {
  const out = new Float32Array(nMels * take);
  for (let m = 0; m < nMels; m++) out.set(data.subarray(m * nFrames, m * nFrames + take), m * take);
  return out;
}

describe('1. the DFT under the STFT', () => {
  it.each([1, 2, 3, 7, 64, 400, 401])('matches the textbook DFT for N = %i', (n) => {
    const x = Float64Array.from({ length: 2 * n }, (_, i) => Math.sin(0.37 * i) + ((i * 7919) % 13) / 13);
    const out = new Float64Array(2 * n);
    new BluesteinDft(n).transform(x, out);
    expect(diffStats(out, naiveDft(x, n)).max).toBeLessThan(1e-9 * n);
  });
});

describe('2. log-mel spectrogram against the float64 reference', () => {
  const fe = new WhisperMelFrontend(filters);
  const audio = jfkSamplesReference();

  it('jfk.wav with 30 s padding: the first 1100 frames equal mel.f32 and the first 3000 equal mel30.f32 within 1e-4', () => {
    const mel = fe.compute(audio, { paddingSamples: N_SAMPLES });
    expect(mel.nMels).toBe(80);
    expect(mel.nFrames).toBe(1100 + N_FRAMES);
    expect(goldenMeta().shapes.mel).toEqual([80, 1100]);
    expect(diffStats(columns(mel.data, mel.nFrames, 80, 1100), goldenF32('mel.f32')).max).toBeLessThanOrEqual(1e-4);
    expect(diffStats(columns(mel.data, mel.nFrames, 80, N_FRAMES), goldenF32('mel30.f32')).max).toBeLessThanOrEqual(1e-4);
  });

  it('frame count is floor((samples + padding) / 160) for any length', () => {
    for (const n of [0, 1, 159, 160, 161, 16000, 16001, 123457]) {
      expect(fe.compute(new Float32Array(n).fill(0.01), { paddingSamples: 0 }).nFrames).toBe(Math.floor(n / 160));
      expect(fe.compute(new Float32Array(n), { paddingSamples: N_SAMPLES }).nFrames).toBe(Math.floor((n + N_SAMPLES) / 160));
    }
  });

  it('digital silence is a constant spectrogram at the clamp: (log10(1e-10) + 4) / 4 = -1.5', () => {
    const mel = fe.compute(new Float32Array(16000 * 3), { paddingSamples: N_SAMPLES });
    expect(new Set(mel.data).size).toBe(1);
    expect(mel.data[0]).toBe(-1.5);
  });

  it('the dynamic range is floored at max - 8 (log10 units), i.e. 2 after scaling', () => {
    const mel = fe.compute(audio);
    let max = -Infinity;
    let min = Infinity;
    for (const v of mel.data) {
      max = Math.max(max, v);
      min = Math.min(min, v);
    }
    expect(max - min).toBeLessThanOrEqual(2 + 1e-6);
  });

  it('bad audio gets ERR_INVALID_AUDIO, bad padding ERR_INVALID_ARGUMENT', () => {
    const bad = new Float32Array(1000);
    bad[500] = Number.NaN;
    expect(() => fe.compute(bad)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_AUDIO' }));
    bad[500] = Number.POSITIVE_INFINITY;
    expect(() => fe.compute(bad)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_AUDIO' }));
    expect(() => fe.compute([0.1, 0.2] as unknown as Float32Array)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_AUDIO' }));
    expect(() => fe.compute(new Float32Array(10), { paddingSamples: -1 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });

  it('options marked by the Transcriber (which checked the audio at its entry) skip the sample scan, never the padding check', () => {
    const bad = Float32Array.of(Number.NaN);
    expect(() => fe.compute(bad, { paddingSamples: 0 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_AUDIO' }));
    expect(fe.compute(bad, checkedMelOptions({ paddingSamples: 0 })).nFrames).toBe(0);
    expect(() => fe.compute(bad, checkedMelOptions({ paddingSamples: -1 }))).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    // the mark belongs to the record made by checkedMelOptions, not to equal-looking options
    expect(() => fe.compute(bad, { ...checkedMelOptions({ paddingSamples: 0 }) })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_AUDIO' }));
  });
});
