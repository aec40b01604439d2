/**
 * Seeded mutations of real model files (the synthetic tiny.en model and whisper.cpp's two
 * header-only test files), each loaded through the TypeScript reader and the native loader in
 * child processes: no crash, no hang, every failure an AmanuensisError with its code.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { describe, expect, it } from 'vitest';

import { HEADER_ONLY_EN, HEADER_ONLY_MULTI, SYNTHETIC_MODEL } from '../helpers/shared.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

interface FuzzReport {
  outcomes: Record<string, number>;
  nativeOutcomes: Record<string, number>;
  untyped: string[];
}

/** Runs `count` mutations from `seed` in a child process; a crash or a hang (timeout) rejects. */
async function fuzz(model: string, seed: number, count: number, via: 'memory' | 'path' = 'memory'): Promise<FuzzReport> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'test/fixtures/hostile/fuzz-models.ts', model, String(seed), String(count), via],
    { cwd: root, timeout: 120_000, killSignal: 'SIGKILL', maxBuffer: 1 << 24 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as FuzzReport;
}

const total = (r: FuzzReport): number => Object.values(r.outcomes).reduce((a, b) => a + b, 0);

describe('model file fuzzing', () => {
  it('300 mutations of the synthetic model: every failure typed, no crash, no hang', async () => {
    const reports = await Promise.all([fuzz(SYNTHETIC_MODEL, 0, 150), fuzz(SYNTHETIC_MODEL, 150, 150)]);
    for (const r of reports) {
      expect(r.untyped).toEqual([]);
      expect(total(r)).toBe(150);
    }
    // the mutations reach many checks, not one, in the reader and in the native loader
    const codes = new Set(reports.flatMap((r) => Object.keys(r.outcomes)));
    expect(codes.size).toBeGreaterThanOrEqual(5);
    const nativeCodes = new Set(reports.flatMap((r) => Object.keys(r.nativeOutcomes)));
    expect(nativeCodes.size).toBeGreaterThanOrEqual(4);
    for (const r of reports) expect(Object.values(r.nativeOutcomes).reduce((a, b) => a + b, 0)).toBe(150);
  });

  it('50 mutations of each header-only file: every failure typed', async () => {
    for (const file of [HEADER_ONLY_EN, HEADER_ONLY_MULTI]) {
      const r = await fuzz(file, 1000, 50);
      expect(r.untyped).toEqual([]);
      expect(total(r)).toBe(50);
      expect(r.outcomes.loaded).toBeUndefined();
    }
  });

  it('through files, as Transcriber.load reads them (the asynchronous indexer, then the native loader reading the file): 60 of the synthetic model, 50 of each header-only file', async () => {
    const reports = [await fuzz(SYNTHETIC_MODEL, 5000, 60, 'path'), await fuzz(HEADER_ONLY_EN, 6000, 50, 'path'), await fuzz(HEADER_ONLY_MULTI, 7000, 50, 'path')];
    for (const r of reports) expect(r.untyped).toEqual([]);
    expect(reports.map(total)).toEqual([60, 50, 50]);
    expect(new Set(reports.flatMap((r) => Object.keys(r.outcomes))).size).toBeGreaterThanOrEqual(4);
  });
});
