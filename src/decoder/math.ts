/**
 * Numerics of decoding on logits, in float64 for stable sums.
 * @module
 */

/** log(softmax(x)) over the whole vector; -Infinity entries stay -Infinity. */
export function logSoftmax(x: Float32Array): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < x.length; i++) if (x[i]! > max) max = x[i]!;
  const out = new Float64Array(x.length);
  if (max === -Infinity) return out.fill(-Infinity);
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.exp(x[i]! - max);
  const logZ = max + Math.log(sum);
  for (let i = 0; i < x.length; i++) out[i] = x[i]! - logZ;
  return out;
}

/**
 * log(sum(exp(x[i]))) over [from, to), computed stably in one allocation-free pass per
 * bound; -Infinity when every entry is -Infinity.
 */
export function logSumExp(x: ArrayLike<number>, from = 0, to = x.length): number {
  let max = -Infinity;
  for (let i = from; i < to; i++) if (x[i]! > max) max = x[i]!;
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let i = from; i < to; i++) sum += Math.exp(x[i]! - max);
  return max + Math.log(sum);
}

/** Largest value over [from, to). */
export function maxOf(x: ArrayLike<number>, from = 0, to = x.length): number {
  let max = -Infinity;
  for (let i = from; i < to; i++) if (x[i]! > max) max = x[i]!;
  return max;
}

/** Index of the largest value (the first one on ties, as torch.argmax). */
export function argmax(x: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i]! > x[best]!) best = i;
  return best;
}

/** Indices of the k largest values, largest first. */
export function topK(x: ArrayLike<number>, k: number): number[] {
  const best: number[] = [];
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (best.length === k && v <= x[best[k - 1]!]!) continue;
    let at = best.length;
    while (at > 0 && x[best[at - 1]!]! < v) at--;
    best.splice(at, 0, i);
    if (best.length > k) best.pop();
  }
  return best;
}

/** Rounds to the nearest integer, halves to the even one, as Python's `round` (Math.round rounds them up). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
