/**
 * Hostile and careless input found by probing (issue #12): each used to crash, hang or give a
 * wrong answer silently; each now gets a typed AmanuensisError or the right answer. Cases that
 * could hang the event loop run in a child process with a deadline.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { decodeAudioFile } from '../../src/audio/audio-file.js';
import { melWindow } from '../../src/audio/mel-frontend.js';
import { N_SAMPLES } from '../../src/constants.js';
import { indexModelFile, parseGgmlModel } from '../../src/model/ggml-loader.js';
import { Transcriber } from '../../src/transcriber.js';
import { JFK_WAV, SYNTHETIC_MODEL } from '../helpers/shared.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const FAST = { temperature: 0, sampleLen: 8 } as const;
const dir = mkdtempSync(join(tmpdir(), 'amanuensis-hostile-'));
let t: Transcriber;
let jfk: Float32Array;

beforeAll(async () => {
  t = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2, cache: false });
  jfk = (await decodeAudioFile(JFK_WAV)).samples;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The synthetic model with one f16 value of `tensor` set to NaN, written to a file. */
function withNaN(tensor: string): string {
  const bytes = Buffer.from(readFileSync(SYNTHETIC_MODEL));
  const record = parseGgmlModel(bytes).tensors.find((r) => r.name === tensor)!;
  expect(record.type).toBe(1);
  bytes.writeUInt16LE(0x7e00, record.offset + 2 * 100); // an f16 quiet NaN
  const path = join(dir, `nan-${tensor}.bin`);
  writeFileSync(path, bytes);
  return path;
}

describe('model paths that are not model files', () => {
  it('a directory gets ERR_MODEL_NOT_FOUND, not a plain EISDIR Error', async () => {
    await expect(Transcriber.load(dir)).rejects.toMatchObject({ name: 'AmanuensisError', code: 'ERR_MODEL_NOT_FOUND' });
  });

  it('a FIFO is refused at once instead of blocking the event loop in open() (child process, 20 s deadline)', async () => {
    const fifo = join(dir, 'model.fifo');
    await run('mkfifo', [fifo]);
    const script = `import { Transcriber } from './src/index.ts';
Transcriber.load(${JSON.stringify(fifo)}).then(() => console.log('loaded'), (e) => console.log(e.code));`;
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script],
      { cwd: root, timeout: 20_000, killSignal: 'SIGKILL' });
    expect(stdout.trim()).toBe('ERR_MODEL_NOT_FOUND');
  });

  it('a valid header followed by a million tiny tensor records stops at the first record no Whisper model has', async () => {
    const bytes = readFileSync(SYNTHETIC_MODEL);
    const first = parseGgmlModel(bytes).tensors[0]!;
    // everything before the first tensor record: magic, hparams, filterbank, vocabulary
    const header = bytes.subarray(0, first.offset - (12 + 4 * first.ne.length + Buffer.byteLength(first.name)));
    // n_dims 1, name length 1, type f32, ne [1], name 'x', 4 bytes of data
    const record = Buffer.alloc(21);
    record.writeInt32LE(1, 0);
    record.writeInt32LE(1, 4);
    record.writeInt32LE(0, 8);
    record.writeInt32LE(1, 12);
    record.write('x', 16);
    const path = join(dir, 'many-records.bin');
    // the file ends inside a last record: a reader that reads the whole table before checking it
    // reports that truncation (after a million records); one that checks records as it reads
    // stops at the first
    writeFileSync(path, Buffer.concat([header, ...Array.from({ length: 1_000_000 }, () => record), record.subarray(0, 6)]));
    await expect(indexModelFile(path)).rejects.toMatchObject({ code: 'ERR_MODEL_TENSOR_SHAPE', message: expect.stringContaining("'x'") });
  });
});

