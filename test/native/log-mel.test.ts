/** The native log-mel spectrogram against the float64 reference and the TypeScript front end. */
import { beforeAll, describe, expect, it } from 'vitest';

import { N_FRAMES, N_SAMPLES } from '../../src/constants.js';
import { Transcriber } from '../../src/transcriber.js';
import { diffStats, goldenF32, jfkSamplesReference, SYNTHETIC_MODEL } from '../helpers/shared.js';

function columns(data: Float32Array, nFrames: number, nMels: number, take: number): Float32Array {
  const out = new Float32Array(nMels * take);
  for (let m = 0; m < nMels; m++) out.set(data.subarray(m * nFrames, m * nFrames + take), m * take);
  return out;
}

describe.each([{ simd: true }, { simd: false }])('native log-mel (simd: $simd)', ({ simd }) => {
  let t: Transcriber;
  beforeAll(async () => {
    t = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2, simd });
  });

  it('jfk.wav with 30 s padding matches mel.f32 and mel30.f32 within 1e-4', async () => {
    const mel = await t.frontend.computeAsync!(jfkSamplesReference(), { paddingSamples: N_SAMPLES });
    expect(mel.nFrames).toBe(1100 + N_FRAMES);
    expect(diffStats(columns(mel.data, mel.nFrames, 80, 1100), goldenF32('mel.f32')).max).toBeLessThanOrEqual(1e-4);
    expect(diffStats(columns(mel.data, mel.nFrames, 80, N_FRAMES), goldenF32('mel30.f32')).max).toBeLessThanOrEqual(1e-4);
  });

  it('equals the TypeScript front end for odd lengths, without padding, and for silence', async () => {
    const audio = jfkSamplesReference();
    for (const [n, padding] of [[1, 0], [401, 0], [16_001, 0], [99_999, 123], [0, 1000]] as const) {
      const a = audio.subarray(5000, 5000 + n);
      const native = await t.frontend.computeAsync!(a, { paddingSamples: padding });
      const ts = t.frontend.compute(a, { paddingSamples: padding });
      expect(native.nFrames).toBe(ts.nFrames);
      if (ts.nFrames > 0) expect(diffStats(native.data, ts.data).max, `n ${n}, padding ${padding}`).toBeLessThanOrEqual(1e-4);
    }
    const silence = await t.frontend.computeAsync!(new Float32Array(48_000), { paddingSamples: N_SAMPLES });
    expect(new Set(silence.data)).toEqual(new Set([-1.5]));
  });

  it('windows computed one at a time equal the same frames of the whole spectrogram (130 s, and a short padding at the end)', async () => {
    const jfk = jfkSamplesReference();
    const long = Float32Array.from({ length: 130 * 16_000 }, (_, i) => jfk[i % jfk.length]! * (1 + (i % 7) / 10));
    for (const [audio, padding] of [[long, N_SAMPLES], [jfk.subarray(0, 99_999), 123]] as const) {
      const whole = await t.frontend.computeAsync!(audio, { paddingSamples: padding });
      const logMax = await t.frontend.logMelMax!(audio, { paddingSamples: padding });
      const frames = Math.min(N_FRAMES, whole.nFrames);
      for (const first of [0, 1, 2999, 7777, whole.nFrames - frames]) {
        if (first + frames > whole.nFrames) continue;
        const window = await t.frontend.computeWindow!(audio, { paddingSamples: padding, firstFrame: first, frames, logMax });
        expect(window.nFrames).toBe(frames);
        const expected = new Float32Array(80 * frames);
        for (let m = 0; m < 80; m++) expected.set(whole.data.subarray(m * whole.nFrames + first, m * whole.nFrames + first + frames), m * frames);
        expect(diffStats(window.data, expected).max, `frames from ${first}, padding ${padding}`).toBeLessThanOrEqual(1e-6);
      }
    }
    await expect(t.frontend.computeWindow!(jfk, { paddingSamples: N_SAMPLES, firstFrame: 4000, frames: N_FRAMES, logMax: 0 }))
      .rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });

  it('bad input is refused with typed errors', async () => {
    await expect(t.frontend.computeAsync!(Float32Array.of(0, Number.NaN))).rejects.toMatchObject({ code: 'ERR_INVALID_AUDIO' });
    await expect(t.frontend.computeAsync!(new Float32Array(10), { paddingSamples: -5 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });
});
