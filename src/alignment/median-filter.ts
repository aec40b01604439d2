/**
 * The median filter of word alignment, as openai/whisper `timing.py` `median_filter`.
 * @module
 */

/**
 * Median of a sliding window of `width` values along each row, the rows' edges padded as
 * torch `F.pad(mode='reflect')` pads them: the edge sample is not repeated (index -1 reads
 * index 1; scipy.ndimage calls this `mode='mirror'`). Rows no longer than `width // 2` are
 * returned unchanged, as openai's (the padding would not fit).
 * @param x - `[rows, cols]` row-major
 * @param width - odd window width, e.g. 7
 * @returns a new `[rows, cols]` array
 * @throws RangeError for an even or non-positive width, or a shape `x` does not have
 */
export function medianFilterRows(x: Float64Array, rows: number, cols: number, width: number): Float64Array {
  if (!Number.isInteger(width) || width < 1 || width % 2 === 0) throw new RangeError('the median filter width must be a positive odd integer');
  if (x.length !== rows * cols) throw new RangeError(`expected ${rows}×${cols} values, got ${x.length}`);
  const half = width >> 1;
  const out = new Float64Array(x);
  if (cols <= half) return out;
  if (width === 7) return medianOf7Rows(x, out, rows, cols);
  const window = new Float64Array(width);
  const mirrored = (j: number): number => (j < 0 ? -j : j >= cols ? 2 * (cols - 1) - j : j);
  for (let r = 0; r < rows; r++) {
    const row = r * cols;
    for (let c = 0; c < cols; c++) {
      // insertion sort: for a handful of values far cheaper than TypedArray.prototype.sort's call
      for (let k = 0; k < width; k++) {
        const v = x[row + mirrored(c - half + k)]!;
        let at = k;
        while (at > 0 && window[at - 1]! > v) {
          window[at] = window[at - 1]!;
          at--;
        }
        window[at] = v;
      }
      out[row + c] = window[half]!;
    }
  }
  return out;
}

/**
 * Width 7 (openai's `medfilt_width`): each row padded once, then a 16-comparator sorting network
 * on locals (Knuth's for 7 inputs; checked on every 0/1 input), branch-free, instead of sorting a window array.
 */
function medianOf7Rows(x: Float64Array, out: Float64Array, rows: number, cols: number): Float64Array {
  const padded = new Float64Array(cols + 6);
  for (let r = 0; r < rows; r++) {
    const row = r * cols;
    for (let j = -3; j < cols + 3; j++) padded[j + 3] = x[row + (j < 0 ? -j : j >= cols ? 2 * (cols - 1) - j : j)]!;
    for (let c = 0; c < cols; c++) {
      let a = padded[c]!, b = padded[c + 1]!, d = padded[c + 2]!, e = padded[c + 3]!, f = padded[c + 4]!, g = padded[c + 5]!, h = padded[c + 6]!;
      let t: number;
      // comparators (0,6) (2,3) (4,5) (0,2) (1,4) (3,6) (0,1) (2,5) (3,4) (1,2) (4,6) (2,3) (4,5) (1,2) (3,4) (5,6) on [a b d e f g h]
      t = Math.min(a, h); h = Math.max(a, h); a = t;
      t = Math.min(d, e); e = Math.max(d, e); d = t;
      t = Math.min(f, g); g = Math.max(f, g); f = t;
      t = Math.min(a, d); d = Math.max(a, d); a = t;
      t = Math.min(b, f); f = Math.max(b, f); b = t;
      t = Math.min(e, h); h = Math.max(e, h); e = t;
      t = Math.min(a, b); b = Math.max(a, b); a = t;
      t = Math.min(d, g); g = Math.max(d, g); d = t;
      t = Math.min(e, f); f = Math.max(e, f); e = t;
      t = Math.min(b, d); d = Math.max(b, d); b = t;
      t = Math.min(f, h); h = Math.max(f, h); f = t;
      t = Math.min(d, e); e = Math.max(d, e); d = t;
      t = Math.min(f, g); g = Math.max(f, g); f = t;
      t = Math.min(b, d); d = Math.max(b, d); b = t;
      t = Math.min(e, f); f = Math.max(e, f); e = t;
      t = Math.min(g, h); h = Math.max(g, h); g = t;
      out[row + c] = e;
    }
  }
  return out;
}
