/**
 * Every bundled decoder against the source it was encoded from (jfk.wav), the G.711 expansion
 * against the standard's algorithm, and refusal of truncated and corrupt files.
 */
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { decodeAudio, decodeAudioFile } from '../../src/audio/audio-file.js';
import {
  ALAW_3S, bestAlignment, correlation, FLOAT_1S, MP3_3S, MULAW_3S, OGG_OPUS_3S, snrDb, VORBIS_3S, WEBM_OPUS_3S,
} from '../helpers/audio-fixtures.js';
import { JFK_FLAC, JFK_WAV, jfkSamplesReference, MULTILINGUAL_MP3 } from '../helpers/shared.js';

const bytesOf = (path: string): Uint8Array => new Uint8Array(readFileSync(path));

/** The first three seconds of jfk.wav, from which the lossy fixtures were encoded. */
const reference3s = (): Float32Array => jfkSamplesReference().subarray(0, 48000);

describe('lossy codecs decode to the speech they were encoded from', () => {
  // frame: the codec's frame (or long block) at 16 kHz, the bound on the decoded length's error;
  // minSnrDb: measured values minus a margin (MP3 23.0, Vorbis 19.0, Opus 24.2 dB)
  const cases = [
    { name: 'MP3 (MPEG-2 layer III, gapless)', path: MP3_3S, rate: 16000, channels: 1, frame: 576, minSnrDb: 20 },
    { name: 'Ogg Vorbis 44.1 kHz stereo', path: VORBIS_3S, rate: 44100, channels: 2, frame: Math.ceil((2048 * 16000) / 44100), minSnrDb: 16 },
    { name: 'Ogg Opus', path: OGG_OPUS_3S, rate: 48000, channels: 1, frame: 320, minSnrDb: 21 },
    { name: 'WebM Opus', path: WEBM_OPUS_3S, rate: 48000, channels: 1, frame: 320, minSnrDb: 21 },
  ];
  for (const c of cases) {
    it(`${c.name}: rate, channels, length within a frame, aligned (codec delay removed), close to the source`, async () => {
      const a = await decodeAudioFile(c.path);
      expect(a.originalSampleRate).toBe(c.rate);
      expect(a.channels).toBe(c.channels);
      expect(Math.abs(a.samples.length - 48000)).toBeLessThanOrEqual(c.frame);
      expect(a.durationS).toBe(a.samples.length / 16000);
      // a codec delay left in (Opus's 312-sample pre-skip is 104 samples at 16 kHz) would show as a lag
      const best = bestAlignment(a.samples, reference3s(), 400);
      expect(best.lag).toBe(0);
      expect(snrDb(a.samples, reference3s())).toBeGreaterThan(c.minSnrDb);
      expect(correlation(a.samples.subarray(0, 48000), reference3s())).toBeGreaterThan(0.99);
    });
  }

  it('an MP3 whose first frame follows padding outside its ID3 tag is still recognised and whole', async () => {
    const mp3 = Buffer.from(bytesOf(MP3_3S));
    const tag = 10 + ((mp3[6]! << 21) | (mp3[7]! << 14) | (mp3[8]! << 7) | mp3[9]!); // synch-safe size, small here
    const padded = new Uint8Array(Buffer.concat([mp3.subarray(0, tag), Buffer.alloc(300), mp3.subarray(tag)]));
    const a = await decodeAudio(padded, { ffmpeg: false });
    expect(a.samples).toEqual((await decodeAudio(mp3, { ffmpeg: false })).samples);
    expect(a.samples.length).toBe(48000);
  });

  it('multilingual.mp3 (MPEG-2, 24 kHz) has its true duration: frames × 576 less the LAME header\'s delay and padding', async () => {
    const bytes = bytesOf(MULTILINGUAL_MP3);
    // the Info header counts frames; the LAME extension after it (120 bytes on) holds delay and padding, 12 bits each
    const info = Buffer.from(bytes).indexOf('Info');
    const frames = Buffer.from(bytes).readUInt32BE(info + 8);
    const delayPadding = Buffer.from(bytes).readUIntBE(info + 120 + 21, 3);
    const trueSamples = frames * 576 - (delayPadding >> 12) - (delayPadding & 0xfff);
    expect(trueSamples).toBe(1437600); // 59.9 s: what ffmpeg decodes, where ffprobe's 59.952 s leaves the padding in
    const a = await decodeAudio(bytes);
    expect(a.originalSampleRate).toBe(24000);
    expect(a.channels).toBe(1);
    expect(a.samples.length).toBe((trueSamples * 16000) / 24000);
    expect(a.durationS).toBeCloseTo(59.9, 9);
  });
});

