/**
 * Silero VAD probabilities on jfk.wav against the float64 reference (../shared/golden/silero-v6.2-jfk:
 * Silero's streaming semantics, checked there against Silero's own TorchScript model), on every
 * kernel path; the segments of Silero's get_speech_timestamps exactly; the same probabilities and
 * events through streams fed in uneven chunks; input validation, abort and close.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadNativeAddon } from '../../src/native/binding.js';
import { speechSegmentsFromProbabilities } from '../../src/vad/speech-segments.js';
import { Vad } from '../../src/vad/vad.js';
import { KERNEL_PATHS } from '../helpers/kernel-paths.js';
import { SILERO_VAD_MODEL, diffStats, jfkSamplesReference } from '../helpers/shared.js';
import { goldenOptions, sileroGoldenMeta, sileroGoldenProbabilities } from '../helpers/silero-vad-file.js';

const jfk = jfkSamplesReference();
const golden = sileroGoldenProbabilities();
const meta = sileroGoldenMeta();

/** Chunk sizes that cross frame bounds every way: single samples, less than a frame, more, several. */
const UNEVEN = [1, 511, 513, 7, 1024, 3000, 64, 65, 4096, 20000, 333];

function* chunksOf(samples: Float32Array, sizes: readonly number[]): Generator<Float32Array> {
  for (let at = 0, i = 0; at < samples.length; i++) {
    const n = sizes[i % sizes.length]!;
    yield samples.subarray(at, at + n);
    at += n;
  }
}

// the VAD has no quantized weights: the 8-bit-activation path is the AVX-512 path for it
describe.each(KERNEL_PATHS.filter((p) => !p.int8Activations))('$name kernels', ({ name, simd, avx512 }) => {
  let vad: Vad;
  beforeAll(async () => {
    vad = await Vad.load(undefined, { threads: 2, simd, avx512 });
  });
  afterAll(() => vad.close());

  it('runs on the kernels asked for', () => {
    expect(vad.kernels).toBe(name);
  });

  it('jfk.wav: one probability per 512 samples, within 1e-4 of the float64 reference', async () => {
    const p = await vad.probabilities(jfk);
    expect(p.length).toBe(meta.n_frames);
    expect(diffStats(p, golden).max).toBeLessThanOrEqual(1e-4);
  });

  it.each(['silero_defaults', 'faster_whisper_defaults'] as const)('jfk.wav segments with %s: exactly Silero\'s, in samples', async (set) => {
    const expected = meta.segments[set];
    const segments = await vad.speechSegments(jfk, goldenOptions(expected.params));
    expect(segments.map((s) => [s.startSample, s.endSample])).toEqual(expected.segments.map((s) => [s.start, s.end]));
  });
});

describe('whisper.cpp\'s framing (no context, reflect padding on both sides)', () => {
  it('on jfk.wav, as the golden README describes it: probabilities moved by up to about 0.2, one segment split in two', async () => {
    const vad = await Vad.load(undefined, { threads: 2 });
    const p = await vad.probabilities(jfk, { framing: 'whisper.cpp' });
    vad.close();
    const moved = diffStats(p, golden).max;
    expect(moved).toBeGreaterThan(0.1);
    expect(moved).toBeLessThan(0.3);
    const expected = meta.segments.silero_defaults.segments.map((s) => [s.start, s.end]);
    const segments = speechSegmentsFromProbabilities(p, jfk.length).map((s) => [s.startSample, s.endSample]);
    expect(segments.length).toBe(expected.length + 1);
    expect(expected.filter((e) => !segments.some((s) => s[0] === e[0] && s[1] === e[1])).length).toBe(1);
  });
});

