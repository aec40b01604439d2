/**
 * Dynamic time warping of word alignment, as openai/whisper `timing.py` `dtw_cpu` and `backtrace`.
 * @module
 */

/** A monotone path through a `[tokens, times]` matrix, from (0, 0) to (tokens − 1, times − 1). */
export interface DtwPath {
  /** Row (token) index of each step. */
  readonly textIndices: Int32Array;
  /** Column (time) index of each step. */
  readonly timeIndices: Int32Array;
}

/**
 * The least-cost path through `cost` (`[n, m]` row-major) with openai's rules: accumulated costs
 * kept in float32 (each new cost is the float64 sum rounded to float32), and ties broken as
 * `dtw_cpu` breaks them: diagonal only if strictly below both others, else up (next token) if
 * strictly below both others, else left (next time) — so a diagonal/up tie steps left.
 * @param cost - per-cell cost (openai passes the negated attention matrix)
 * @throws RangeError when the shape is empty or does not match `cost`
 */
export function dtwPath(cost: ArrayLike<number>, n: number, m: number): DtwPath {
  if (!(n >= 1 && m >= 1) || cost.length !== n * m) throw new RangeError(`a DTW needs a non-empty ${n}×${m} cost matrix`);
  const w = m + 1;
  const acc = new Float32Array((n + 1) * w).fill(Infinity);
  const trace = new Uint8Array((n + 1) * w);
  acc[0] = 0;
  for (let j = 1; j <= m; j++) {
    for (let i = 1; i <= n; i++) {
      const c0 = acc[(i - 1) * w + j - 1]!;
      const c1 = acc[(i - 1) * w + j]!;
      const c2 = acc[i * w + j - 1]!;
      // (plain branches: a destructured pair per cell was measurably slower)
      let c = c2;
      let t = 2;
      if (c0 < c1 && c0 < c2) {
        c = c0;
        t = 0;
      } else if (c1 < c0 && c1 < c2) {
        c = c1;
        t = 1;
      }
      acc[i * w + j] = cost[(i - 1) * m + j - 1]! + c;  // the Float32Array store rounds
      trace[i * w + j] = t;
    }
  }
  // backtrace from the corner; the first row only moves left, the first column only up
  const text: number[] = [];
  const time: number[] = [];
  let i = n;
  let j = m;
  while (i > 0 || j > 0) {
    text.push(i - 1);
    time.push(j - 1);
    const t = i === 0 ? 2 : j === 0 ? 1 : trace[i * w + j]!;
    if (t === 0) {
      i--;
      j--;
    } else if (t === 1) i--;
    else j--;
  }
  return { textIndices: Int32Array.from(text.reverse()), timeIndices: Int32Array.from(time.reverse()) };
}