describe('WAV encodings', () => {
  it('32-bit float in the extensible layout is read as float, sample for sample', async () => {
    const a = await decodeAudioFile(FLOAT_1S);
    expect(a).toMatchObject({ originalSampleRate: 16000, channels: 1 });
    expect(a.samples).toEqual(jfkSamplesReference().subarray(0, 16000));
  });

  it('µ-law and A-law fixtures are within G.711\'s quantisation noise of the source', async () => {
    for (const path of [MULAW_3S, ALAW_3S]) {
      const a = await decodeAudioFile(path);
      expect(a.samples.length).toBe(48000);
      // G.711 keeps about 38 dB SNR on speech; measured 37.5 dB for both
      expect(snrDb(a.samples, reference3s())).toBeGreaterThan(35);
    }
  });

  /** A 16 kHz mono WAV of 8-bit codes in G.711 encoding 6 (A-law) or 7 (µ-law), written by hand. */
  function g711Wav(format: 6 | 7, codes: Uint8Array): Uint8Array {
    const b = Buffer.alloc(46 + codes.length);
    b.write('RIFF', 0, 'latin1');
    b.writeUInt32LE(38 + codes.length, 4);
    b.write('WAVEfmt ', 8, 'latin1');
    b.writeUInt32LE(18, 16);
    b.writeUInt16LE(format, 20);
    b.writeUInt16LE(1, 22);
    b.writeUInt32LE(16000, 24);
    b.writeUInt32LE(16000, 28);
    b.writeUInt16LE(1, 32);
    b.writeUInt16LE(8, 34);
    b.writeUInt16LE(0, 36);
    b.write('data', 38, 'latin1');
    b.writeUInt32LE(codes.length, 42);
    b.set(codes, 46);
    return new Uint8Array(b);
  }

  // ITU-T G.711's expansion, as its reference implementation computes it (16-bit output)
  function muLawExpand(code: number): number {
    const u = ~code & 0xff;
    const biased = (((u & 0x0f) << 3) + 0x84) << ((u >> 4) & 7);
    return (u & 0x80) !== 0 ? 0x84 - biased : biased - 0x84;
  }
  function aLawExpand(code: number): number {
    const a = code ^ 0x55;
    const exponent = (a >> 4) & 7;
    const mantissa = a & 0x0f;
    const magnitude = exponent === 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
    return (a & 0x80) !== 0 ? magnitude : -magnitude;
  }

  /** A 16 kHz stereo integer PCM WAV of the given samples (interleaved), little-endian (RIFF) or big-endian (RIFX), written by hand. */
  function pcmWav(bits: 8 | 16 | 24 | 32, interleaved: number[], bigEndian = false): Uint8Array {
    const width = bits / 8;
    const b = Buffer.alloc(44 + interleaved.length * width);
    const u32 = (v: number, at: number): number => (bigEndian ? b.writeUInt32BE(v, at) : b.writeUInt32LE(v, at));
    const u16 = (v: number, at: number): number => (bigEndian ? b.writeUInt16BE(v, at) : b.writeUInt16LE(v, at));
    b.write(bigEndian ? 'RIFX' : 'RIFF', 0, 'latin1');
    u32(36 + interleaved.length * width, 4);
    b.write('WAVEfmt ', 8, 'latin1');
    u32(16, 16);
    u16(1, 20);
    u16(2, 22);
    u32(16000, 24);
    u32(16000 * 2 * width, 28);
    u16(2 * width, 32);
    u16(bits, 34);
    b.write('data', 36, 'latin1');
    u32(interleaved.length * width, 40);
    interleaved.forEach((v, i) => {
      const at = 44 + i * width;
      if (bits === 8) b.writeUInt8(v + 128, at); // 8-bit WAV is unsigned
      else if (bigEndian) b.writeIntBE(v, at, width);
      else b.writeIntLE(v, at, width);
    });
    return new Uint8Array(b);
  }

  it('integer PCM of 8, 16, 24 and 32 bits, either byte order: each channel is value / 2^(bits-1)', async () => {
    for (const bits of [8, 16, 24, 32] as const) {
      const full = 2 ** (bits - 1);
      const left = [-full, full - 1, 0, -1, 1, Math.floor(full / 3)];
      const right = [full - 1, -full, 1, 0, -Math.floor(full / 7), 5];
      const interleaved = left.flatMap((v, i) => [v, right[i]!]);
      for (const bigEndian of bits === 8 ? [false] : [false, true]) {
        const bytes = pcmWav(bits, interleaved, bigEndian);
        const l = await decodeAudio(bytes, { channel: 0 });
        const r = await decodeAudio(bytes, { channel: 1 });
        expect(Array.from(l.samples)).toEqual(left.map((v) => Math.fround(v / full)));
        expect(Array.from(r.samples)).toEqual(right.map((v) => Math.fround(v / full)));
      }
    }
  });

  it('every µ-law and A-law code expands to the G.711 value / 32768', async () => {
    // known points of the tables first, so the algorithm above is itself checked
    expect([0xff, 0x7f, 0x00, 0x80].map(muLawExpand)).toEqual([0, 0, -32124, 32124]);
    expect([0xd5, 0x55, 0xaa, 0x2a].map(aLawExpand)).toEqual([8, -8, 32256, -32256]);
    const codes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const mu = await decodeAudio(g711Wav(7, codes));
    const alaw = await decodeAudio(g711Wav(6, codes));
    expect(Array.from(mu.samples)).toEqual(Array.from(codes, (c) => muLawExpand(c) / 32768));
    expect(Array.from(alaw.samples)).toEqual(Array.from(codes, (c) => aLawExpand(c) / 32768));
  });
});

