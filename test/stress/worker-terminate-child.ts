/**
 * One stress process: starts `count` workers one after another (argv[3], default 20) and
 * terminates each at a random moment. Mode (argv[2]):
 * - `calls`: each worker runs worker-terminate-body.ts (the model, the VAD, transcribe with word
 *   timestamps, align, in a loop), terminated between its start and 3.5 s after it said 'started';
 * - `throwing`: each worker runs worker-terminate-throwing.cjs (loads the addon, then a native
 *   call that throws, in a tight loop), terminated 0 to 10 ms after it said 'started' (or 0 to 40 ms
 *   after its start, 3 times in 10).
 * Exits 0 when the process survived them all; a native abort ends it with SIGABRT instead.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const mode = process.argv[2] ?? 'calls';
const count = Number(process.argv[3] ?? 20);
const root = fileURLToPath(new URL('../..', import.meta.url));
const addon = (createRequire(import.meta.url)('node-gyp-build') as { path(dir: string): string }).path(root);

function terminateLater(worker: Worker, delayMs: number, resolve: () => void): void {
  setTimeout(() => void worker.terminate().then(() => resolve()), delayMs);
}

for (let i = 0; i < count; i++) {
  await new Promise<void>((resolve, reject) => {
    if (mode === 'throwing') {
      const worker = new Worker(new URL('./worker-terminate-throwing.cjs', import.meta.url), { workerData: { addon } });
      worker.once('error', reject);
      // mostly mid-loop; sometimes from the start, to land in the addon's init
      if (Math.random() < 0.3) terminateLater(worker, Math.random() * 40, resolve);
      else worker.once('message', () => terminateLater(worker, Math.random() * 10, resolve));
      return;
    }
    const worker = new Worker(new URL('./worker-terminate-entry.mjs', import.meta.url));
    worker.once('error', reject);
    const delayMs = Math.random() < 0.5 ? Math.random() * 40 : Math.random() * 3500;
    // sometimes before 'started': while tsx and the imports load
    if (Math.random() < 0.15) terminateLater(worker, delayMs, resolve);
    else worker.once('message', () => terminateLater(worker, delayMs, resolve));
  });
}
console.log(`survived ${count} terminations`);
