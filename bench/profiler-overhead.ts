/**
 * Overhead of one PerformanceProfiler span (open + close, nested one level), and of measure()
 * around a synchronous function: mean over 200000 spans after a warm-up, median of 5 rounds.
 *
 * Run: npx tsx bench/profiler-overhead.ts
 */
import { PerformanceProfiler } from '../src/utils/performance-profiler.js';

const N = 200_000;

function round(kind: 'span' | 'measure'): number {
  const p = new PerformanceProfiler();
  const outer = p.span('outer');
  const t0 = performance.now();
  if (kind === 'span') {
    for (let i = 0; i < N; i++) {
      const s = p.span('inner');
      s.end();
    }
  } else {
    for (let i = 0; i < N; i++) p.measure('inner', () => i);
  }
  const us = ((performance.now() - t0) * 1000) / N;
  outer.end();
  if (p.stats('outer.inner')?.count !== N) throw new Error('spans were not recorded');
  return us;
}

for (const kind of ['span', 'measure'] as const) {
  round(kind);
  const rounds = Array.from({ length: 5 }, () => round(kind)).sort((a, b) => a - b);
  console.log(`${kind.padEnd(7)}: ${rounds[2]!.toFixed(2)} µs per span (median of 5 rounds of ${N}; target < 2 µs)`);
}
