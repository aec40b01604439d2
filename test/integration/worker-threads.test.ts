/**
 * worker_threads: each environment (the main thread, each worker) loads its own copy of the
 * addon's exports with its own constructors and error class. Two workers and the main thread
 * loading and transcribing at once used to abort the process (one process-wide constructor
 * reference, overwritten by each environment and cleared by a worker's teardown). A worker
 * stopped (terminate(), process.exit()) while the addon runs one of its calls ends alone.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

describe('worker_threads', () => {
  it('the main thread and two workers each load the model and transcribe concurrently, and the process exits cleanly (10 runs)', async () => {
    for (let i = 0; i < 10; i++) {
      // a crash or abort rejects here with the signal or the exit code
      const { stdout } = await run(process.execPath, ['--import', 'tsx', 'test/fixtures/worker-threads/main.ts'], { cwd: root, maxBuffer: 1 << 24 });
      const texts = JSON.parse(stdout.trim().split('\n').pop()!) as string[];
      expect(texts).toHaveLength(3);
      expect(texts[0]!.length).toBeGreaterThan(0);
      // the same model, audio and options give the same text in every environment
      expect(texts[1]).toBe(texts[0]);
      expect(texts[2]).toBe(texts[0]);
    }
  });

  it('a worker terminated while its calls run (10 moments, from loading to decoding) never takes the process down', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'test/fixtures/worker-threads/terminate.ts'], { cwd: root, maxBuffer: 1 << 24 });
    expect((JSON.parse(stdout.trim().split('\n').pop()!) as string).length).toBeGreaterThan(0);
  });

  it('a worker that exits from inside a native call (process.exit in an option getter the addon reads) ends alone, with its own exit code', async () => {
    // before NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS the error of the interrupted call could not be
    // thrown in the stopping worker and node-addon-api aborted the whole process
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'test/fixtures/worker-threads/exit-in-call.ts'], { cwd: root });
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual({ loadVad: 0, loadModel: 0, 'NativeVad.probabilities': 0 });
  });
});
