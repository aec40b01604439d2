/**
 * One native thread pool per process: loading more Transcribers adds no pool threads (each
 * model used to start its own pool of `threads - 1` helpers), and they still work side by side.
 */
import { readdirSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { decodeAudioFile } from '../../src/audio/audio-file.js';
import { Transcriber } from '../../src/transcriber.js';
import { JFK_WAV, SYNTHETIC_MODEL } from '../helpers/shared.js';

/** Threads of this process now. */
const threadCount = (): number => readdirSync('/proc/self/task').length;

describe('process-wide thread pool', () => {
  it('a second and a third Transcriber start no pool threads, and all three transcribe the same text at once', async () => {
    const audio = (await decodeAudioFile(JFK_WAV)).samples.subarray(0, 16_000 * 3);
    const options = { temperature: 0, sampleLen: 8 } as const;
    const first = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2, encoder: 'cpu' });
    const expected = (await first.transcribe(audio, options)).text; // libuv's workers exist from here on
    const before = threadCount();
    const more = [await Transcriber.load(SYNTHETIC_MODEL, { threads: 2, encoder: 'cpu' }), await Transcriber.load(SYNTHETIC_MODEL, { threads: 2, encoder: 'cpu' })];
    expect(threadCount()).toBe(before);
    const texts = await Promise.all([first, ...more].map(async (t) => (await t.transcribe(audio, options)).text));
    expect(texts).toEqual([expected, expected, expected]);
    for (const t of [first, ...more]) t.close();
  });
});
