/**
 * Seeded mutations of every audio fixture decoded in child processes, without ffmpeg: no crash,
 * no hang, every failure an AmanuensisError with ERR_AUDIO_DECODE.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { describe, expect, it } from 'vitest';

import { FLOAT_1S, M4A_3S, MP3_3S, MULAW_3S, OGG_OPUS_3S, VORBIS_3S, WEBM_OPUS_3S } from '../helpers/audio-fixtures.js';
import { JFK_FLAC } from '../helpers/shared.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const MUTATIONS = 60;

interface FuzzReport {
  outcomes: Record<string, number>;
  untyped: string[];
}

/** Runs the mutations of one file in a child process; a crash or a hang (timeout) rejects. */
async function fuzz(file: string): Promise<FuzzReport> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'test/fixtures/hostile/fuzz-audio.ts', file, '0', String(MUTATIONS)],
    { cwd: root, timeout: 120_000, killSignal: 'SIGKILL', maxBuffer: 1 << 24 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as FuzzReport;
}

describe('audio file fuzzing', () => {
  const files = { MP3: MP3_3S, 'Ogg Vorbis': VORBIS_3S, 'Ogg Opus': OGG_OPUS_3S, 'WebM Opus': WEBM_OPUS_3S, 'µ-law WAV': MULAW_3S, 'float WAV': FLOAT_1S, FLAC: JFK_FLAC, 'M4A (no ffmpeg)': M4A_3S };
  for (const [name, file] of Object.entries(files)) {
    it(`${name}: ${MUTATIONS} mutations, each decoded or refused with ERR_AUDIO_DECODE`, async () => {
      const report = await fuzz(file);
      expect(report.untyped).toEqual([]);
      expect(Object.keys(report.outcomes).filter((o) => o !== 'ok' && o !== 'ERR_AUDIO_DECODE')).toEqual([]);
      expect(Object.values(report.outcomes).reduce((a, b) => a + b, 0)).toBe(MUTATIONS);
      // the damage is found: no format survives every mutation
      expect(report.outcomes.ERR_AUDIO_DECODE).toBeGreaterThan(0);
    });
  }
});
