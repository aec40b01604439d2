import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';
import wavefile from 'wavefile';

import { decodeAudio, decodeAudioFile } from '../../src/audio/audio-file.js';
import { snrDb } from '../helpers/audio-fixtures.js';
import { JFK_FLAC, JFK_WAV, jfkSamplesReference, LIBRISPEECH_DIR, STEREO_WAV } from '../helpers/shared.js';

/** A 1 kHz tone at half scale, `seconds` long at `rate` Hz. */
function tone(rate: number, seconds: number): Float32Array {
  return Float32Array.from({ length: rate * seconds }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 1000 * i) / rate));
}

/** `samples` as a 32-bit float mono WAV at `rate` Hz (float: no quantisation noise in the comparison). */
function floatWav(samples: Float32Array, rate: number): Uint8Array {
  const wav = new wavefile.WaveFile();
  wav.fromScratch(1, rate, '32f', samples);
  return wav.toBuffer();
}

function correlation(a: Float32Array, b: Float32Array): number {
  const n = Math.min(a.length, b.length);
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < n; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return ab / Math.sqrt(aa * bb);
}

describe('audio files', () => {
  it('16 kHz mono PCM WAV decodes to int16 / 32768 exactly', async () => {
    const a = await decodeAudioFile(JFK_WAV);
    expect(a).toMatchObject({ originalSampleRate: 16000, channels: 1, durationS: 11 });
    expect(a.samples).toEqual(jfkSamplesReference());
  });

  it('44.1 kHz stereo 24-bit FLAC is mixed down and resampled to the same speech', async () => {
    const a = await decodeAudioFile(JFK_FLAC);
    expect(a.originalSampleRate).toBe(44100);
    expect(a.channels).toBe(2);
    expect(Math.abs(a.samples.length - 176000)).toBeLessThanOrEqual(2);
    expect(correlation(a.samples, jfkSamplesReference())).toBeGreaterThan(0.95);
  });

  it('a FLAC at 16 kHz is passed through; a stereo WAV channel can be chosen', async () => {
    const l = await decodeAudioFile(`${LIBRISPEECH_DIR}/1089-134691-0000.flac`);
    expect(l.originalSampleRate).toBe(16000);
    expect(l.durationS).toBeCloseTo(2.08, 2);
    const left = await decodeAudioFile(STEREO_WAV, { channel: 0 });
    const right = await decodeAudioFile(STEREO_WAV, { channel: 1 });
    const mix = await decodeAudioFile(STEREO_WAV);
    expect(left.channels).toBe(2);
    for (const i of [1000, 20000, 50000]) expect(mix.samples[i]).toBeCloseTo((left.samples[i]! + right.samples[i]!) / 2, 6);
    await expect(decodeAudioFile(STEREO_WAV, { channel: 2 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });

  it('unknown or corrupt data and missing files get ERR_AUDIO_DECODE', async () => {
    await expect(decodeAudio(new Uint8Array([1, 2, 3, 4, 5]))).rejects.toMatchObject({ code: 'ERR_AUDIO_DECODE' });
    const wav = readFileSync(JFK_WAV);
    await expect(decodeAudio(new Uint8Array(wav.subarray(0, 30)))).rejects.toMatchObject({ code: 'ERR_AUDIO_DECODE' });
    await expect(decodeAudioFile('/nonexistent.wav')).rejects.toMatchObject({ code: 'ERR_AUDIO_DECODE' });
  });

  it('a WAV above libsamplerate\'s 192 kHz (384 kHz) is resampled in two stages to the same tone', async () => {
    const a = await decodeAudio(floatWav(tone(384_000, 1), 384_000));
    expect(a).toMatchObject({ originalSampleRate: 384_000, channels: 1, durationS: 1 });
    const reference = tone(16_000, 1);
    // the filters' edges aside, the tone comes through as from any lower rate
    const middle = (x: Float32Array): Float32Array => x.subarray(800, 15_200);
    expect(snrDb(middle(a.samples), middle(reference))).toBeGreaterThan(90);
  });

});
