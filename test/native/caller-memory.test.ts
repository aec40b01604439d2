/**
 * The native layer never writes into caller memory that went away during a call (an output
 * array detached or shrunk before completion): the call rejects with ERR_INVALID_ARGUMENT.
 * Run in a child process: before the fix, the completion wrote 2.3 MB past a 16-byte buffer.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

describe('caller memory', () => {
  it('an output array detached or shrunk while the encoder or a decoder step runs gets ERR_INVALID_ARGUMENT, not a write', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'test/fixtures/hostile/caller-memory.ts'], { cwd: root });
    expect(JSON.parse(stdout.trim().split('\n').pop()!)).toEqual({
      encodeDetached: 'ERR_INVALID_ARGUMENT',
      encodeShrunk: 'ERR_INVALID_ARGUMENT',
      stepDetached: 'ERR_INVALID_ARGUMENT',
      stepShrunk: 'ERR_INVALID_ARGUMENT',
      stepAfter: 'resolved',
    });
  });
});
