/**
 * Long audio in bounded memory: the spectrogram is computed one 30 s window at a time (after a
 * first pass that keeps only its maximum), so two hours of audio never hold the whole padded
 * spectrogram or its multi-gigabyte native scratch. Run in a child process to read its peak RSS.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

describe('two hours of audio', () => {
  it('2 h of silence: empty text, 240 windows, peak RSS under 1.2 GB (the input and its copy are 922 MB; it was 3.5 GB)', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'test/fixtures/hostile/two-hours.ts'], { cwd: root, maxBuffer: 1 << 20 });
    const r = JSON.parse(stdout.trim().split('\n').pop()!) as { text: string; windows: number; skipped: number; maxRssMb: number };
    expect(r.text).toBe('');
    expect(r.windows).toBe(240);
    expect(r.skipped).toBe(240);
    expect(r.maxRssMb).toBeLessThan(1200);
  });
});
