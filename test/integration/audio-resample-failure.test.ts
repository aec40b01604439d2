/**
 * The resampling library reports failures by throwing plain strings: whatever it throws reaches
 * the caller as ERR_AUDIO_DECODE with the thrown value as cause, never untyped. The library is
 * replaced here by one that fails, since no input makes the real one fail once rates above its
 * limit are handled.
 */
import { describe, expect, it, vi } from 'vitest';
import wavefile from 'wavefile';

import { decodeAudio } from '../../src/audio/audio-file.js';

vi.mock('@alexanderolsen/libsamplerate-js', async (importOriginal) => {
  const real = await importOriginal<object>();
  return { ...real, create: () => Promise.reject('invalid inputSampleRate') };
});

describe('resampling failure', () => {
  it('a string thrown by the resampling library is ERR_AUDIO_DECODE naming the rate, with the string as cause', async () => {
    const wav = new wavefile.WaveFile();
    wav.fromScratch(1, 48_000, '16', new Int16Array(4800));
    const err = await decodeAudio(wav.toBuffer()).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'AmanuensisError', code: 'ERR_AUDIO_DECODE', cause: 'invalid inputSampleRate' });
    expect((err as Error).message).toMatch(/^cannot decode audio \(WAV.*\): converting 48000 Hz to 16 kHz failed: invalid inputSampleRate$/);
  });
});
