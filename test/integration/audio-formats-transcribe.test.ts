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
import { JFK_WAV, SYNTHETIC_MODEL } from '../helpers/shared.js';

const MULTILINGUAL_MP3 = JFK_WAV.replace(/jfk\.wav$/, 'faster-whisper/multilingual.mp3');

let transcriber: Transcriber;
beforeAll(async () => {
  transcriber = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2 });
});
afterAll(() => transcriber.close());

describe('transcription of each format', () => {
  const files = [
    ['multilingual.mp3', MULTILINGUAL_MP3], ['MP3', MP3_3S], ['Ogg Vorbis', VORBIS_3S], ['Ogg Opus', OGG_OPUS_3S],
    ['WebM Opus', WEBM_OPUS_3S], ['µ-law WAV', MULAW_3S], ['A-law WAV', ALAW_3S], ['float WAV', FLOAT_1S],
    ['M4A through the ffmpeg stand-in', M4A_3S],
  ] as const;
  for (const [name, path] of files) {
    it(name, async () => {
      const audio = await decodeAudioFile(path, { ffmpeg: FAKE_FFMPEG });
      // greedy and short windows: fast and deterministic
      const result = await transcriber.transcribe(audio.samples, { temperature: 0, sampleLen: 24 });
      expect(result.durationS).toBeCloseTo(audio.durationS, 6);
      for (const s of result.segments) {
        expect(s.start).toBeGreaterThanOrEqual(0);
        expect(s.end).toBeGreaterThanOrEqual(s.start);
        expect(s.end).toBeLessThanOrEqual(audio.durationS + 1e-6);
      }
    });
  }
});
