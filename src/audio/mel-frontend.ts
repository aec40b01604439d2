/**
 * The log-mel spectrogram front end, as openai/whisper `audio.py` log_mel_spectrogram:
 * periodic Hann window of N_FFT samples, hop HOP_LENGTH, centred frames with reflect
 * padding, the last frame dropped, power spectrum, mel filterbank, log10 clamped at 1e-10,
 * floored at (max - 8), then (x + 4) / 4.
 * @module
 */
import { HOP_LENGTH, N_FFT, N_FRAMES, N_FREQ } from '../constants.js';
import { AmanuensisError } from '../errors.js';
import type { MelFilterbank } from '../model/ggml-loader.js';
import { BluesteinDft } from './dft.js';
import { assertAudio } from './validate-audio.js';

/** A log-mel spectrogram: `data` is `[nMels, nFrames]` row-major (frame t of band m at `m * nFrames + t`). */
export interface MelSpectrogram {
  /** Scaled log-mel values `[nMels, nFrames]` row-major, about -1.5 (silence) to 2.5. */
  readonly data: Float32Array;
  /** Mel bands (rows). */
  readonly nMels: number;
  /** Frames, one per HOP_LENGTH samples (10 ms). */
  readonly nFrames: number;
}

/** Options of {@link MelFrontend.compute}. */
export interface MelComputeOptions {
  /**
   * Zero samples appended before the STFT, as openai/whisper's `padding` argument. The
   * Transcriber passes N_SAMPLES (30 s) so that every window, the last included, has
   * 3000 frames. Default 0.
   */
  readonly paddingSamples?: number;
  /** Cancels a long computation between its pieces (`ERR_ABORTED`, or the signal's own AmanuensisError); front ends may ignore it. */
  readonly signal?: AbortSignal;
}

/** The pluggable first stage of a Transcriber: audio samples to a log-mel spectrogram. */
export interface MelFrontend {
  /** Mel bands produced (80, or 128 for large-v3). */
  readonly nMels: number;
  /**
   * @param samples - mono audio at 16 kHz, any length
   * @returns `[nMels, floor((samples.length + paddingSamples) / HOP_LENGTH)]`
   * @throws {@link AmanuensisError} `ERR_INVALID_AUDIO` for a non-Float32Array or non-finite samples
   */
  compute(samples: Float32Array, options?: MelComputeOptions): MelSpectrogram;
  /**
   * The same spectrogram computed off the main thread, when the front end can; the
   * Transcriber prefers it.
   * @throws {@link AmanuensisError} as {@link compute}
   */
  computeAsync?(samples: Float32Array, options?: MelComputeOptions): Promise<MelSpectrogram>;
  /**
   * The largest log10 mel power in the whole spectrogram of `samples` and `paddingSamples`
   * zeros: openai/whisper audio.py's dynamic-range reference (the spectrogram is floored at it
   * minus 8). With {@link computeWindow}, it lets the Transcriber take a recording of any length
   * one 30 s window at a time, in bounded memory, when the front end can.
   * @throws {@link AmanuensisError} as {@link compute}
   */
  logMelMax?(samples: Float32Array, options?: MelComputeOptions): Promise<number>;
  /**
   * Frames `[firstFrame, firstFrame + frames)` of that spectrogram, floored at `logMax - 8`:
   * the values those frames have in {@link computeAsync}'s spectrogram.
   * @returns `[nMels, frames]`
   * @throws {@link AmanuensisError} as {@link compute}; `ERR_INVALID_ARGUMENT` for a range outside the spectrogram
   */
  computeWindow?(samples: Float32Array, options: MelWindowOptions): Promise<MelSpectrogram>;
}

/** Options of {@link MelFrontend.computeWindow}. */
export interface MelWindowOptions extends MelComputeOptions {
  /** First frame (10 ms units) of the window. */
  readonly firstFrame: number;
  /** Frames in the window. */
  readonly frames: number;
  /** The whole spectrogram's {@link MelFrontend.logMelMax}. */
  readonly logMax: number;
}

/**
 * One encoder window: frames [seek, seek + N_FRAMES) of a spectrogram computed with
 * N_SAMPLES of padding, copied into `data` (`[nMels, N_FRAMES]`; a new array when omitted).
 * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` when the window runs past the spectrogram
 */
export function melWindow(mel: MelSpectrogram, seek: number, data: Float32Array = new Float32Array(mel.nMels * N_FRAMES)): MelSpectrogram {
  if (!Number.isInteger(seek) || seek < 0 || seek + N_FRAMES > mel.nFrames || data.length !== mel.nMels * N_FRAMES) {
    throw new AmanuensisError('ERR_INVALID_ARGUMENT', `a ${N_FRAMES}-frame window at ${seek} does not fit a spectrogram of ${mel.nFrames} frames`);
  }
  for (let m = 0; m < mel.nMels; m++) {
    const from = m * mel.nFrames + seek;
    data.set(mel.data.subarray(from, from + N_FRAMES), m * N_FRAMES);
  }
  return { data, nMels: mel.nMels, nFrames: N_FRAMES };
}

/** Index into a signal of length n with numpy/torch 'reflect' semantics (edge not repeated). */
function reflectIndex(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  let j = i % period;
  if (j < 0) j += period;
  return j < n ? j : period - j;
}

/** Option records made by {@link checkedMelOptions}: their caller has checked the samples already. */
const checkedSamples = new WeakSet<MelComputeOptions>();

/**
 * Compute options for a caller that has already checked the samples with `assertAudio` at its
 * public entry point (the Transcriber): the built-in front ends then skip their own scan of
 * the samples, which would find nothing new. Only this module can mark a record, so a user
 * calling a front end directly always gets the check. @internal
 */
