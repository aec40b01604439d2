/**
 * Reading audio files into what a Transcriber takes (16 kHz mono Float32Array). The format is
 * recognised from the bytes; bundled WebAssembly decoders handle WAV, FLAC, MP3, Ogg Vorbis,
 * Ogg Opus and WebM Opus, and an installed ffmpeg handles the rest.
 * @module
 */
import { readFile } from 'node:fs/promises';

import { SAMPLE_RATE } from '../constants.js';
import { AmanuensisError, throwIfAborted } from '../errors.js';
import { nameWithCodec } from './container-codec.js';
import { decodeWithFfmpeg, resolveFfmpeg } from './decoders/ffmpeg.js';
import { decodeFlac } from './decoders/flac.js';
import { decodeMatroska } from './decoders/matroska.js';
import { decodeMpeg } from './decoders/mpeg.js';
import { decodeOgg } from './decoders/ogg.js';
import { decodeWav } from './decoders/wav.js';
import { detectFormat } from './detect-format.js';
import { decodeError, type RawAudio } from './raw-audio.js';
import { toMono16k } from './to-mono-16k.js';

/** Decoded audio, ready for {@link Transcriber.transcribe}. */
export interface DecodedAudio {
  /** Mono samples at 16 kHz in [-1, 1]. */
  readonly samples: Float32Array;
  /**
   * Sample rate of the file before resampling, in Hz (Opus: 48000, its coding rate; a file
   * decoded by ffmpeg: the rate ffmpeg reports for its audio stream, 16000 if it reports none).
   */
  readonly originalSampleRate: number;
  /** Channels in the file. */
  readonly channels: number;
  /** Duration in seconds (`samples.length / 16000`). */
  readonly durationS: number;
}

/** Options of {@link decodeAudio} and {@link decodeAudioFile}. */
export interface DecodeAudioOptions {
  /** Keep only this channel (0-based) instead of averaging all channels. */
  readonly channel?: number;
  /**
   * The ffmpeg program that decodes formats without a bundled decoder (MP4/M4A, AAC, video
   * files, WMA, AIFF...): a path, or a name looked up on the PATH; `false` never runs it.
   * Default: the `AMANUENSIS_FFMPEG` environment variable, else `ffmpeg`.
   */
  readonly ffmpeg?: string | false;
  /**
   * Cancels the decoding: a running ffmpeg is killed at once; the bundled decoders, which run
   * in this thread, stop at their next step (after reading, after decoding, after resampling).
   * The promise then rejects with `ERR_ABORTED` (or the signal's reason, when that is an
   * AmanuensisError).
   */
  readonly signal?: AbortSignal;
}

/** The planes of a file before channel choice and resampling, with the format's name. @internal */
export interface DecodedPlanes {
  readonly raw: RawAudio;
  readonly format: string;
}

/** Refuses bad arguments before any decoding work. */
function checkOptions(bytes: Uint8Array, options: DecodeAudioOptions): void {
  if (!(bytes instanceof Uint8Array)) throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'the audio must be a Uint8Array (or Buffer) holding the whole file');
  const { channel, ffmpeg, signal } = options ?? {};
  if (channel !== undefined && !(Number.isInteger(channel) && channel >= 0)) {
    throw new AmanuensisError('ERR_INVALID_ARGUMENT', `channel must be a 0-based channel number, not ${String(channel)}`);
  }
  if (ffmpeg !== undefined && ffmpeg !== false && !(typeof ffmpeg === 'string' && ffmpeg !== '')) {
    throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'ffmpeg must be the path or name of the ffmpeg program, or false');
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'signal must be an AbortSignal');
}

async function decodeByFormat(bytes: Uint8Array, path: string | undefined, options: DecodeAudioOptions): Promise<DecodedPlanes> {
  const format = detectFormat(bytes);
  const ffmpeg = (name: string): Promise<DecodedPlanes> =>
    decodeWithFfmpeg(path === undefined ? { bytes } : { bytes, path }, name, resolveFfmpeg(options.ffmpeg), options.signal).then((raw) => ({ raw, format: name }));
  switch (format.family) {
    case 'wav': {
      const wav = await decodeWav(bytes);
      return 'audio' in wav ? { raw: wav.audio, format: format.name } : ffmpeg(wav.unsupported);
    }
    case 'flac': return { raw: await decodeFlac(bytes.subarray(format.start)), format: format.name };
    case 'mpeg': return { raw: await decodeMpeg(bytes, format.name), format: format.name };
    case 'ogg-opus': return { raw: await decodeOgg(bytes, 'opus'), format: format.name };
    case 'ogg-vorbis': return { raw: await decodeOgg(bytes, 'vorbis'), format: format.name };
    case 'matroska': {
      const mkv = await decodeMatroska(bytes);
      return 'audio' in mkv ? { raw: mkv.audio, format: 'WebM Opus' } : ffmpeg(mkv.unsupported);
    }
    default: return ffmpeg(format.codecInContainer === true ? await nameWithCodec(bytes, format.name) : format.name);
  }
}

