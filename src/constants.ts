/**
 * Audio and model constants of Whisper, as openai/whisper `whisper/audio.py`.
 * The derived values are computed from the base ones, never retyped.
 * @module
 */

/** Sample rate every model expects, in Hz. */
export const SAMPLE_RATE = 16000;
/** STFT window length in samples (25 ms at 16 kHz). */
export const N_FFT = 400;
/** STFT hop length in samples (10 ms at 16 kHz): one log-mel frame per hop. */
export const HOP_LENGTH = 160;
/** Length of one encoder window in seconds. */
export const CHUNK_LENGTH = 30;
/** Samples in one 30 s window (480000). */
export const N_SAMPLES = CHUNK_LENGTH * SAMPLE_RATE;
/** Log-mel frames in one 30 s window (3000). */
export const N_FRAMES = N_SAMPLES / HOP_LENGTH;
/** Frequency bins of the one-sided STFT (201). */
export const N_FREQ = N_FFT / 2 + 1;
/** Audio samples per encoder output position: the conv stem halves the frame rate (320). */
export const N_SAMPLES_PER_TOKEN = HOP_LENGTH * 2;
/** Frames per second of the log-mel spectrogram (100). */
export const FRAMES_PER_SECOND = SAMPLE_RATE / HOP_LENGTH;
/** Seconds per timestamp token step (0.02 s): one encoder output position. */
export const TIME_PRECISION = N_SAMPLES_PER_TOKEN / SAMPLE_RATE;
