/**
 * Formats without a bundled decoder go to ffmpeg: its contract (input on stdin or by path, a
 * float WAV on stdout, failures reported with ffmpeg's own words) is tested with a stand-in
 * script, since ffmpeg is not installed everywhere; without ffmpeg the error names the format
 * and the fix. The format is always recognised from the bytes, never the file name.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

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

describe('cancelling an ffmpeg decode', () => {
  const dir = mkdtempSync(join(tmpdir(), 'amanuensis-ffmpeg-abort-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  /** What the stand-in wrote to FAKE_FFMPEG_LOG. */
  const readLog = (log: string): { pid: number; args: string[] } => JSON.parse(readFileSync(log, 'utf8'));
  const isRunning = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };

  it('a fired signal kills a stalled ffmpeg (deaf to SIGTERM) and the decode rejects with ERR_ABORTED once it is gone', async () => {
    const log = join(dir, 'stalled.json');
    const controller = new AbortController();
    const stalled = new TextEncoder().encode('HANG: an input ffmpeg never finishes');
    await withEnv({ FAKE_FFMPEG_LOG: log }, async () => {
      const decoding = decodeAudio(stalled, { ffmpeg: FAKE_FFMPEG, signal: controller.signal }).catch((e: unknown) => e);
      // the stand-in writes its log as it starts: it is running from then on
      while (!existsSync(log)) await sleep(20);
      const { pid } = readLog(log);
      expect(isRunning(pid)).toBe(true);
      controller.abort();
      expect(await decoding).toMatchObject({ name: 'AmanuensisError', code: 'ERR_ABORTED' });
      expect(isRunning(pid)).toBe(false);
    });
  });

  it('a signal fired before the call: ERR_ABORTED, and ffmpeg is never started', async () => {
    const log = join(dir, 'never.json');
    const signal = AbortSignal.abort();
    await withEnv({ FAKE_FFMPEG_LOG: log }, async () => {
      await expect(decodeAudio(m4a(), { ffmpeg: FAKE_FFMPEG, signal })).rejects.toMatchObject({ code: 'ERR_ABORTED' });
      await expect(decodeAudioFile(M4A_3S, { ffmpeg: FAKE_FFMPEG, signal })).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    });
    expect(existsSync(log)).toBe(false);
    // the bundled decoders heed it too
    await expect(decodeAudioFile(JFK_WAV, { signal })).rejects.toMatchObject({ code: 'ERR_ABORTED' });
  });
});

describe('a file path is given to ffmpeg as a file: URL', () => {
  const dir = mkdtempSync(join(tmpdir(), 'amanuensis-ffmpeg-names-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("a name with a colon (take2:final.m4a), given relative, reaches ffmpeg as file:<absolute path>", async () => {
    // real ffmpeg reads a bare `take2:final.m4a` as the URL of a protocol `take2` ("Protocol not
    // found"); that parsing is ffmpeg's own, so what is checked here is the argument it is given
    const file = join(dir, 'take2:final.m4a');
    copyFileSync(M4A_3S, file);
    const log = join(dir, 'args.json');
    const a = await withEnv({ FAKE_FFMPEG_LOG: log }, () => decodeAudioFile(relative(process.cwd(), file), { ffmpeg: FAKE_FFMPEG, channel: 0 }));
    const { args } = JSON.parse(readFileSync(log, 'utf8')) as { args: string[] };
    expect(args[args.indexOf('-i') + 1]).toBe(`file:${file}`);
    expect(Array.from(a.samples)).toEqual(standInLeft(m4a()));
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
    await expect(decodeAudio(wav, { signal: new AbortController() as unknown as AbortSignal })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(decodeAudio('jfk.wav' as unknown as Uint8Array)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });

  it('a WAV whose channel is out of range says how many it has', async () => {
    await expect(decodeAudioFile(STEREO_WAV, { channel: 2 })).rejects.toThrow(/channel 2 does not exist: the audio has 2 channels, numbered from 0 to 1/);
  });
});
