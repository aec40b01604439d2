/**
 * The energy gate of streaming sessions: audio whose RMS stays below a threshold is silence,
 * and costs no decoder work.
 * @module
 */
import { rms } from '../audio/rms.js';
import { SAMPLE_RATE } from '../constants.js';

/** Samples in one 30 ms frame at 16 kHz: short enough that one word lifts its frame above the gate. */
const FRAME = (30 * SAMPLE_RATE) / 1000;

/**
 * Whether any 30 ms frame of `samples` (16 kHz) is louder than `threshold` (RMS): a short
 * word in a long silent chunk still counts as voice.
 */
export function hasVoice(samples: Float32Array, threshold: number): boolean {
  for (let start = 0; start < samples.length; start += FRAME) {
    if (rms(samples, start, Math.min(samples.length, start + FRAME)) >= threshold) return true;
  }
  return false;
}
