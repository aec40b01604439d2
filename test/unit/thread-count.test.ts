/** The default thread count: never more than the process may run at once, never less than one. */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

import { describe, expect, it } from 'vitest';

import { defaultThreadCount, physicalCoreCount } from '../../src/utils/thread-count.js';

describe('defaultThreadCount', () => {
  it('counts physical cores as /proc/cpuinfo does (distinct physical id and core id pairs)', () => {
    const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8').split('\n\n').filter((b) => b.includes('core id'));
    const cores = new Set(cpuinfo.map((b) => `${/physical id\s*:\s*(\d+)/.exec(b)?.[1]}:${/core id\s*:\s*(\d+)/.exec(b)?.[1]}`));
    expect(cores.size).toBeGreaterThan(0);
    expect(physicalCoreCount()).toBe(cores.size);
  });

  it('is at least 1 and at most the CPUs the process may run on and its physical cores', () => {
    expect(defaultThreadCount()).toBeGreaterThanOrEqual(1);
    expect(defaultThreadCount()).toBeLessThanOrEqual(availableParallelism());
    expect(defaultThreadCount()).toBeLessThanOrEqual(physicalCoreCount()!);
  });
});
