/**
 * Python's `round(x, 2)`, which word times go through in openai/whisper.
 * @module
 */

/**
 * `x` rounded to 2 decimals as Python's `round(x, 2)` does: to the nearest of the exact decimal
 * value of the double, exact ties to the even hundredth (`toFixed` would round them up).
 */
export function roundHundredths(x: number): number {
  if (!Number.isFinite(x)) return x;
  const exact = Math.abs(x).toFixed(100);  // the double's exact decimal expansion, for |x| ≥ 2^-47
  const dot = exact.indexOf('.');
  const rest = exact.slice(dot + 3);
  if (/^50*$/.test(rest)) {
    const hundredths = Number(exact.slice(0, dot) + exact.slice(dot + 1, dot + 3));
    const even = hundredths % 2 === 0 ? hundredths : hundredths + 1;
    return Math.sign(x) * even / 100;
  }
  return Number(x.toFixed(2));
}
