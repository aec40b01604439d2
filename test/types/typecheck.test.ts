/**
 * `vitest run` executes `expectTypeOf` assertions without checking them (types are erased), so
 * this test runs the compiler on this folder: the shapes in public-types.test-d.ts (and the
 * modules they import) must type-check for `npm test` to pass.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

describe('public types', () => {
  it('public-types.test-d.ts type-checks: no public type changed shape', async () => {
    let diagnostics = '';
    try {
      await run(process.execPath, [tsc, '--noEmit', '--pretty', 'false', '-p', 'test/types/tsconfig.json'], { cwd: root, maxBuffer: 1 << 24 });
    } catch (err) {
      // tsc exits 1 with its diagnostics on stdout; anything else (no compiler) is reported as is
      const e = err as { stdout?: string; stderr?: string; message: string };
      diagnostics = `${e.stdout ?? ''}${e.stderr ?? ''}` || e.message;
    }
    expect(diagnostics).toBe('');
  });
});
