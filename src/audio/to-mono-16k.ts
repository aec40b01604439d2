/**
 * The last step of every decoder: one channel (chosen, or the average of all) at 16 kHz,
 * resampled by libsamplerate (its WebAssembly build). Its medium-quality sinc converter keeps a
 * 1 kHz tone at 120 dB SNR with no delay from 8, 24, 44.1 or 48 kHz (above 110 dB from 352.8,
 * 384 and 768 kHz, in two stages); wave-resampler, used before, reached 14 to 29 dB and shifted
 * the signal by 0.15 to 1 sample.
 * @module
 */
import { SAMPLE_RATE } from '../constants.js';
import { AmanuensisError } from '../errors.js';
import { decodeError, type RawAudio } from './raw-audio.js';

type LibsamplerateModule = typeof import('@alexanderolsen/libsamplerate-js');

/**
 * libsamplerate-js, loaded on first use (its WebAssembly build holds about 18 MB resident): an
 * application that passes 16 kHz samples, or files already at 16 kHz, never loads it.
 */
async function loadLibsamplerate(): Promise<LibsamplerateModule> {
  const module = await import('@alexanderolsen/libsamplerate-js');
  // a CommonJS module marked __esModule without a default export: Node's ESM loader exposes it only
  // as the default, the CommonJS build (tsup's interop) only as the namespace
  return 'create' in module ? module : (module as { default: LibsamplerateModule }).default;
}

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
 * The highest rate libsamplerate-js takes (it refuses more with a thrown string). Only the ratio
 * of the two rates it is given matters to the conversion (its C side computes out / in), so a
 * stage by an integer factor is asked for as 192000 to 192000 / factor.
 */
const MAX_LIBRARY_RATE = 192_000;

/** Runs one libsamplerate conversion; both rates are whole numbers of Hz up to {@link MAX_LIBRARY_RATE}. */
async function convert(mono: Float32Array, fromRate: number, toRate: number): Promise<Float32Array> {
  const libsamplerate = await loadLibsamplerate();
  const converter = await libsamplerate.create(1, fromRate, toRate, { converterType: libsamplerate.ConverterType.SRC_SINC_MEDIUM_QUALITY });
  try {
    // the library cuts long input into views of the input's buffer from offset 0, so a view
    // that starts further in is copied first
    return converter.simple(mono.byteOffset === 0 ? mono : mono.slice());
  } finally {
    converter.destroy();
  }
}

/** The lowest rate a first stage may go down to: well above 16 kHz, so it cuts nothing the second keeps. */
const MIN_FIRST_STAGE_RATE = 32_000;

/**
 * The factor that brings `rate` down to what libsamplerate-js takes: a divisor of 192000 (so the
 * stage's ratio is exact), preferably one that also divides `rate` (so the next stage's rate is
 * exact too), else the smallest that is enough.
 */
function firstStageFactor(rate: number): number {
  const factors: number[] = [];
  for (let factor = 2; rate / factor >= MIN_FIRST_STAGE_RATE; factor++) {
    if (MAX_LIBRARY_RATE % factor === 0 && rate / factor <= MAX_LIBRARY_RATE) factors.push(factor);
  }
  return factors.find((factor) => rate % factor === 0) ?? factors[0]!;
}

/**
 * Converts mono samples to 16 kHz. Rates above 192 kHz (352.8 or 384 kHz studio files) are first
 * divided by a whole factor, then converted as any other rate.
 * @param rate - their rate in Hz
 * @throws {@link AmanuensisError} `ERR_AUDIO_DECODE` for a rate more than 256 times above or
 * below 16 kHz (a corrupt header: no audio format has one)
 * @internal
 */
export async function resampleTo16k(mono: Float32Array, rate: number): Promise<Float32Array> {
  if (rate === SAMPLE_RATE) return mono;
  if (!(rate * MAX_RATIO >= SAMPLE_RATE && rate <= SAMPLE_RATE * MAX_RATIO)) throw decodeError(`${rate} Hz`, 'the sample rate cannot be converted to 16 kHz');
  let stageInput = mono;
  let stageRate = rate;
  if (rate > MAX_LIBRARY_RATE) {
    const factor = firstStageFactor(rate);
    stageInput = await convert(mono, MAX_LIBRARY_RATE, MAX_LIBRARY_RATE / factor);
    // exact for every real rate (multiples of 44.1 or 48 kHz); a rate no factor divides (an
    // odd number from a hand-made header) is off by at most half a hertz in 96 kHz, 5 ppm
    stageRate = Math.round(rate / factor);
  }
  const converted = await convert(stageInput, stageRate, SAMPLE_RATE);
  // long input goes through the streaming interface, which keeps back the filter's last few
  // milliseconds: the length is set to the exact conversion of the input's, so the duration is
  const frames = Math.round((mono.length * SAMPLE_RATE) / rate);
  if (converted.length === frames) return converted;
  const exact = new Float32Array(frames);
  exact.set(converted.subarray(0, frames));
  return exact;
}

/**
 * One channel at 16 kHz from decoded planes.
 * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for a channel the audio does not have
 * @internal
 */
export async function toMono16k(raw: RawAudio, channel: number | undefined): Promise<Float32Array> {
  return resampleTo16k(pickChannel(raw.channels, channel), raw.sampleRate);
}
