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
  const window = new Float64Array(width);
  const mirrored = (j: number): number => (j < 0 ? -j : j >= cols ? 2 * (cols - 1) - j : j);
  for (let r = 0; r < rows; r++) {
    const row = r * cols;
    for (let c = 0; c < cols; c++) {
      for (let k = 0; k < width; k++) window[k] = x[row + mirrored(c - half + k)]!;
      window.sort();
      out[row + c] = window[half]!;
    }
  }
  return out;
}
