/**
 * From the alignment heads' cross-attention weights to the matrix the DTW runs on, as
 * openai/whisper `timing.py` `find_alignment`.
 * @module
 */
import { medianFilterRows } from './median-filter.js';

/** Median filter width of openai's `find_alignment` (`medfilt_width`). */
export const MEDIAN_FILTER_WIDTH = 7;

/**
 * Standardises each head's weights over the token axis (population std, every token row
 * included), median-filters them along the audio axis (width 7, reflect edges), averages the
 * heads and keeps rows `[firstRow, lastRow)`.
 * @param weights - `[nHeads, nTokens, nPositions]`: each row already a softmax over the window's audio positions
 * @param firstRow - first row kept: the `<|notimestamps|>` position (the SOT sequence's length)
 * @param lastRow - end of the kept rows: `nTokens − 1` (the `<|endoftext|>` row dropped)
 * @returns `[lastRow − firstRow, nPositions]` row-major
 * @throws RangeError for a shape `weights` does not have
 */
export function alignmentMatrix(weights: Float32Array, nHeads: number, nTokens: number, nPositions: number,
  firstRow: number, lastRow: number): Float64Array {
  if (weights.length !== nHeads * nTokens * nPositions || !(0 <= firstRow && firstRow < lastRow && lastRow <= nTokens)) {
    throw new RangeError('the attention weights do not have the shape given');
  }
  const rows = lastRow - firstRow;
  const matrix = new Float64Array(rows * nPositions);
  // the filter runs along positions, row by row: only the kept rows need it
  const kept = new Float64Array(rows * nPositions);
  const mean = new Float64Array(nPositions);
  const sq = new Float64Array(nPositions);
  for (let h = 0; h < nHeads; h++) {
    const base = h * nTokens * nPositions;
    mean.fill(0);
    sq.fill(0);
    for (let t = 0; t < nTokens; t++) {
      const row = base + t * nPositions;
      for (let p = 0; p < nPositions; p++) mean[p] = mean[p]! + weights[row + p]!;
    }
    for (let p = 0; p < nPositions; p++) mean[p] = mean[p]! / nTokens;
    for (let t = 0; t < nTokens; t++) {
      const row = base + t * nPositions;
      for (let p = 0; p < nPositions; p++) {
        const d = weights[row + p]! - mean[p]!;
        sq[p] = sq[p]! + d * d;  // a product, not **, so the native matrix (alignment_matrix.cc) is the same to the bit
      }
    }
    for (let p = 0; p < nPositions; p++) sq[p] = Math.sqrt(sq[p]! / nTokens);  // population std
    for (let t = firstRow; t < lastRow; t++) {
      const row = base + t * nPositions;
      const out = (t - firstRow) * nPositions;
      for (let p = 0; p < nPositions; p++) kept[out + p] = (weights[row + p]! - mean[p]!) / sq[p]!;
    }
    const filtered = medianFilterRows(kept, rows, nPositions, MEDIAN_FILTER_WIDTH);
    for (let i = 0; i < matrix.length; i++) matrix[i] = matrix[i]! + filtered[i]!;
  }
  for (let i = 0; i < matrix.length; i++) matrix[i] = matrix[i]! / nHeads;
  return matrix;
}
