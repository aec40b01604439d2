/**
 * Formats without a bundled decoder go to ffmpeg: its contract (input on stdin or by path, a
 * float WAV on stdout, failures reported with ffmpeg's own words) is tested with a stand-in
 * script, since ffmpeg is not installed everywhere; without ffmpeg the error names the format
 * and the fix. The format is always recognised from the bytes, never the file name.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { decodeAudio, decodeAudioFile } from '../../src/audio/audio-file.js';
import { FAKE_FFMPEG, M4A_3S, MP3_3S, VIDEO_WITHOUT_AUDIO } from '../helpers/audio-fixtures.js';
import { JFK_WAV, jfkSamplesReference, STEREO_WAV } from '../helpers/shared.js';

const m4a = (): Uint8Array => new Uint8Array(readFileSync(M4A_3S));
/** What the stand-in writes for input byte b on its left channel. */
const standInLeft = (bytes: Uint8Array): number[] => Array.from(bytes, (b) => (b - 128) / 128);

/** Runs `body` with environment variables set (undefined: removed), restoring them after. */
async function withEnv<T>(vars: Record<string, string | undefined>, body: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (values: Record<string, string | undefined>): void => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  apply(vars);
  try {
    return await body();
  } finally {
    apply(saved);
  }
}

describe('ffmpeg present (a stand-in with its contract)', () => {
  it('bytes reach it on standard input; its WAV (streamed sizes) is read with channels and the input rate it reports', async () => {
    const bytes = m4a();
    const left = await decodeAudio(bytes, { ffmpeg: FAKE_FFMPEG, channel: 0 });
    expect(left).toMatchObject({ channels: 2, originalSampleRate: 44100, durationS: bytes.length / 16000 });
    expect(Array.from(left.samples)).toEqual(standInLeft(bytes));
    const right = await decodeAudio(bytes, { ffmpeg: FAKE_FFMPEG, channel: 1 });
    expect(Array.from(right.samples)).toEqual(standInLeft(bytes).map((v) => -v));
    // the mix of opposite channels is silence
    const mix = await decodeAudio(bytes, { ffmpeg: FAKE_FFMPEG });
    expect(mix.samples.every((v) => v === 0)).toBe(true);
    await expect(decodeAudio(bytes, { ffmpeg: FAKE_FFMPEG, channel: 2 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });

  it('a file is given to it by path; AMANUENSIS_FFMPEG chooses it', async () => {
    const a = await withEnv({ AMANUENSIS_FFMPEG: FAKE_FFMPEG }, () => decodeAudioFile(M4A_3S, { channel: 0 }));
    expect(Array.from(a.samples)).toEqual(standInLeft(m4a()));
  });

  it('its failure is ERR_AUDIO_DECODE with its error output', async () => {
    const junk = new TextEncoder().encode('BAD! neither WAV nor anything else');
    const err = await decodeAudio(junk, { ffmpeg: FAKE_FFMPEG }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_AUDIO_DECODE' });
    expect((err as Error).message).toMatch(/unrecognised format.*exited with status 1.*Invalid data found when processing input/s);
  });
});

describe('ffmpeg absent', () => {
  it('an empty PATH: the message names the format with its codec, and the fixes', async () => {
    const err = await withEnv({ PATH: '', AMANUENSIS_FFMPEG: undefined }, () => decodeAudioFile(M4A_3S)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_AUDIO_DECODE' });
    const message = (err as Error).message;
    expect(message).toContain('MP4/M4A (AAC)');
    expect(message).toContain("'ffmpeg' was not found");
    expect(message).toMatch(/Install ffmpeg.*AMANUENSIS_FFMPEG.*convert the file to WAV.*FLAC, MP3, Ogg Vorbis, Ogg Opus or WebM Opus/s);
  });

  it('ffmpeg: false never runs it; unknown bytes are named as unrecognised', async () => {
    await expect(decodeAudio(m4a(), { ffmpeg: false })).rejects.toThrow(/MP4\/M4A \(AAC\).*turned off/s);
    await expect(decodeAudio(new Uint8Array([1, 2, 3, 4, 5]), { ffmpeg: false })).rejects.toThrow(/unrecognised format.*none of WAV/s);
  });
});

describe('the format comes from the bytes, not the name', () => {
  const dir = mkdtempSync(join(tmpdir(), 'amanuensis-formats-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('an MP3 named .wav and a WAV named .mp3 decode as what they are', async () => {
    const mp3AsWav = join(dir, 'speech.wav');
    const wavAsMp3 = join(dir, 'speech.mp3');
    copyFileSync(MP3_3S, mp3AsWav);
    copyFileSync(JFK_WAV, wavAsMp3);
    expect((await decodeAudioFile(mp3AsWav, { ffmpeg: false })).samples.length).toBe(48000);
    expect((await decodeAudioFile(wavAsMp3, { ffmpeg: false })).samples).toEqual(jfkSamplesReference());
  });

  it('headers other formats start with are named in the message', async () => {
    const named = async (head: number[] | string): Promise<string> => {
      const bytes = typeof head === 'string' ? new TextEncoder().encode(head.padEnd(64, '\0')) : Uint8Array.from([...head, ...new Array(64).fill(0)]);
      return decodeAudio(bytes, { ffmpeg: false }).then(() => 'decoded', (e: Error) => e.message);
    };
    expect(await named([0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11])).toContain('ASF (WMA/WMV)');
    expect(await named('FORM\0\0\0\0AIFF')).toContain('AIFF');
    expect(await named('#!AMR\n')).toContain('AMR');
    expect(await named([0xff, 0xf1, 0x50, 0x80, 0x02, 0x1f, 0xfc])).toContain('AAC (ADTS)');
    expect(await named('\0\0\0\x18ftypqt  ')).toContain('QuickTime MOV');
  });

  it('a video without an audio track is refused before ffmpeg is run', async () => {
    // the stand-in would decode any bytes: its not being run is what the message shows
    await expect(decodeAudioFile(VIDEO_WITHOUT_AUDIO, { ffmpeg: FAKE_FFMPEG })).rejects.toThrow(/^cannot decode audio \(MP4\): the file has no audio track$/);
  });
});

describe('arguments', () => {
  it('bad arguments are ERR_INVALID_ARGUMENT before any decoding', async () => {
    const wav = new Uint8Array(readFileSync(JFK_WAV));
    await expect(decodeAudio(wav, { channel: -1 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(decodeAudio(wav, { channel: 0.5 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(decodeAudio(wav, { ffmpeg: 7 as unknown as string })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(decodeAudio(wav, { ffmpeg: '' })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(decodeAudio('jfk.wav' as unknown as Uint8Array)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });

  it('a WAV whose channel is out of range says how many it has', async () => {
    await expect(decodeAudioFile(STEREO_WAV, { channel: 2 })).rejects.toThrow(/channel 2 does not exist: the audio has 2 channels, numbered from 0 to 1/);
  });
});
