/**
 * Stress of worker.terminate() under running native calls (not part of the test suite: it
 * takes minutes). Runs `processes` child processes (argv[3], default 10) of `workers` workers
 * each (argv[4], default 20), one process at a time, in the mode of worker-terminate-child.ts
 * (argv[2]: `calls` or `throwing`), and counts the processes that died of a signal or a non-zero
 * exit (a C++ exception escaping into Node during a worker's teardown aborts the whole process).
 *
 *   node --import tsx test/stress/worker-terminate.ts calls 10 20
 *   node --import tsx test/stress/worker-terminate.ts throwing 20 100
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const mode = process.argv[2] ?? 'calls';
const processes = Number(process.argv[3] ?? 10);
const workers = Number(process.argv[4] ?? 20);
const child = fileURLToPath(new URL('./worker-terminate-child.ts', import.meta.url));

let failed = 0;
for (let i = 0; i < processes; i++) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', child, mode, String(workers)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) {
    failed++;
    const why = r.signal ?? `exit ${r.status}`;
    const tail = r.stderr.trim().split('\n').filter((l) => /terminate called|FATAL ERROR|Error/.test(l)).slice(0, 2).join(' | ');
    console.log(`process ${i}: ${why}: ${tail}`);
  }
}
console.log(`${mode}: ${failed} of ${processes} processes (${workers} terminated workers each) died`);
process.exitCode = failed === 0 ? 0 : 1;