describe('streams', () => {
  let vad: Vad;
  beforeAll(async () => {
    vad = await Vad.load(undefined, { threads: 2 });
  });
  afterAll(() => vad.close());

  it('a probability stream fed uneven chunks gives the whole file\'s probabilities, and flush() the last partial frame', async () => {
    const whole = await vad.probabilities(jfk);
    const stream = vad.probabilityStream();
    const parts: Float32Array[] = [];
    // pushed without awaiting each: calls run in order
    const pending = [...chunksOf(jfk, UNEVEN)].map((c) => stream.push(c));
    for (const p of await Promise.all(pending)) parts.push(p);
    parts.push(await stream.flush());
    const streamed = Float32Array.from(parts.flatMap((p) => [...p]));
    expect(streamed.length).toBe(whole.length);
    expect(diffStats(streamed, whole).max).toBeLessThanOrEqual(1e-6);
    // after flush the stream starts over
    const again = await stream.push(jfk.subarray(0, 5120));
    expect(diffStats(again, whole.subarray(0, 10)).max).toBeLessThanOrEqual(1e-6);
  });

  it('a partial last frame is zero-padded: 1000 samples are 2 frames, the second as if followed by zeros', async () => {
    const padded = new Float32Array(1024);
    padded.set(jfk.subarray(90000, 91000));
    expect(await vad.probabilities(jfk.slice(90000, 91000))).toEqual(await vad.probabilities(padded));
  });

  it('an event stream fed uneven chunks reports a start and an end at each of Silero\'s jfk.wav segments', async () => {
    const stream = vad.stream();
    const events = [];
    for (const chunk of chunksOf(jfk, UNEVEN)) events.push(...await stream.push(chunk));
    events.push(...await stream.end());
    // the iterator form reports the same
    const iterated = [];
    for await (const e of vad.speechEvents(chunksOf(jfk, [...UNEVEN].reverse()))) iterated.push(e);
    expect(iterated).toEqual(events);
    const starts = events.flatMap((e) => ('startSample' in e ? [e.startSample] : []));
    const ends = events.flatMap((e) => ('endSample' in e ? [e.endSample] : []));
    expect(starts.length).toBe(ends.length);
    for (const s of meta.segments.silero_defaults.segments) {
      expect(starts).toContain(s.start);
      expect(ends).toContain(s.end);
    }
  });
});

describe('validation, abort, close', () => {
  let vad: Vad;
  beforeAll(async () => {
    vad = await Vad.load(undefined, { threads: 1 });
  });

  it('audio that is not a Float32Array of finite samples: ERR_INVALID_AUDIO', async () => {
    await expect(vad.probabilities(Array.from(jfk.subarray(0, 1024)) as never)).rejects.toMatchObject({ code: 'ERR_INVALID_AUDIO' });
    await expect(vad.probabilities(Float64Array.from(jfk.subarray(0, 1024)) as never)).rejects.toMatchObject({ code: 'ERR_INVALID_AUDIO' });
    await expect(vad.speechSegments(Float32Array.of(0, Number.NaN))).rejects.toMatchObject({ code: 'ERR_INVALID_AUDIO' });
    expect(() => vad.probabilityStream().push(Float32Array.of(Infinity))).toThrow(expect.objectContaining({ code: 'ERR_INVALID_AUDIO' }));
  });

  it('options out of range: ERR_INVALID_ARGUMENT before any work', async () => {
    await expect(vad.speechSegments(jfk, { threshold: 2 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(vad.speechSegments(jfk, { minSilenceDurationMs: -5 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(vad.probabilities(jfk, { framing: 'other' as never })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    expect(() => vad.stream({ speechPadMs: Number.NaN })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });

  it('the native layer checks what it is handed: non-finite samples, a state of the wrong size, a bad framing', async () => {
    const native = await loadNativeAddon().loadVad(SILERO_VAD_MODEL, { threads: 1 });
    await expect(native.probabilities(Float32Array.of(0, Number.NaN), { threads: 1 })).rejects.toMatchObject({ code: 'ERR_INVALID_AUDIO' });
    expect(() => native.probabilities(jfk, { threads: 1, state: new Float32Array(319) })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => native.probabilities(jfk, { threads: 1, framing: 'x' as never })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => native.probabilities(jfk, { threads: 0 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    native.release();
    expect(() => native.probabilities(jfk, { threads: 1 })).toThrow(expect.objectContaining({ code: 'ERR_CLOSED' }));
  });

  it('empty audio: no probabilities, no segments', async () => {
    expect((await vad.probabilities(new Float32Array(0))).length).toBe(0);
    expect(await vad.speechSegments(new Float32Array(0))).toEqual([]);
  });

  it('a signal fired while the call runs: ERR_ABORTED', async () => {
    const controller = new AbortController();
    const call = vad.probabilities(jfk, { signal: controller.signal });
    controller.abort();
    await expect(call).rejects.toMatchObject({ code: 'ERR_ABORTED' });
  });

  it('an aborted signal: ERR_ABORTED with the reason; a stream stays failed after it', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(vad.probabilities(jfk, { signal: controller.signal })).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    const stream = vad.probabilityStream();
    await expect(stream.push(jfk, { signal: controller.signal })).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    await expect(stream.push(jfk)).rejects.toMatchObject({ code: 'ERR_ABORTED' });
  });

  it('after close(): ERR_CLOSED', async () => {
    vad.close();
    await expect(vad.probabilities(jfk)).rejects.toMatchObject({ code: 'ERR_CLOSED' });
    expect(() => vad.stream()).toThrow(expect.objectContaining({ code: 'ERR_CLOSED' }));
    vad.close();
  });
});
