/**
 * A recording assembled from real speech, silence and noise, with where its speech was placed:
 * 10 s of silence, jfk.wav, 15 s of Gaussian white noise at -30 dBFS, a LibriSpeech utterance
 * (1089-134686-0000), 10 s of silence (about 60 s in all).
 */
import { join } from 'node:path';

import { decodeAudioFile } from '../../src/audio/audio-file.js';
import { seededRandom } from '../../src/utils/random.js';
import { LIBRISPEECH_DIR, jfkSamplesReference } from './shared.js';
import { sileroGoldenMeta } from './silero-vad-file.js';

const RATE = 16000;
const FRAME = 512;

/** Indices of the 512-sample frames whose RMS is within `db` dB of the loudest frame's. */
export function loudFrames(samples: Float32Array, db: number): number[] {
  const rms: number[] = [];
  for (let at = 0; at < samples.length; at += FRAME) {
    const frame = samples.subarray(at, at + FRAME);
    rms.push(Math.sqrt(frame.reduce((s, v) => s + v * v, 0) / frame.length));
  }
  const floor = Math.max(...rms) * 10 ** (-db / 20);
  return rms.flatMap((r, i) => (r >= floor ? [i] : []));
}

/** The speech of an utterance: from its first to its last frame within 30 dB of the loudest (soft word ends included), in seconds. */
export function speechSpan(samples: Float32Array): [number, number] {
  const loud = loudFrames(samples, 30);
  return [(loud[0]! * FRAME) / RATE, ((loud.at(-1)! + 1) * FRAME) / RATE];
}

/** The assembled recording and where things are in it (seconds). */
export interface AssembledRecording {
  readonly audio: Float32Array;
  /** Where speech lies: jfk.wav's by Silero's own segments of it (the golden meta.json), the utterance's by its energy. */
  readonly placed: [number, number][];
  /** Where each piece begins: silence, jfk.wav, noise, utterance, silence. */
  readonly offsets: number[];
}

/**
 * @param fadeS - the noise fades in and out over this long (0: it switches on and off in one sample)
 */
export async function assembledRecording(fadeS: number): Promise<AssembledRecording> {
  const jfk = jfkSamplesReference();
  const utterance = (await decodeAudioFile(join(LIBRISPEECH_DIR, '1089-134686-0000.flac'))).samples;
  const random = seededRandom(16);
  const noise = new Float32Array(15 * RATE);
  const sigma = 10 ** (-30 / 20);
  const fade = Math.max(1, fadeS * RATE);
  for (let i = 0; i < noise.length; i++) {
    // Box-Muller: Gaussian white noise of RMS sigma
    const gain = Math.min(1, i / fade, (noise.length - i) / fade);
    noise[i] = gain * sigma * Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  }
  const parts = [new Float32Array(10 * RATE), jfk, noise, utterance, new Float32Array(10 * RATE)];
  const audio = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  const offsets: number[] = [];
  parts.reduce((at, p) => {
    offsets.push(at / RATE);
    audio.set(p, at);
    return at + p.length;
  }, 0);
  const jfkSegments = sileroGoldenMeta().segments.silero_defaults.segments;
  const [uttFirst, uttLast] = speechSpan(utterance);
  const placed: [number, number][] = [
    [offsets[1]! + jfkSegments[0]!.start_s, offsets[1]! + jfkSegments.at(-1)!.end_s],
    [offsets[3]! + uttFirst, offsets[3]! + uttLast],
  ];
  return { audio, placed, offsets };
}
