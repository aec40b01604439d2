/** The encoded audio fixtures (test/fixtures/audio, see its README) and how close decoded audio is to a reference. */
import { fileURLToPath } from 'node:url';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/audio/${name}`, import.meta.url));

export const MP3_3S = fixture('jfk-3s.mp3');
export const VORBIS_3S = fixture('jfk-3s-44k-stereo.ogg');
export const OGG_OPUS_3S = fixture('jfk-3s.opus');
export const WEBM_OPUS_3S = fixture('jfk-3s.webm');
export const MULAW_3S = fixture('jfk-3s-mulaw.wav');
export const ALAW_3S = fixture('jfk-3s-alaw.wav');
export const FLOAT_1S = fixture('jfk-1s-float.wav');
export const M4A_3S = fixture('jfk-3s.m4a');
export const VIDEO_WITHOUT_AUDIO = fixture('video-without-audio.mp4');
/** A stand-in for the ffmpeg program (a node script): see its comment. */
export const FAKE_FFMPEG = fileURLToPath(new URL('../fixtures/fake-ffmpeg/ffmpeg', import.meta.url));

/** Signal-to-noise ratio in dB of `decoded` against `reference` over `reference`'s span, with `decoded` read `lag` samples later. */
export function snrDb(decoded: Float32Array, reference: Float32Array, lag = 0): number {
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < reference.length; i++) {
    const d = (decoded[i + lag] ?? 0) - reference[i]!;
    signal += reference[i]! ** 2;
    noise += d * d;
  }
  return 10 * Math.log10(signal / noise);
}

/** The lag in [-maxLag, maxLag] samples at which `decoded` best matches `reference`, and its SNR. */
export function bestAlignment(decoded: Float32Array, reference: Float32Array, maxLag: number): { lag: number; snrDb: number } {
  let best = { lag: 0, snrDb: -Infinity };
  const span = reference.subarray(maxLag, reference.length - maxLag);
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    const snr = snrDb(decoded.subarray(maxLag + lag), span);
    if (snr > best.snrDb) best = { lag, snrDb: snr };
  }
  return best;
}

/** Normalised correlation (cosine similarity) of the common span of two signals. */
export function correlation(a: Float32Array, b: Float32Array): number {
  const n = Math.min(a.length, b.length);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return ab / Math.sqrt(aa * bb);
}
