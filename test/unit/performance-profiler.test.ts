import { setTimeout as sleep } from 'node:timers/promises';

import { describe, expect, it } from 'vitest';

import { PerformanceProfiler } from '../../src/utils/performance-profiler.js';

describe('PerformanceProfiler', () => {
  it('statistics of one path: count, total, mean, median, min, max, std dev, p95, p99', () => {
    const p = new PerformanceProfiler();
    for (let i = 1; i <= 100; i++) p.record('x', i);
    const s = p.stats('x')!;
    expect(s).toMatchObject({ count: 100, total: 5050, mean: 50.5, median: 50.5, min: 1, max: 100 });
    expect(s.stdDev).toBeCloseTo(Math.sqrt((100 * 100 - 1) / 12), 10); // uniform 1..100
    expect(s.p95).toBeCloseTo(95.05, 10);
    expect(s.p99).toBeCloseTo(99.01, 10);
  });

  it('nested measure and span give dotted paths, sync and async', async () => {
    const p = new PerformanceProfiler();
    await p.measure('total', async () => {
      p.measure('mel', () => 1 + 1);
      {
        using _encode = p.span('encode');
        await sleep(5);
        p.record('layer0', 2);
      }
      await p.measure('decode', async () => {
        for (let i = 0; i < 3; i++) await p.measure('step', () => sleep(1));
      });
    });
    expect(p.allStats().map((s) => [s.path, s.count])).toEqual([
      ['total', 1], ['total.decode', 1], ['total.decode.step', 3], ['total.encode', 1], ['total.encode.layer0', 1], ['total.mel', 1],
    ]);
    expect(p.stats('total.encode')!.total).toBeGreaterThanOrEqual(4);
    expect(p.stats('total')!.total).toBeGreaterThanOrEqual(p.stats('total.encode')!.total + p.stats('total.decode')!.total);
  });

  it('concurrent async flows keep their own nesting', async () => {
    const p = new PerformanceProfiler();
    await Promise.all(['a', 'b'].map((name) => p.measure(name, async () => {
      await sleep(2);
      await p.measure('inner', () => sleep(2));
    })));
    expect(p.allStats().map((s) => s.path)).toEqual(['a', 'a.inner', 'b', 'b.inner']);
  });

  it('a throwing function is still timed; span.end() is idempotent', () => {
    const p = new PerformanceProfiler();
    expect(() => p.measure('bad', () => { throw new Error('x'); })).toThrow('x');
    expect(p.stats('bad')!.count).toBe(1);
    const s = p.span('once');
    const ms = s.end();
    expect(s.end()).toBe(ms);
    expect(p.stats('once')!.count).toBe(1);
  });

  it('repeat() discards warm-up runs; merge() combines profilers', async () => {
    const p = new PerformanceProfiler();
    let calls = 0;
    const s = await p.repeat('run', () => { calls++; }, { runs: 4, warmup: 2 });
    expect(calls).toBe(6);
    expect(s.count).toBe(4);
    const q = new PerformanceProfiler();
    q.record('run', 10);
    p.merge(q);
    expect(p.stats('run')!.count).toBe(5);
    expect(p.stats('run')!.max).toBe(10);
  });

  it('exports JSON, Prometheus text format and an ASCII bar chart', () => {
    const p = new PerformanceProfiler();
    p.record('total', 100);
    p.record('total.encode', 60);
    p.record('total.decode', 30);
    expect(p.toJSON().paths.map((s) => s.path)).toEqual(['total', 'total.decode', 'total.encode']);
    const prom = p.toPrometheus();
    expect(prom).toContain('# TYPE amanuensis_stage_duration_milliseconds summary');
    expect(prom).toContain('amanuensis_stage_duration_milliseconds{path="total.encode",quantile="0.5"} 60');
    expect(prom).toContain('amanuensis_stage_duration_milliseconds_count{path="total"} 1');
    // every sample line is `name{labels} value`
    for (const line of prom.trim().split('\n').filter((l) => !l.startsWith('#'))) expect(line).toMatch(/^[a-z_]+\{[^}]*\} [0-9.e+-]+$/);
    const chart = p.toBarChart(20).split('\n');
    expect(chart[0]).toMatch(/^total\s+#{20}\s+100\.0 ms/);
    expect(chart[2]).toMatch(/^ {2}encode\s+#{12}\s/);
  });
});
