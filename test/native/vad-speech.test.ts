/**
 * What the real Silero VAD says about real audio. Each LibriSpeech utterance: its segments hold
 * its speech (the 32 ms frames within 20 dB of the file's loudest, clean read speech) and
 * start and end near its first and last sound. An assembled recording (10 s of silence, jfk.wav,
 * 15 s of white noise at -30 dBFS, a LibriSpeech utterance, 10 s of silence): segments within
 * 0.25 s of where the speech was placed, none in the silence or the noise.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { decodeAudioFile } from '../../src/audio/audio-file.js';
import type { SpeechSegment } from '../../src/vad/speech-segments.js';
import { Vad } from '../../src/vad/vad.js';
import { assembledRecording, loudFrames, speechSpan } from '../helpers/assembled-recording.js';
import { LIBRISPEECH_DIR } from '../helpers/shared.js';

const FRAME = 512;
const UTTERANCES = readdirSync(LIBRISPEECH_DIR).filter((f) => f.endsWith('.flac')).sort();

const inside = (segments: readonly SpeechSegment[], frame: number): boolean =>
  segments.some((s) => frame * FRAME >= s.startSample && (frame + 1) * FRAME <= s.endSample);

describe('Silero VAD on real speech', () => {
  let vad: Vad;
  beforeAll(async () => {
    vad = await Vad.load(undefined, { threads: 2 });
  });
  afterAll(() => vad.close());

  it.each(UTTERANCES)('%s: segments hold 9 in 10 of its frames within 20 dB of its loudest, and span its sound within 0.25 s', async (name) => {
    const { samples } = await decodeAudioFile(join(LIBRISPEECH_DIR, name));
    const segments = await vad.speechSegments(samples);
    const loud = loudFrames(samples, 20);
    expect(loud.filter((f) => inside(segments, f)).length / loud.length).toBeGreaterThanOrEqual(0.9);
    const [first, last] = speechSpan(samples);
    expect(Math.abs(segments[0]!.start - first)).toBeLessThanOrEqual(0.25);
    expect(Math.abs(segments.at(-1)!.end - last)).toBeLessThanOrEqual(0.25);
  });

  /**
   * The recording, its speech segments, and where speech was placed (in seconds). `fadeS`: the
   * noise fades in and out over this long (0: it switches on and off in one sample).
   */
  async function assembled(fadeS: number): Promise<{ segments: SpeechSegment[]; placed: [number, number][]; noiseAt: number }> {
    const { audio, placed, offsets } = await assembledRecording(fadeS);
    return { segments: await vad.speechSegments(audio), placed, noiseAt: offsets[2]! };
  }

  it('10 s silence, jfk.wav, 15 s noise at -30 dBFS (250 ms fades), an utterance, 10 s silence: segments within 0.25 s of the speech placed, none elsewhere', async () => {
    const { segments, placed } = await assembled(0.25);
    for (const [from, to] of placed) {
      const mine = segments.filter((s) => s.end > from - 0.25 && s.start < to + 0.25);
      expect(mine.length).toBeGreaterThan(0);
      expect(Math.abs(mine[0]!.start - from)).toBeLessThanOrEqual(0.25);
      expect(Math.abs(mine.at(-1)!.end - to)).toBeLessThanOrEqual(0.25);
    }
    // nothing in the silences or the noise
    const outside = segments.filter((s) => !placed.some(([from, to]) => s.start >= from - 0.25 && s.end <= to + 0.25));
    expect(outside).toEqual([]);
  });

  it('the same with the noise switched on in one sample: Silero hears the step as speech, one segment of under 1 s at its onset', async () => {
    // measured: [20.80, 21.53] s with the noise from 21.0 s; steady noise is silence to the model
    const { segments, placed, noiseAt } = await assembled(0);
    const outside = segments.filter((s) => !placed.some(([from, to]) => s.start >= from - 0.25 && s.end <= to + 0.25));
    expect(outside.length).toBe(1);
    expect(outside[0]!.start).toBeLessThan(noiseAt);
    expect(outside[0]!.end).toBeGreaterThan(noiseAt);
    expect(outside[0]!.end - outside[0]!.start).toBeLessThan(1);
  });
});
