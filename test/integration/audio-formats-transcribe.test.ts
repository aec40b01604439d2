/**
 * Every decoded format runs end to end through a Transcriber. The synthetic model's weights are
 * random, so its text means nothing: what is checked is that transcription completes with
 * segments inside the audio.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { decodeAudioFile } from '../../src/audio/audio-file.js';
import { Transcriber } from '../../src/transcriber.js';
import {
  ALAW_3S, FAKE_FFMPEG, FLOAT_1S, M4A_3S, MP3_3S, MULAW_3S, OGG_OPUS_3S, VORBIS_3S, WEBM_OPUS_3S,
} from '../helpers/audio-fixtures.js';
import { MULTILINGUAL_MP3, SYNTHETIC_MODEL } from '../helpers/shared.js';


let transcriber: Transcriber;
beforeAll(async () => {
  transcriber = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2 });
});
afterAll(() => transcriber.close());

describe('transcription of each format', () => {
  // speech: decoded speech, on which this model gives at least one segment; the stand-in's
  // output (0.7 s of the M4A's bytes as samples) may give none
  const files = [
    ['multilingual.mp3', MULTILINGUAL_MP3, true], ['MP3', MP3_3S, true], ['Ogg Vorbis', VORBIS_3S, true],
    ['Ogg Opus', OGG_OPUS_3S, true], ['WebM Opus', WEBM_OPUS_3S, true], ['µ-law WAV', MULAW_3S, true],
    ['A-law WAV', ALAW_3S, true], ['float WAV', FLOAT_1S, true], ['M4A through the ffmpeg stand-in', M4A_3S, false],
  ] as const;
  for (const [name, path, speech] of files) {
    it(name, async () => {
      const audio = await decodeAudioFile(path, { ffmpeg: FAKE_FFMPEG });
      // greedy and short windows: fast and deterministic
      const result = await transcriber.transcribe(audio.samples, { temperature: 0, sampleLen: 24 });
      expect(result.durationS).toBeCloseTo(audio.durationS, 6);
      // the windows cover the whole audio, to its last 10 ms frame
      const last = result.timings.windows.at(-1)!;
      expect(last.seek + last.frames).toBe(Math.floor(audio.durationS * 100));
      if (speech) expect(result.segments.length).toBeGreaterThan(0);
      for (const s of result.segments) {
        expect(s.start).toBeGreaterThanOrEqual(0);
        expect(s.end).toBeGreaterThanOrEqual(s.start);
        expect(s.end).toBeLessThanOrEqual(audio.durationS + 1e-6);
      }
    });
  }
});