describe('numbers that are not numbers', () => {
  it('a NaN weight in the encoder fails the window with ERR_NUMERIC naming the encoder', async () => {
    const bad = await Transcriber.load(withNaN('encoder.conv1.weight'), { threads: 2 });
    await expect(bad.transcribe(jfk, FAST)).rejects.toMatchObject({ code: 'ERR_NUMERIC', message: expect.stringContaining('encoder') });
  });

  it('a NaN weight in the token embedding fails with ERR_NUMERIC naming the decoder', async () => {
    const bad = await Transcriber.load(withNaN('decoder.token_embedding.weight'), { threads: 2 });
    await expect(bad.transcribe(jfk, FAST)).rejects.toMatchObject({ code: 'ERR_NUMERIC', message: expect.stringContaining('decoder') });
  });

  it('audio beyond any PCM scale (1e19, whose power overflows float32) gets ERR_INVALID_AUDIO', async () => {
    const loud = jfk.map((v) => v * 1e19);
    await expect(t.transcribe(loud, FAST)).rejects.toMatchObject({ code: 'ERR_INVALID_AUDIO' });
    await expect(t.transcribe(jfk.map((v) => v * 1e6), FAST)).rejects.toMatchObject({ code: 'ERR_INVALID_AUDIO' });
  });

  it('an object that only inherits from Float32Array gets ERR_INVALID_AUDIO, not a TypeError', async () => {
    await expect(t.transcribe(Object.create(Float32Array.prototype) as Float32Array)).rejects.toMatchObject({ code: 'ERR_INVALID_AUDIO' });
  });
});

describe('the caller\'s array after the call', () => {
  it('transcribes what was passed: transferring or zeroing the array right after the call changes nothing', async () => {
    const expected = await t.transcribe(jfk, FAST);
    const a = jfk.slice();
    const transferred = t.transcribe(a, FAST);
    structuredClone(a.buffer, { transfer: [a.buffer] });
    const b = jfk.slice();
    const zeroed = t.transcribe(b, FAST);
    b.fill(0);
    for (const r of await Promise.all([transferred, zeroed])) {
      expect(r.text).toBe(expected.text);
      expect(r.durationS).toBe(expected.durationS);
      expect(r.timings.windows.map((w) => w.skipped)).toEqual(expected.timings.windows.map((w) => w.skipped));
    }
  });
});

describe('close()', () => {
  it('rejects queued and running calls with ERR_CLOSED, refuses sessions\' push() and the stages\' native calls', async () => {
    const closing = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2, cache: false, queue: { concurrency: 1 } });
    const session = closing.createSession();
    const window = { data: new Float32Array(80 * 3000), nMels: 80, nFrames: 3000 };
    // long enough that all eight are queued or running when close() comes
    const calls = Array.from({ length: 8 }, () => closing.transcribe(jfk, { temperature: 0 }).then(() => 'resolved', (e: { code?: string }) => e.code));
    await new Promise((r) => setTimeout(r, 50));
    closing.close();
    expect(await Promise.all(calls)).toEqual(Array(8).fill('ERR_CLOSED'));
    expect(() => session.push(jfk.subarray(0, 1600))).toThrow(expect.objectContaining({ code: 'ERR_CLOSED' }));
    await expect(closing.encoder.encode(window)).rejects.toMatchObject({ code: 'ERR_CLOSED' });
    await expect(closing.transcribe(jfk)).rejects.toMatchObject({ code: 'ERR_CLOSED' });
    await session.close();
  });
});

describe('abort', () => {
  it('an abort stops a running CPU encode at its next block with ERR_ABORTED (it used to run to the end), and the encoder works after it', async () => {
    const window = melWindow(await t.frontend.computeAsync!(jfk, { paddingSamples: N_SAMPLES }), 0);
    const controller = new AbortController();
    const running = t.encoder.encode(window, { signal: controller.signal });
    controller.abort();
    await expect(running).rejects.toMatchObject({ code: 'ERR_ABORTED' });
    expect(await t.encoder.encode(window)).toHaveLength(t.dims.nAudioCtx * t.dims.nAudioState);
  });

  it('an abort during the first log-mel pass over long audio takes effect at the next window (it used to run the whole spectrogram)', async () => {
    const controller = new AbortController();
    const running = t.frontend.logMelMax!(new Float32Array(16_000 * 600), { paddingSamples: N_SAMPLES, signal: controller.signal });
    controller.abort();
    await expect(running).rejects.toMatchObject({ code: 'ERR_ABORTED' });
  });
});
