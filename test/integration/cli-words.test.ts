/** The command line's word-timestamp flags, run as a user would (through tsx on the sources). */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { describe, expect, it } from 'vitest';

import { MP3_3S } from '../helpers/audio-fixtures.js';
import { SYNTHETIC_MODEL } from '../helpers/shared.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = (...args: string[]): Promise<{ stdout: string; stderr: string }> =>
  run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: root, maxBuffer: 1 << 24 });
const base = ['--model', SYNTHETIC_MODEL, '--threads', '2', '--temperature', '0', '--no-progress'];

describe('amanuensis transcribe --word-timestamps', () => {
  it('srt cues from words keep to --max-line-width and --max-line-count', async () => {
    const srt = (await cli('transcribe', MP3_3S, ...base, '--word-timestamps', '--max-line-width', '12', '--max-line-count', '2', '--format', 'srt')).stdout;
    const cues = srt.trim().split('\n\n').map((c) => c.split('\n'));
    expect(cues.length).toBeGreaterThan(0);
    for (const cue of cues) {
      expect(cue[1]).toMatch(/^\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}$/);
      const lines = cue.slice(2);
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.length).toBeLessThanOrEqual(2);
      // a line is longer than 12 characters only when it is a single word
      for (const line of lines) if ([...line].length > 12) expect(line).not.toContain(' ');
    }
  });

  it('tsv: a header, then start and end in integer milliseconds', async () => {
    const tsv = (await cli('transcribe', MP3_3S, ...base, '--format', 'tsv')).stdout.trim().split('\n');
    expect(tsv[0]).toBe('start\tend\ttext');
    for (const line of tsv.slice(1)) expect(line).toMatch(/^\d+\t\d+\t/);
  });

  it('the layout flags without --word-timestamps are refused in one line', async () => {
    const err = await cli('transcribe', MP3_3S, ...base, '--max-line-width', '20', '--highlight-words').then(() => undefined, (e: unknown) => e as { code: number; stderr: string });
    expect(err).toMatchObject({ code: 1 });
    expect(err!.stderr.trim()).toBe('amanuensis: ERR_INVALID_ARGUMENT: --max-line-width, --highlight-words need --word-timestamps');
  });
});