describe('truncated and corrupt files get ERR_AUDIO_DECODE', () => {
  const formats = [
    { name: 'WAV (PCM)', path: JFK_WAV },
    { name: 'WAV (µ-law)', path: MULAW_3S },
    { name: 'WAV (float)', path: FLOAT_1S },
    { name: 'FLAC', path: JFK_FLAC },
    { name: 'MP3', path: MP3_3S },
    { name: 'MP3 (MPEG-2)', path: MULTILINGUAL_MP3 },
    { name: 'Ogg Vorbis', path: VORBIS_3S },
    { name: 'Ogg Opus', path: OGG_OPUS_3S },
    { name: 'WebM Opus', path: WEBM_OPUS_3S },
  ];
  for (const f of formats) {
    it(`${f.name}: cut in half, or after its first 64 bytes`, async () => {
      const bytes = bytesOf(f.path);
      // ffmpeg is kept out: the bundled decoder alone must refuse the file
      await expect(decodeAudio(bytes.subarray(0, bytes.length >> 1), { ffmpeg: false })).rejects.toMatchObject({ code: 'ERR_AUDIO_DECODE' });
      await expect(decodeAudio(bytes.subarray(0, 64), { ffmpeg: false })).rejects.toMatchObject({ code: 'ERR_AUDIO_DECODE' });
    });
  }

  /** The file with 1 KiB of pseudo-random bytes written over its middle. */
  function corrupted(path: string): Uint8Array {
    const bytes = bytesOf(path);
    let x = 12345;
    for (let i = bytes.length >> 1; i < (bytes.length >> 1) + 1024; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      bytes[i] = x >>> 24;
    }
    return bytes;
  }

  // formats with frame checks or structure to detect damage by; PCM has none: any bytes are samples
  for (const f of formats.filter((f) => !f.name.startsWith('WAV'))) {
    it(`${f.name}: 1 KiB of garbage in the middle`, async () => {
      await expect(decodeAudio(corrupted(f.path), { ffmpeg: false })).rejects.toMatchObject({ code: 'ERR_AUDIO_DECODE' });
    });
  }
});
