/**
 * WAV through wavefile: integer PCM (8 to 32 bits), IEEE float (32 and 64 bits) and G.711
 * µ-law and A-law, in the plain and the WAVE_FORMAT_EXTENSIBLE layouts.
 * @module
 */
import wavefile from 'wavefile';

import { decodeError, type RawAudio, throwIfShort } from '../raw-audio.js';

const PCM = 1;
const IEEE_FLOAT = 3;
const A_LAW = 6;
const MU_LAW = 7;
const EXTENSIBLE = 0xfffe;

/** Data chunk size that streaming writers (ffmpeg on a pipe) leave when the length is not known. */
const UNKNOWN_SIZE = 0xffffffff;

interface WavFormatChunk {
  audioFormat: number;
  numChannels: number;
  sampleRate: number;
  bitsPerSample: number;
  subformat?: number[];
}

/** The encoding of the samples: an extensible header keeps it in the first word of its subformat GUID. */
function encodingOf(fmt: WavFormatChunk): number {
  return fmt.audioFormat === EXTENSIBLE ? (fmt.subformat?.[0] ?? 0) : fmt.audioFormat;
}

/** Samples of an IEEE float data chunk, read with the file's byte order. */
function floatSamples(data: Uint8Array, bits: number, littleEndian: boolean): Float64Array {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const bytes = bits / 8;
  const out = new Float64Array(Math.floor(data.byteLength / bytes));
  for (let i = 0; i < out.length; i++) out[i] = bits === 32 ? view.getFloat32(i * bytes, littleEndian) : view.getFloat64(i * bytes, littleEndian);
  return out;
}

/** Splits interleaved samples into planes, scaling each value. */
function deinterleave(samples: ArrayLike<number>, channels: number, scale: (v: number) => number): Float32Array[] {
  const frames = Math.floor(samples.length / channels);
  const planes = Array.from({ length: channels }, () => new Float32Array(frames));
  for (let f = 0; f < frames; f++) for (let c = 0; c < channels; c++) planes[c]![f] = scale(samples[f * channels + c]!);
  return planes;
}

/**
 * Decodes a WAV file.
 * @returns the planes and rate, or `undefined` for an encoding wavefile cannot expand (ADPCM,
 * GSM...), which the caller hands to ffmpeg
 * @throws {@link AmanuensisError} `ERR_AUDIO_DECODE` for a malformed or truncated file
 * @internal
 */
export function decodeWav(bytes: Uint8Array): { audio: RawAudio } | { unsupported: string } {
  let wav: InstanceType<typeof wavefile.WaveFile>;
  try {
    wav = new wavefile.WaveFile(bytes);
  } catch (err) {
    throw decodeError('WAV', (err as Error).message, err);
  }
  const fmt = wav.fmt as WavFormatChunk;
  const data = wav.data as { chunkSize: number; samples: Uint8Array };
  // read before a G.711 conversion, which gives wavefile a new header
  const { numChannels: channels, sampleRate, bitsPerSample: bits } = fmt;
  if (!(channels > 0) || !(sampleRate > 0)) throw decodeError('WAV', `the header declares ${channels} channels at ${sampleRate} Hz`);
  if (data.chunkSize !== UNKNOWN_SIZE) throwIfShort('WAV', data.samples.length, data.chunkSize, 0);
  const littleEndian = (wav as unknown as { container: string }).container !== 'RIFX';
  const encoding = encodingOf(fmt);
  let planes: Float32Array[];
  if (encoding === IEEE_FLOAT && (bits === 32 || bits === 64)) {
    planes = deinterleave(floatSamples(data.samples, bits, littleEndian), channels, (v) => v);
  } else if (encoding === MU_LAW || encoding === A_LAW) {
    // wavefile expands G.711 to 16-bit PCM with the standard's tables
    if (encoding === MU_LAW) wav.fromMuLaw(); else wav.fromALaw();
    planes = deinterleave(wav.getSamples(true, Float64Array) as unknown as Float64Array, channels, (v) => v / 32768);
  } else if (encoding === PCM && [8, 16, 24, 32].includes(bits)) {
    // integer PCM is scaled by 2^(bits-1), as ffmpeg, openai/whisper and whisper.cpp do (int16 / 32768);
    // 8-bit WAV is unsigned with its zero at 128
    const scale = 1 / 2 ** (bits - 1);
    const offset = bits === 8 ? -128 : 0;
    planes = deinterleave(wav.getSamples(true, Float64Array) as unknown as Float64Array, channels, (v) => (v + offset) * scale);
  } else {
    return { unsupported: `WAV (encoding ${encoding}, ${bits}-bit)` };
  }
  return { audio: { channels: planes, sampleRate } };
}
