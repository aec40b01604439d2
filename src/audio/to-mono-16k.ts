/**
 * The last step of every decoder: one channel (chosen, or the average of all, as ffmpeg's
 * `-ac 1`) at 16 kHz, resampled by wave-resampler (windowed sinc with a low-pass filter).
 * @module
 */
import waveResampler from 'wave-resampler';

import { SAMPLE_RATE } from '../constants.js';
import { AmanuensisError } from '../errors.js';
import type { RawAudio } from './raw-audio.js';

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
 * @internal
 */
export function resampleTo16k(mono: Float32Array, rate: number): Float32Array {
  if (rate === SAMPLE_RATE) return mono;
  return Float32Array.from(waveResampler.resample(mono, rate, SAMPLE_RATE, { method: 'sinc', LPF: true }));
}

/**
 * One channel at 16 kHz from decoded planes.
 * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for a channel the audio does not have
 * @internal
 */
export function toMono16k(raw: RawAudio, channel: number | undefined): Float32Array {
  return resampleTo16k(pickChannel(raw.channels, channel), raw.sampleRate);
}
