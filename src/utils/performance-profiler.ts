/**
 * Hierarchical timing: spans nest into dotted paths (`total.encode`, `total.decode.step`)
 * following the async call flow (node:async_hooks AsyncLocalStorage), with per-path
 * statistics and JSON, Prometheus and ASCII bar-chart exports.
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';

import { AmanuensisError } from '../errors.js';

/** Statistics of one path, durations in milliseconds. */
export interface PathStats {
  /** Dotted path, e.g. `total.decode.step`. */
  readonly path: string;
  /** Measurements recorded. */
  readonly count: number;
  /** Sum of all measurements. */
  readonly total: number;
  /** Arithmetic mean. */
  readonly mean: number;
  /** 50th percentile. */
  readonly median: number;
  /** Shortest. */
  readonly min: number;
  /** Longest. */
  readonly max: number;
  /** Population standard deviation. */
  readonly stdDev: number;
  /** 95th percentile (linear interpolation, as numpy). */
  readonly p95: number;
  /** 99th percentile. */
  readonly p99: number;
}

/** What {@link PerformanceProfiler.toJSON} returns. */
export interface ProfileJson {
  /** Every path's statistics, parents before children. */
  readonly paths: PathStats[];
}

/** A running measurement; ends on `end()` or when a `using` declaration goes out of scope. */
export interface Span extends Disposable {
  /** Dotted path of this span. */
  readonly path: string;
  /** Ends the span (once) and returns its duration in milliseconds. */
  end(): number;
}

/** Options of {@link PerformanceProfiler}. */
export interface PerformanceProfilerOptions {
  /** Durations kept per path for the percentiles (the most recent ones); count, total, min, max, mean and std dev are exact over all. Default 10000. */
  readonly maxSamples?: number;
}

class PathRecord {
  count = 0;
  total = 0;
  min = Infinity;
  max = -Infinity;
  // Welford's running mean and squared deviations, exact over every sample
  mean = 0;
  m2 = 0;
  readonly samples: number[] = [];
  next = 0;

  add(ms: number, maxSamples: number): void {
    this.count++;
    this.total += ms;
    if (ms < this.min) this.min = ms;
    if (ms > this.max) this.max = ms;
    const d = ms - this.mean;
    this.mean += d / this.count;
    this.m2 += d * (ms - this.mean);
    if (this.samples.length < maxSamples) this.samples.push(ms);
    else {
      this.samples[this.next] = ms;
      this.next = (this.next + 1) % maxSamples;
    }
  }
}

/** Linear interpolation between closest ranks, as numpy's default percentile. */
function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** The open span of one profiler in the current async flow, linked to the enclosing frames. */
interface Frame {
  readonly owner: PerformanceProfiler;
  readonly path: string;
  readonly parent: Frame | undefined;
}

/**
 * One storage for every profiler: Node keeps each AsyncLocalStorage registered until it is
 * disabled, so a storage per profiler (one profiler per transcription) would retain them all.
 */
const context = new AsyncLocalStorage<Frame>();

/** Collects timings by dotted path. Safe to share between concurrent async flows: each flow nests its own spans. */
export class PerformanceProfiler {
  private readonly records = new Map<string, PathRecord>();
  private readonly maxSamples: number;

