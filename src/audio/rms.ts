/**
 * Loudness of a stretch of samples, the one measure behind both silence gates: the
 * Transcriber's `silenceThreshold` (whole 30 s windows) and the streaming session's
 * `vadThreshold` (30 ms frames).
 * @module
 */

/**
 * Root mean square of `samples[from, to)`, in the samples' own units (full scale 1).
 * @returns 0 for an empty range
 */
export function rms(samples: Float32Array, from = 0, to = samples.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += samples[i]! * samples[i]!;
  return to > from ? Math.sqrt(sum / (to - from)) : 0;
}
