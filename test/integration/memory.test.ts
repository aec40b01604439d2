/**
 * 1000 calls, sequential and concurrent, on one model: resident memory must settle (before two
 * fixes it climbed past 1 GB: an AsyncLocalStorage per call's profiler, and large native buffers
 * left on the malloc heap). The cache
 * is on, so after the first call the encoder is skipped and each call is cheap, while the mel
 * front end, the buffer pool, the decoder sessions (created and released every window) and the
 * profiler all run every time.
 */
import { describe, expect, it } from 'vitest';

import { decodeAudioFile } from '../../src/audio/audio-file.js';
import { Transcriber } from '../../src/transcriber.js';
import { JFK_WAV, SYNTHETIC_MODEL } from '../helpers/shared.js';

describe('memory under load', () => {
  it('RSS settles: the last three samples average less than 64 MB above the first three (one every 100 calls)', async () => {
    const t = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2 });
    const clip = (await decodeAudioFile(JFK_WAV)).samples.slice(0, 32_000);
    const options = { temperature: 0, sampleLen: 2 } as const;
    const curve: number[] = [];
    let calls = 0;
    while (calls < 1000) {
      if (calls % 200 < 100) {
        await t.transcribe(clip, options);
        calls += 1;
      } else {
        await Promise.all(Array.from({ length: 10 }, () => t.transcribe(clip, options)));
        calls += 10;
      }
      if (calls % 100 === 0) curve.push(process.memoryUsage().rss / 1e6);
    }
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    // averages of three samples: single readings move by about 20 MB with GC timing
    const growth = mean(curve.slice(-3)) - mean(curve.slice(0, 3));
    console.log(`RSS every 100 calls (MB): ${curve.map((v) => v.toFixed(0)).join(' ')}; growth ${growth.toFixed(1)} MB`);
    expect(t.profiler.stats("total")!.count).toBe(1000);
    expect(growth).toBeLessThan(64);
  });
});
