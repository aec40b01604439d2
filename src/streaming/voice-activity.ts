/**
 * The energy gate of streaming sessions: audio whose RMS stays below a threshold is silence,
 * and costs no decoder work.
 * @module
 */

/** Root mean square of `samples`. */
export function rootMeanSquare(samples: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]! * samples[i]!;
  return samples.length > 0 ? Math.sqrt(sum / samples.length) : 0;
}

/**
 * Whether any 30 ms frame of `samples` (16 kHz) is louder than `threshold` (RMS): a short
 * word in a long silent chunk still counts as voice.
 */
export function hasVoice(samples: Float32Array, threshold: number): boolean {
  const frame = 480;
  for (let start = 0; start < samples.length; start += frame) {
    if (rootMeanSquare(samples.subarray(start, Math.min(samples.length, start + frame))) >= threshold) return true;
  }
  return false;
}