export function checkedMelOptions<T extends MelComputeOptions>(options: T): T {
  const marked = Object.freeze({ ...options });
  checkedSamples.add(marked);
  return marked;
}

/**
 * Checks the arguments of {@link MelFrontend.compute}: finite Float32Array audio (unless the
 * options come from {@link checkedMelOptions}) and a non-negative integer padding, returned
 * with its default (0). @internal
 */
export function checkMelInput(samples: unknown, options: MelComputeOptions): number {
  if (!checkedSamples.has(options)) assertAudio(samples);
  const padding = options.paddingSamples ?? 0;
  if (!Number.isInteger(padding) || padding < 0) {
    throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'paddingSamples must be a non-negative integer');
  }
  return padding;
}

/**
 * Whisper's log-mel front end in TypeScript (fft.js through a Bluestein DFT), with the
 * filterbank read from the model file.
 */
export class WhisperMelFrontend implements MelFrontend {
  readonly nMels: number;
  private readonly filters: Float32Array;
  /** First and one-past-last nonzero frequency bin of each mel filter. */
  private readonly bands: Int32Array;
  private readonly window: Float64Array;
  private readonly dft = new BluesteinDft(N_FFT);

  /** @param filterbank - `[nMels, N_FREQ]` filters, e.g. `GgmlModelFile.melFilters` */
  constructor(filterbank: MelFilterbank) {
    if (filterbank.nFreq !== N_FREQ || filterbank.data.length !== filterbank.nMels * N_FREQ) {
      throw new AmanuensisError('ERR_INVALID_ARGUMENT', `a mel filterbank must be [nMels, ${N_FREQ}]`);
    }
    this.nMels = filterbank.nMels;
    this.filters = filterbank.data;
    this.bands = new Int32Array(2 * this.nMels);
    for (let m = 0; m < this.nMels; m++) {
      let lo = N_FREQ;
      let hi = 0;
      for (let f = 0; f < N_FREQ; f++) {
        if (this.filters[m * N_FREQ + f] !== 0) {
          lo = Math.min(lo, f);
          hi = f + 1;
        }
      }
      this.bands[2 * m] = lo;
      this.bands[2 * m + 1] = Math.max(lo, hi);
    }
    // periodic Hann, as torch.hann_window(N_FFT)
    this.window = new Float64Array(N_FFT);
    for (let i = 0; i < N_FFT; i++) this.window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / N_FFT);
  }

  compute(samples: Float32Array, options: MelComputeOptions = {}): MelSpectrogram {
    const padding = checkMelInput(samples, options);
    const nSignal = samples.length + padding;
    const nFrames = Math.floor(nSignal / HOP_LENGTH);
    const nMels = this.nMels;
    const out = new Float32Array(nMels * nFrames);
    if (nFrames === 0) return { data: out, nMels, nFrames };

    const half = N_FFT / 2;
    const at = (i: number): number => {
      const j = reflectIndex(i, nSignal);
      return j < samples.length ? samples[j]! : 0;
    };
    const power = new Float64Array(2 * N_FREQ);
    const frameIn = new Float64Array(2 * N_FFT);
    const spectrum = new Float64Array(2 * N_FFT);
    const logMel = new Float64Array(nMels * nFrames);
    const silent = (t: number): boolean => {
      // a frame whose every sample (reflections included) falls in the zero padding
      const start = t * HOP_LENGTH - half;
      return start >= samples.length && start + N_FFT <= nSignal;
    };

    // two real frames per complex DFT: z = a + i b, then A[k] = (Z[k] + conj Z[N-k]) / 2, B[k] = (Z[k] - conj Z[N-k]) / 2i
    for (let t = 0; t < nFrames; t += 2) {
      const pair = t + 1 < nFrames;
      const bothSilent = silent(t) && (!pair || silent(t + 1));
      if (bothSilent) {
        power.fill(0);
      } else {
        for (let i = 0; i < N_FFT; i++) {
          const w = this.window[i]!;
          frameIn[2 * i] = w * at(t * HOP_LENGTH - half + i);
          frameIn[2 * i + 1] = pair ? w * at((t + 1) * HOP_LENGTH - half + i) : 0;
        }
        this.dft.transform(frameIn, spectrum);
        for (let k = 0; k < N_FREQ; k++) {
          const nk = k === 0 ? 0 : N_FFT - k;
          const zr = spectrum[2 * k]!;
          const zi = spectrum[2 * k + 1]!;
          const cr = spectrum[2 * nk]!;
          const ci = -spectrum[2 * nk + 1]!;
          const ar = 0.5 * (zr + cr);
          const ai = 0.5 * (zi + ci);
          const br = 0.5 * (zi - ci);
          const bi = -0.5 * (zr - cr);
          power[k] = ar * ar + ai * ai;
          power[N_FREQ + k] = br * br + bi * bi;
        }
      }
      for (let p = 0; p < (pair ? 2 : 1); p++) {
        const base = p * N_FREQ;
        for (let m = 0; m < nMels; m++) {
          let sum = 0;
          const row = m * N_FREQ;
          for (let f = this.bands[2 * m]!; f < this.bands[2 * m + 1]!; f++) sum += this.filters[row + f]! * power[base + f]!;
          logMel[m * nFrames + t + p] = Math.log10(Math.max(sum, 1e-10));
        }
      }
    }

    let max = -Infinity;
    for (let i = 0; i < logMel.length; i++) if (logMel[i]! > max) max = logMel[i]!;
    const floor = max - 8;
    for (let i = 0; i < logMel.length; i++) out[i] = (Math.max(logMel[i]!, floor) + 4) / 4;
    return { data: out, nMels, nFrames };
  }
}
