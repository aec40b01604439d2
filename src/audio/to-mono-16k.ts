/**
 * The last step of every decoder: one channel (chosen, or the average of all, as ffmpeg's
 * `-ac 1`) at 16 kHz, resampled by libsamplerate (its WebAssembly build). Its medium-quality
 * sinc converter keeps a 1 kHz tone at 120 dB SNR with no delay from 8, 24, 44.1 or 48 kHz;
 * wave-resampler, used before, reached 14 to 29 dB and shifted the signal by 0.15 to 1 sample.
 * @module
 */
import libsamplerate from '@alexanderolsen/libsamplerate-js';

import { SAMPLE_RATE } from '../constants.js';
import { AmanuensisError } from '../errors.js';
import { decodeError, type RawAudio } from './raw-audio.js';

/** libsamplerate converts by ratios from 1/256 to 256. */
const MAX_RATIO = 256;

/**
 * Keeps one channel, or averages them all.
 * @param channel - 0-based; undefined for the average
 * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` when `channel` is not one of the audio's
 * @internal
 */
export function pickChannel(planes: readonly Float32Array[], channel: number | undefined): Float32Array {
  if (channel !== undefined) {
    const chosen = Number.isInteger(channel) ? planes[channel] : undefined;
    if (chosen === undefined) {
      throw new AmanuensisError('ERR_INVALID_ARGUMENT',
        `channel ${channel} does not exist: the audio has ${planes.length} channel${planes.length === 1 ? '' : 's'}, numbered from 0 to ${planes.length - 1}`);
    }
    return chosen;
  }
  if (planes.length === 1) return planes[0]!;
  // decoders give planes of one length; the shortest bounds the mix if one ever does not
  const frames = Math.min(...planes.map((p) => p.length));
  const mono = new Float32Array(frames);
  for (const plane of planes) for (let i = 0; i < frames; i++) mono[i]! += plane[i]! / planes.length;
  return mono;
}

/**
 * Converts mono samples to 16 kHz.
 * @param rate - their rate in Hz
 * @throws {@link AmanuensisError} `ERR_AUDIO_DECODE` for a rate more than 256 times above or
 * below 16 kHz (a corrupt header: no audio format has one)
 * @internal
 */
export async function resampleTo16k(mono: Float32Array, rate: number): Promise<Float32Array> {
  if (rate === SAMPLE_RATE) return mono;
  if (!(rate * MAX_RATIO >= SAMPLE_RATE && rate <= SAMPLE_RATE * MAX_RATIO)) throw decodeError(`${rate} Hz`, 'the sample rate cannot be converted to 16 kHz');
  const converter = await libsamplerate.create(1, rate, SAMPLE_RATE, { converterType: libsamplerate.ConverterType.SRC_SINC_MEDIUM_QUALITY });
  try {
    // the library cuts long input into views of the input's buffer from offset 0, so a view
    // that starts further in is copied first
    const converted = converter.simple(mono.byteOffset === 0 ? mono : mono.slice());
    // long input goes through the streaming interface, which keeps back the filter's last few
    // milliseconds: the length is set to the exact conversion of the input's, so the duration is
    const frames = Math.round((mono.length * SAMPLE_RATE) / rate);
    if (converted.length === frames) return converted;
    const exact = new Float32Array(frames);
    exact.set(converted.subarray(0, frames));
    return exact;
  } finally {
    converter.destroy();
  }
}

/**
 * One channel at 16 kHz from decoded planes.
 * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for a channel the audio does not have
 * @internal
 */
export async function toMono16k(raw: RawAudio, channel: number | undefined): Promise<Float32Array> {
  return resampleTo16k(pickChannel(raw.channels, channel), raw.sampleRate);
}