/**
 * Decodes a file's bytes to planes at the file's rate (before channel choice).
 * @internal
 */
export async function decodePlanes(bytes: Uint8Array, options: DecodeAudioOptions = {}, path?: string): Promise<DecodedPlanes> {
  checkOptions(bytes, options);
  throwIfAborted(options.signal);
  let planes: DecodedPlanes;
  try {
    planes = await decodeByFormat(bytes, path, options);
  } catch (err) {
    if (err instanceof AmanuensisError) throw err;
    throw new AmanuensisError('ERR_AUDIO_DECODE', `cannot decode audio: ${(err as Error).message}`, { cause: err });
  }
  throwIfAborted(options.signal);
  const { channels, sampleRate } = planes.raw;
  if (channels.length === 0 || !(sampleRate > 0)) throw decodeError(planes.format, 'the audio has no channels');
  return planes;
}

/**
 * One channel (or the mix) at 16 kHz from decoded planes.
 * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for a channel the audio does not have;
 * `ERR_AUDIO_DECODE` (with the cause) for anything else that fails
 * @internal
 */
export async function toDecodedAudio({ raw, format }: DecodedPlanes, channel: number | undefined): Promise<DecodedAudio> {
  let samples: Float32Array;
  try {
    samples = await toMono16k(raw, channel);
  } catch (err) {
    // the resampling library throws plain strings; none may reach the caller untyped
    if (err instanceof AmanuensisError) throw err;
    throw decodeError(format, `converting ${raw.sampleRate} Hz to 16 kHz failed: ${err instanceof Error ? err.message : String(err)}`, err);
  }
  return {
    samples,
    originalSampleRate: raw.originalSampleRate ?? raw.sampleRate,
    channels: raw.channels.length,
    durationS: samples.length / SAMPLE_RATE,
  };
}

/**
 * Decodes an audio file held in memory into 16 kHz mono. The format is recognised from the
 * bytes, never a name: WAV (PCM 8 to 32-bit, float, µ-law, A-law; any rate and channel count),
 * FLAC, MP3 (and MPEG layers I and II), Ogg Vorbis, Ogg Opus and WebM Opus are decoded in
 * process; every other format (MP4/M4A, AAC, WebM Vorbis, video files, WMA, AIFF...) goes to
 * ffmpeg (see {@link DecodeAudioOptions.ffmpeg}) through its standard input.
 * @param bytes - the whole file
 * @throws {@link AmanuensisError} `ERR_AUDIO_DECODE` for corrupt or truncated data, and for a
 * format that needs ffmpeg when none is found (the message names the format and the fix);
 * `ERR_INVALID_ARGUMENT` when `options.channel` is not one of the file's channels (or an option
 * has the wrong type); `ERR_ABORTED` when `options.signal` fires
 */
export async function decodeAudio(bytes: Uint8Array, options: DecodeAudioOptions = {}): Promise<DecodedAudio> {
  const audio = await toDecodedAudio(await decodePlanes(bytes, options), options.channel);
  throwIfAborted(options.signal);
  return audio;
}

/**
 * Reads an audio file and decodes it as {@link decodeAudio} does; ffmpeg, when needed, reads
 * the file by its path (an MP4 whose index is at its end cannot be read from a pipe).
 * @param path - the file; its extension is not looked at
 * @throws {@link AmanuensisError} `ERR_AUDIO_DECODE` when it cannot be read or decoded;
 * `ERR_INVALID_ARGUMENT` when `options.channel` is not one of the file's channels;
 * `ERR_ABORTED` when `options.signal` fires
 */
export async function decodeAudioFile(path: string, options: DecodeAudioOptions = {}): Promise<DecodedAudio> {
  const audio = await toDecodedAudio(await readAudioPlanes(path, options), options.channel);
  throwIfAborted(options.signal);
  return audio;
}

/**
 * Reads and decodes a file to planes (before channel choice), for callers that check the
 * channel themselves (the CLI counts channels from 1).
 * @internal
 */
export async function readAudioPlanes(path: string, options: DecodeAudioOptions = {}): Promise<DecodedPlanes> {
  throwIfAborted(options.signal);
  let bytes: Buffer;
  try {
    bytes = await readFile(path, options.signal === undefined ? {} : { signal: options.signal });
  } catch (err) {
    throwIfAborted(options.signal);
    throw new AmanuensisError('ERR_AUDIO_DECODE', `cannot read audio file '${path}': ${(err as Error).message}`, { cause: err });
  }
  return decodePlanes(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), options, path);
}
