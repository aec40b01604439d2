/**
 * The default number of threads: what the process may really run at once. Whisper's GEMMs
 * gain nothing from a second hyperthread of a core (both share its FMA units), and a thread
 * beyond the CPU quota of a container only waits for its turn.
 * @module
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';

/** The text of a small system file, or undefined where it does not exist (another OS, no cgroup). */
function readSmall(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** CPUs the cgroup's quota allows (v2 `cpu.max`, else v1 `cpu.cfs_quota_us`), rounded up; undefined without a quota. */
export function cgroupCpuLimit(): number | undefined {
  const v2 = readSmall('/sys/fs/cgroup/cpu.max')?.split(/\s+/);
  if (v2 !== undefined && v2[0] !== 'max') {
    const [quota, period] = v2.map(Number);
    if (quota! > 0 && period! > 0) return Math.ceil(quota! / period!);
  }
  const quota = Number(readSmall('/sys/fs/cgroup/cpu/cpu.cfs_quota_us'));
  const period = Number(readSmall('/sys/fs/cgroup/cpu/cpu.cfs_period_us'));
  return quota > 0 && period > 0 ? Math.ceil(quota / period) : undefined;
}

/** Physical cores (CPUs that are not a second hyperthread of another), from sysfs; undefined where unknown. */
export function physicalCoreCount(): number | undefined {
  const cores = new Set<string>();
  for (let cpu = 0; cpu < cpus().length; cpu++) {
    const siblings = readSmall(`/sys/devices/system/cpu/cpu${cpu}/topology/thread_siblings_list`);
    if (siblings === undefined) return undefined;
    cores.add(siblings);
  }
  return cores.size > 0 ? cores.size : undefined;
}

/**
 * The default `threads` of {@link Transcriber.load}: the smallest of the CPUs this process may
 * run on (`os.availableParallelism()`, which follows its CPU affinity), the physical cores, and
 * the container's CPU quota; at least 1.
 */
export function defaultThreadCount(): number {
  return Math.max(1, Math.min(availableParallelism(), physicalCoreCount() ?? Infinity, cgroupCpuLimit() ?? Infinity));
}