  constructor(options: PerformanceProfilerOptions = {}) {
    this.maxSamples = options.maxSamples ?? 10_000;
    if (!Number.isInteger(this.maxSamples) || this.maxSamples < 1) {
      throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'maxSamples must be a positive integer');
    }
  }

  /** Path of this profiler's innermost open span in the current async flow, or '' at the top. */
  get currentPath(): string {
    for (let f = context.getStore(); f !== undefined; f = f.parent) if (f.owner === this) return f.path;
    return '';
  }

  /**
   * Times `fn` (sync, or async until its promise settles) under `name`, nested in the current span.
   * @returns what `fn` returns
   */
  measure<T>(name: string, fn: () => T): T {
    const path = this.childPath(name);
    const t0 = performance.now();
    let result: T;
    try {
      result = context.run({ owner: this, path, parent: context.getStore() }, fn);
    } catch (err) {
      this.add(path, performance.now() - t0);
      throw err;
    }
    if (result instanceof Promise) {
      return result.finally(() => this.add(path, performance.now() - t0)) as T;
    }
    this.add(path, performance.now() - t0);
    return result;
  }

  /**
   * Opens a span under `name`, nested in the current one; code that runs after it in the same
   * async flow nests under it until it ends. Use `using span = profiler.span('x')`, or call `end()`.
   */
  span(name: string): Span {
    const parent = context.getStore();
    const path = this.childPath(name);
    const t0 = performance.now();
    context.enterWith({ owner: this, path, parent });
    let ended = -1;
    const end = (): number => {
      if (ended < 0) {
        ended = performance.now() - t0;
        this.add(path, ended);
        context.enterWith(parent as Frame);
      }
      return ended;
    };
    return { path, end, [Symbol.dispose]: () => void end() };
  }

  /**
   * Adds a duration measured elsewhere (e.g. by the native encoder).
   * @param name - a (possibly dotted) path relative to the current span, or absolute when `absolute` is true
   * @param ms - milliseconds
   */
  record(name: string, ms: number, absolute = false): void {
    if (!Number.isFinite(ms) || ms < 0) throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'a duration must be a non-negative number of milliseconds');
    if (typeof name !== 'string' || name.length === 0) throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'a path must be a non-empty string');
    const parent = absolute ? '' : this.currentPath;
    this.add(parent === '' ? name : `${parent}.${name}`, ms);
  }

  /**
   * Runs `fn` `warmup + runs` times in sequence, discarding the warm-up runs, and returns the
   * statistics of the timed runs (recorded under `name`).
   */
  async repeat(name: string, fn: () => unknown, options: { runs?: number; warmup?: number } = {}): Promise<PathStats> {
    const runs = options.runs ?? 5;
    const warmup = options.warmup ?? 1;
    for (let i = 0; i < warmup; i++) await fn();
    const path = this.childPath(name);
    this.records.delete(path);
    for (let i = 0; i < runs; i++) await this.measure(name, async () => fn());
    return this.stats(path)!;
  }

  /** Statistics of one path, or undefined if nothing was recorded there. */
  stats(path: string): PathStats | undefined {
    const r = this.records.get(path);
    if (r === undefined) return undefined;
    const sorted = [...r.samples].sort((a, b) => a - b);
    return {
      path,
      count: r.count,
      total: r.total,
      mean: r.mean,
      median: percentile(sorted, 0.5),
      min: r.min,
      max: r.max,
      stdDev: Math.sqrt(r.m2 / r.count),
      p95: percentile(sorted, 0.95),
      p99: percentile(sorted, 0.99),
    };
  }

  /** Total milliseconds recorded at a path (0 when none). */
  total(path: string): number {
    return this.records.get(path)?.total ?? 0;
  }

  /** Every path's statistics, in path order (parents before children). */
  allStats(): PathStats[] {
    return [...this.records.keys()].sort().map((p) => this.stats(p)!);
  }

  /** Adds every sample of another profiler (e.g. one call's) to this one. */
  merge(other: PerformanceProfiler): void {
    for (const [path, r] of other.records) {
      const ordered = r.samples.length < other.maxSamples ? r.samples : [...r.samples.slice(r.next), ...r.samples.slice(0, r.next)];
      if (r.count === ordered.length) {
        for (const ms of ordered) this.add(path, ms);
      } else {
        // the other profiler dropped old samples: merge the exact moments, keep its recent samples
        const mine = this.recordOf(path);
        const n = mine.count + r.count;
        const d = r.mean - mine.mean;
        mine.m2 += r.m2 + (d * d * mine.count * r.count) / n;
        mine.mean += (d * r.count) / n;
        mine.count = n;
        mine.total += r.total;
        mine.min = Math.min(mine.min, r.min);
        mine.max = Math.max(mine.max, r.max);
        for (const ms of ordered) {
          if (mine.samples.length < this.maxSamples) mine.samples.push(ms);
          else {
            mine.samples[mine.next] = ms;
            mine.next = (mine.next + 1) % this.maxSamples;
          }
        }
      }
    }
  }

  /** Forgets everything. */
  reset(): void {
    this.records.clear();
  }

  /** Plain data: `{ paths: PathStats[] }`, parents before children. */
  toJSON(): ProfileJson {
    return { paths: this.allStats() };
  }

  /**
   * Prometheus text exposition format (version 0.0.4): one `summary` metric with the path as a
   * label, quantiles 0.5, 0.95 and 0.99, `_sum` and `_count`, in milliseconds.
   * @param metric - metric name; default `amanuensis_stage_duration_milliseconds`
   */
  toPrometheus(metric = 'amanuensis_stage_duration_milliseconds'): string {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(metric)) throw new AmanuensisError('ERR_INVALID_ARGUMENT', `'${metric}' is not a Prometheus metric name`);
    const escape = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
    const lines = [`# HELP ${metric} Duration of amanuensis pipeline stages by dotted path.`, `# TYPE ${metric} summary`];
    for (const s of this.allStats()) {
      const label = `path="${escape(s.path)}"`;
      for (const [q, v] of [['0.5', s.median], ['0.95', s.p95], ['0.99', s.p99]] as const) lines.push(`${metric}{${label},quantile="${q}"} ${v}`);
      lines.push(`${metric}_sum{${label}} ${s.total}`, `${metric}_count{${label}} ${s.count}`);
    }
    return lines.join('\n') + '\n';
  }

  /**
   * An ASCII bar chart of total time per path, indented by depth, bars scaled to the largest
   * top-level total.
   * @param width - characters of the longest bar; default 40
   */
  toBarChart(width = 40): string {
    const all = this.allStats();
    if (all.length === 0) return '(no timings)\n';
    const top = Math.max(...all.filter((s) => !s.path.includes('.')).map((s) => s.total), ...all.map((s) => s.total));
    const label = (s: PathStats): string => '  '.repeat(s.path.split('.').length - 1) + s.path.split('.').pop()!;
    const pad = Math.max(...all.map((s) => label(s).length));
    return all.map((s) => {
      const bar = '#'.repeat(Math.max(s.total > 0 ? 1 : 0, Math.round((s.total / top) * width)));
      return `${label(s).padEnd(pad)}  ${bar.padEnd(width)}  ${s.total.toFixed(1).padStart(9)} ms  x${s.count}`;
    }).join('\n') + '\n';
  }

  private childPath(name: string): string {
    if (typeof name !== 'string' || name.length === 0 || name.includes('.')) {
      throw new AmanuensisError('ERR_INVALID_ARGUMENT', `span name '${name}' must be non-empty and contain no '.'`);
    }
    const parent = this.currentPath;
    return parent === '' ? name : `${parent}.${name}`;
  }

  private recordOf(path: string): PathRecord {
    let r = this.records.get(path);
    if (r === undefined) {
      r = new PathRecord();
      this.records.set(path, r);
    }
    return r;
  }

  private add(path: string, ms: number): void {
    this.recordOf(path).add(ms, this.maxSamples);
  }
}
