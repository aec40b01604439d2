/**
 * WAV through wavefile: integer PCM (8 to 32 bits), IEEE float (32 and 64 bits) and G.711
 * µ-law and A-law, in the plain and the WAVE_FORMAT_EXTENSIBLE layouts. wavefile parses the
 * chunks and expands G.711; PCM and float samples are read from its data chunk here, straight
 * into one plane per channel (its own sample reader makes an interleaved Float64Array first:
 * 2.4 s and 900 MB peak for a 10-minute 44.1 kHz stereo file).
 * @module
 */
import type { WaveFile } from 'wavefile';

import { decodeError, type RawAudio, throwIfShort } from '../raw-audio.js';

type WavefileModule = typeof import('wavefile');

/** wavefile, loaded on first use as every decoder library (an application that passes samples never loads it). */
async function loadWaveFile(): Promise<typeof WaveFile> {
  const module = await import('wavefile');
  // a CommonJS module marked __esModule without a default export: Node's ESM loader exposes it only
  // as the default, the CommonJS build (tsup's interop) only as the namespace
  return ('WaveFile' in module ? module : (module as { default: WavefileModule }).default).WaveFile;
}

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

/** Reads one sample at a byte offset, as a value in [-1, 1]. */
type SampleReader = (view: DataView, at: number) => number;

/**
 * The reader for an encoding and width: integer PCM is scaled by 2^(bits-1), as ffmpeg,
 * openai/whisper and whisper.cpp do (int16 / 32768); 8-bit WAV is unsigned with its zero at 128.
 */
function sampleReader(encoding: number, bits: number, le: boolean): SampleReader | undefined {
  if (encoding === IEEE_FLOAT) {
    if (bits === 32) return (v, at) => v.getFloat32(at, le);
    if (bits === 64) return (v, at) => v.getFloat64(at, le);
  } else if (encoding === PCM) {
    if (bits === 8) return (v, at) => (v.getUint8(at) - 128) / 128;
    if (bits === 16) return (v, at) => v.getInt16(at, le) / 32768;
    if (bits === 24) {
      return le
        ? (v, at) => ((v.getInt8(at + 2) << 16) | (v.getUint8(at + 1) << 8) | v.getUint8(at)) / 8388608
        : (v, at) => ((v.getInt8(at) << 16) | (v.getUint8(at + 1) << 8) | v.getUint8(at + 2)) / 8388608;
    }
    if (bits === 32) return (v, at) => v.getInt32(at, le) / 2147483648;
  }
  return undefined;
}

/** Reads interleaved samples into one plane per channel. */
function readPlanes(data: Uint8Array, channels: number, bytesPerSample: number, read: SampleReader): Float32Array[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const frames = Math.floor(data.byteLength / (bytesPerSample * channels));
  const planes = Array.from({ length: channels }, () => new Float32Array(frames));
  for (let f = 0, at = 0; f < frames; f++) {
    for (let c = 0; c < channels; c++, at += bytesPerSample) planes[c]![f] = read(view, at);
  }
  return planes;
}

/**
 * Decodes a WAV file.
 * @returns the planes and rate, or the encoding's description for one wavefile cannot expand
 * (ADPCM, GSM...), which the caller hands to ffmpeg
 * @throws {@link AmanuensisError} `ERR_AUDIO_DECODE` for a malformed or truncated file
 * @internal
 */
export async function decodeWav(bytes: Uint8Array): Promise<{ audio: RawAudio } | { unsupported: string }> {
  const WaveFileClass = await loadWaveFile();
  let wav: WaveFile;
  try {
    wav = new WaveFileClass(bytes);
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
  if (encoding === MU_LAW || encoding === A_LAW) {
    // wavefile expands G.711 to 16-bit PCM with the standard's tables
    if (encoding === MU_LAW) wav.fromMuLaw(); else wav.fromALaw();
    const pcm = (wav.data as { samples: Uint8Array }).samples;
    return { audio: { channels: readPlanes(pcm, channels, 2, sampleReader(PCM, 16, littleEndian)!), sampleRate } };
  }
  const read = sampleReader(encoding, bits, littleEndian);
  if (read === undefined) return { unsupported: `WAV (encoding ${encoding}, ${bits}-bit)` };
  return { audio: { channels: readPlanes(data.samples, channels, bits / 8, read), sampleRate } };
}
