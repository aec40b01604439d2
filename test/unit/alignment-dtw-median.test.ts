/**
 * The DTW and the median filter of word alignment on small cases worked out by hand from
 * openai/whisper timing.py (`dtw_cpu`, `backtrace`, `median_filter`) and scipy's definitions.
 */
import { describe, expect, it } from 'vitest';

import { alignmentMatrix } from '../../src/alignment/attention-matrix.js';
import { dtwPath } from '../../src/alignment/dtw.js';
import { medianFilterRows } from '../../src/alignment/median-filter.js';

describe('dtwPath', () => {
  it('a single cell is a path of one step', () => {
    const p = dtwPath([3], 1, 1);
    expect([...p.textIndices]).toEqual([0]);
    expect([...p.timeIndices]).toEqual([0]);
  });

  it('follows the cheapest cells: 2 tokens × 3 times', () => {
    // accumulated: row 1 [0, 1, 2], row 2 [1, 0, 0]; back from (1, 2): left, diagonal
    const p = dtwPath([0, 1, 1, 1, 0, 0], 2, 3);
    expect([...p.textIndices]).toEqual([0, 1, 1]);
    expect([...p.timeIndices]).toEqual([0, 1, 2]);
  });

  it('a tie of diagonal and up steps left, even when left costs more (openai\'s rule)', () => {
    // at (1, 1): diagonal 0 == up 0 < left 5 — openai takes left (total 6), not the diagonal (total 1)
    const p = dtwPath([0, 0, 5, 1], 2, 2);
    expect([...p.textIndices]).toEqual([0, 1, 1]);
    expect([...p.timeIndices]).toEqual([0, 0, 1]);
  });

  it('a path through one row moves only in time, one column only in tokens', () => {
    expect([...dtwPath([1, 2, 3], 1, 3).timeIndices]).toEqual([0, 1, 2]);
    expect([...dtwPath([1, 2, 3], 3, 1).textIndices]).toEqual([0, 1, 2]);
  });

  it('refuses an empty or mis-shaped matrix', () => {
    expect(() => dtwPath([], 0, 0)).toThrow(RangeError);
    expect(() => dtwPath([1, 2], 2, 2)).toThrow(RangeError);
  });
});

describe('medianFilterRows', () => {
  const row = Float64Array.from([1, 5, 2, 8, 3]);

  it('width 3 pads as torch reflect / scipy mirror: the edge sample is not repeated', () => {
    // padded [5, 1, 5, 2, 8, 3, 8]; scipy's mode='reflect' would give [1, 2, 5, 3, 3]
    expect([...medianFilterRows(row, 1, 5, 3)]).toEqual([5, 2, 5, 3, 8]);
  });

  it('width 7 over 5 columns reflects 3 deep', () => {
    // padded [8, 2, 5, 1, 5, 2, 8, 3, 8, 2, 5]
    expect([...medianFilterRows(row, 1, 5, 7)]).toEqual([5, 3, 5, 3, 5]);
  });

  it('rows no longer than half the width come back unchanged (openai skips them)', () => {
    expect([...medianFilterRows(Float64Array.from([4, 1, 9]), 1, 3, 7)]).toEqual([4, 1, 9]);
  });

  it('filters each row on its own', () => {
    const two = Float64Array.from([1, 5, 2, 8, 3, 3, 8, 2, 5, 1]);
    expect([...medianFilterRows(two, 2, 5, 3)]).toEqual([5, 2, 5, 3, 8, 8, 3, 5, 2, 5]);
  });

  it('refuses an even width', () => {
    expect(() => medianFilterRows(row, 1, 5, 4)).toThrow(RangeError);
  });
});

describe('alignmentMatrix', () => {
  it('standardises over tokens with the population std, averages heads and keeps the rows asked for', () => {
    // one head, 3 tokens × 2 positions; per position: mean 2 and std sqrt(2/3) over [1, 2, 3]
    const w = Float32Array.from([1, 3, 2, 2, 3, 1]);
    const m = alignmentMatrix(w, 1, 3, 2, 1, 3);
    const s = Math.sqrt(2 / 3);
    expect(m[0]).toBeCloseTo(0, 12);
    expect(m[1]).toBeCloseTo(0, 12);
    expect(m[2]).toBeCloseTo(1 / s, 12);
    expect(m[3]).toBeCloseTo(-1 / s, 12);
    // two identical heads average to the same matrix
    expect([...alignmentMatrix(Float32Array.from([...w, ...w]), 2, 3, 2, 1, 3)]).toEqual([...m]);
  });
});
