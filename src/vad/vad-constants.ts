/**
 * The fixed framing of Silero VAD's 16 kHz model, which every part of `src/vad` shares.
 * @module
 */

/** Samples per VAD frame: one speech probability per 512 samples (32 ms at 16 kHz, the only rate the VAD takes). */
export const VAD_FRAME_SAMPLES = 512;

/** Floats of the native stream state: LSTM h (128), c (128), then the 64 context samples. */
export const VAD_STATE_FLOATS = 320;
