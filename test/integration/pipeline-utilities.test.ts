/** The Transcriber uses the BufferPool, the EncoderCache and the PerformanceProfiler. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { decodeAudioFile } from '../../src/audio/audio-file.js';
import type { MelSpectrogram } from '../../src/audio/mel-frontend.js';
import { SAMPLE_RATE } from '../../src/constants.js';
import type { EncodeOptions, Encoder } from '../../src/encoder/encoder.js';
import { Transcriber } from '../../src/transcriber.js';
import { createTranscriberPool } from '../../src/transcribe/buffers.js';
import { EncoderCache } from '../../src/utils/encoder-cache.js';
import { makeSyntheticModel } from '../helpers/synthetic-model.js';
import { JFK_WAV, SYNTHETIC_MODEL } from '../helpers/shared.js';

let t: Transcriber;
let jfk: Float32Array;
const FAST = { temperature: 0, sampleLen: 8 } as const;

beforeAll(async () => {
  t = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2, profile: true });
  jfk = (await decodeAudioFile(JFK_WAV)).samples;
});

function counting(inner: Encoder): Encoder & { calls: number } {
  const e = {
    name: 'counting',
    calls: 0,
    encode(mel: MelSpectrogram, o?: EncodeOptions) {
      e.calls++;
      return inner.encode(mel, o);
    },
  };
  return e;
}

describe('BufferPool in the pipeline', () => {
  it('32 concurrent calls on a pool with maxSize 4 all succeed; buffers are reused, never more than 4 in use', async () => {
    const pool = createTranscriberPool(t.dims, { maxSize: 4 });
    // all 32 admitted at once, so that they compete for the pool's buffers
    const shared = new Transcriber({ dims: t.dims, tokenizer: t.tokenizer, frontend: t.frontend, encoder: t.encoder, decoder: t.decoder, cache: false, pool, queue: { concurrency: 32 } });
    // 32 different 1 s clips, so nothing could come from a cache
    const clips = Array.from({ length: 32 }, (_, i) => jfk.slice(i * 4000, i * 4000 + SAMPLE_RATE));
    const results = await Promise.allSettled(clips.map((c) => shared.transcribe(c, FAST)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(32);
    for (const kind of ['mel', 'features'] as const) {
      const s = pool.stats(kind);
      expect(s.highWater).toBeLessThanOrEqual(4);
      expect(s.allocations).toBeLessThanOrEqual(4);
      expect(s.inUse).toBe(0);
    }
    expect(pool.stats('mel').waits + pool.stats('features').waits).toBeGreaterThan(0);
  });
});

describe('EncoderCache in the pipeline', () => {
  it('transcribing the same audio twice encodes each window once; the second run reports cached windows', async () => {
    const enc = counting(t.encoder);
    const cache = new EncoderCache();
    const tr = new Transcriber({ dims: t.dims, tokenizer: t.tokenizer, frontend: t.frontend, encoder: enc, decoder: t.decoder, modelId: t.modelId, cache });
    const audio = new Float32Array(45 * SAMPLE_RATE);
    audio.set(jfk, 0);
    audio.set(jfk, 31 * SAMPLE_RATE);
    const first = await tr.transcribe(audio, FAST);
    const windows = first.timings.windows.filter((w) => w.skipped === undefined).length;
    expect(enc.calls).toBe(windows);
    const second = await tr.transcribe(audio, FAST);
    expect(enc.calls).toBe(windows);
    expect(second.timings.windows.every((w) => w.skipped !== undefined || w.cached === true)).toBe(true);
    expect(second.text).toBe(first.text);
    expect(cache.stats()).toMatchObject({ hits: windows, misses: windows });
    expect(second.timings.encodeMs).toBeLessThan(first.timings.encodeMs);
  });

  it('different models never share entries, even through one cache', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'amanuensis-'));
    const small = join(dir, 'small.bin');
    writeFileSync(small, makeSyntheticModel({ nState: 64, nHead: 2, nAudioLayer: 1, nTextLayer: 1, seed: 3 }));
    const cache = new EncoderCache();
    const a = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2, cache });
    const b = await Transcriber.load(small, { threads: 2, cache });
    expect(a.modelId).not.toBe(b.modelId);
    expect((await Transcriber.load(SYNTHETIC_MODEL, { threads: 1, cache: false })).modelId).toBe(a.modelId);
    await a.transcribe(jfk, FAST);
    const rb = await b.transcribe(jfk, FAST);
    expect(rb.timings.windows[0]!.cached).toBeUndefined();
    expect(cache.stats()).toMatchObject({ hits: 0, misses: 2, entries: 2 });
  });
});

describe('PerformanceProfiler in the pipeline', () => {
  it('result timings come from the call\'s profile; transcriber.profiler accumulates; native layers nest under encode', async () => {
    const tr = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2, profile: true, cache: false });
    const r1 = await tr.transcribe(jfk, FAST);
    const r2 = await tr.transcribe(jfk, FAST);
    const p = tr.profiler;
    expect(p.stats('total')!.count).toBe(2);
    expect(p.stats('total.mel')!.total).toBeCloseTo(r1.timings.melMs + r2.timings.melMs, 6);
    expect(p.stats('total.encode')!.total).toBeCloseTo(r1.timings.encodeMs + r2.timings.encodeMs, 6);
    expect(p.stats('total.decode')!.total).toBeCloseTo(r1.timings.decodeMs + r2.timings.decodeMs, 6);
    expect(p.stats('total')!.total).toBeCloseTo(r1.timings.totalMs + r2.timings.totalMs, 6);
    for (const path of ['total.encode.conv', 'total.encode.layer0', 'total.encode.layer3', 'total.encode.lnPost']) {
      expect(p.stats(path)?.count, path).toBe(2);
    }
    // the native token loop: one `loop` span per window and temperature, inside the decode
    const decoded = [r1, r2].flatMap((r) => r.timings.windows).reduce((n, w) => n + w.temperatures.length, 0);
    expect(p.stats('total.decode.loop')!.count).toBe(decoded);
    expect(p.total('total.decode.loop')).toBeLessThan(p.total('total.decode'));
    const layers = [0, 1, 2, 3].reduce((sum, i) => sum + p.total(`total.encode.layer${i}`), 0);
    expect(layers).toBeLessThan(p.total('total.encode'));
  });

  it('with the TypeScript token loop, every decoder step is a `step` span', async () => {
    const tr = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2, cache: false, tokenLoop: 'typescript' });
    await tr.transcribe(jfk, FAST);
    const p = tr.profiler;
    // one step per sampled token (at most sampleLen = 8) plus the first
    expect(p.stats('total.decode.step')!.count).toBeGreaterThanOrEqual(2);
    expect(p.stats('total.decode.step')!.count).toBeLessThanOrEqual(8);
    expect(p.stats('total.decode.loop')).toBeUndefined();
    tr.close();
  });
});
