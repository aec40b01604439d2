/**
 * Reading audio files into what a Transcriber takes (16 kHz mono Float32Array), with
 * well-kept libraries: wavefile parses WAV, @wasm-audio-decoders/flac decodes FLAC,
 * wave-resampler converts the rate (windowed sinc with a low-pass filter).
 * @module
 */
import { readFile } from 'node:fs/promises';

import waveResampler from 'wave-resampler';
import wavefile from 'wavefile';

import { SAMPLE_RATE } from '../constants.js';
import { AmanuensisError } from '../errors.js';

/** Decoded audio, ready for {@link Transcriber.transcribe}. */
export interface DecodedAudio {
  /** Mono samples at 16 kHz in [-1, 1]. */
  readonly samples: Float32Array;
  /** Sample rate of the file before resampling, in Hz. */
  readonly originalSampleRate: number;
  /** Channels in the file. */
  readonly channels: number;
  /** Duration in seconds. */
  readonly durationS: number;
}

/** Options of {@link decodeAudioFile}. */
export interface DecodeAudioOptions {
  /** Keep only this channel (0-based) instead of averaging all channels. */
  readonly channel?: number;
}

interface RawAudio {
  readonly channels: Float32Array[];
  readonly sampleRate: number;
}

function isWav(b: Uint8Array): boolean {
  return b.length >= 12 && String.fromCharCode(...b.subarray(0, 4)) === 'RIFF' && String.fromCharCode(...b.subarray(8, 12)) === 'WAVE';
}

function isFlac(b: Uint8Array): boolean {
  return b.length >= 4 && String.fromCharCode(...b.subarray(0, 4)) === 'fLaC';
}

function decodeWav(bytes: Uint8Array): RawAudio {
  const wav = new wavefile.WaveFile(bytes);
  const fmt = wav.fmt as { numChannels: number; sampleRate: number; audioFormat: number };
  const bitDepth = wav.bitDepth;
  // integer PCM is scaled by 2^(bits-1), as ffmpeg, openai/whisper and whisper.cpp do (int16 / 32768)
  let scale: number;
  let offset = 0;
  if (bitDepth === '32f' || bitDepth === '64f') scale = 1;
  else if (bitDepth === '8') { scale = 1 / 128; offset = -128; }
  else if (['16', '24', '32'].includes(bitDepth)) scale = 1 / 2 ** (Number(bitDepth) - 1);
  else throw new AmanuensisError('ERR_AUDIO_DECODE', `WAV encoding with bit depth '${bitDepth}' is not supported; convert to PCM`);
  const raw = wav.getSamples(false, Float64Array) as unknown as Float64Array | Float64Array[];
  const planes = fmt.numChannels > 1 ? (raw as Float64Array[]) : [raw as Float64Array];
  return {
    channels: planes.map((p) => Float32Array.from(p, (v) => (v + offset) * scale)),
    sampleRate: fmt.sampleRate,
  };
}

async function decodeFlac(bytes: Uint8Array): Promise<RawAudio> {
  const { FLACDecoder } = await import('@wasm-audio-decoders/flac');
  const decoder = new FLACDecoder();
  await decoder.ready;
  try {
    const out = await decoder.decodeFile(bytes);
    if (out.errors.length > 0 && out.channelData.length === 0) {
      throw new Error(String((out.errors[0] as { message?: string }).message ?? 'corrupt FLAC'));
    }
    return { channels: out.channelData, sampleRate: out.sampleRate };
  } finally {
    decoder.free();
  }
}

/**
 * Decodes a WAV (PCM 8/16/24/32-bit or float, any rate, any channels) or FLAC file held
 * in memory into 16 kHz mono.
 * @throws {@link AmanuensisError} `ERR_AUDIO_DECODE` for unknown formats and corrupt data
 */
export async function decodeAudio(bytes: Uint8Array, options: DecodeAudioOptions = {}): Promise<DecodedAudio> {
  let raw: RawAudio;
  try {
    if (isWav(bytes)) raw = decodeWav(bytes);
    else if (isFlac(bytes)) raw = await decodeFlac(bytes);
    else throw new AmanuensisError('ERR_AUDIO_DECODE', 'unrecognised audio format: WAV and FLAC are supported');
  } catch (err) {
    if (err instanceof AmanuensisError) throw err;
    throw new AmanuensisError('ERR_AUDIO_DECODE', `cannot decode audio: ${(err as Error).message}`, { cause: err });
  }
  const { channels, sampleRate } = raw;
  if (channels.length === 0 || !(sampleRate > 0)) throw new AmanuensisError('ERR_AUDIO_DECODE', 'the audio has no channels');
  let mono: Float32Array;
  if (options.channel !== undefined) {
    const chosen = channels[options.channel];
    if (chosen === undefined) {
      throw new AmanuensisError('ERR_INVALID_ARGUMENT', `channel ${options.channel} does not exist (the file has ${channels.length})`);
    }
    mono = chosen;
  } else if (channels.length === 1) {
    mono = channels[0]!;
  } else {
    // downmix by averaging, as ffmpeg's -ac 1
    mono = new Float32Array(channels[0]!.length);
    for (const ch of channels) for (let i = 0; i < mono.length; i++) mono[i]! += ch[i]! / channels.length;
  }
  const samples = sampleRate === SAMPLE_RATE
    ? mono
    : Float32Array.from(waveResampler.resample(mono, sampleRate, SAMPLE_RATE, { method: 'sinc', LPF: true }));
  return { samples, originalSampleRate: sampleRate, channels: channels.length, durationS: samples.length / SAMPLE_RATE };
}

/**
 * Reads and decodes an audio file (see {@link decodeAudio}).
 * @param path - a `.wav` or `.flac` file
 * @throws {@link AmanuensisError} `ERR_AUDIO_DECODE` when it cannot be read or decoded
 */
export async function decodeAudioFile(path: string, options: DecodeAudioOptions = {}): Promise<DecodedAudio> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new AmanuensisError('ERR_AUDIO_DECODE', `cannot read audio file '${path}': ${(err as Error).message}`, { cause: err });
  }
  return decodeAudio(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), options);
}
