/**
 * The queue example (examples/queue/) on a real redis-server started here: two worker
 * processes, one SIGKILLed in the middle of a job; failures and retries; the graceful stop on
 * SIGTERM. The tests run in order and share the workers (the surviving one serves the later
 * tests). Needs redis-server on PATH (apt-get install -y redis-server); without it the tests
 * fail with that instruction.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { type Server, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import wavefile from 'wavefile';

import { readAudioSource } from '../../examples/queue/audio-source.js';
import { type TranscriptionJobData, type TranscriptionProgress, type TranscriptionRecord, connectRedis } from '../../examples/queue/jobs.js';
import { type LocalRedis, startLocalRedis } from '../../examples/queue/local-redis.js';
import { type TranscriptionQueue, type TranscriptionRequest, enqueueTranscriptions } from '../../examples/queue/producer.js';
import { ResultStore } from '../../examples/queue/result-store.js';
import { Transcriber, decodeAudioFile } from '../../src/index.js';
import { JFK_WAV, SYNTHETIC_MODEL } from '../helpers/shared.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const QUEUE = 'queue-test';
/** Short decodes keep each job well under a second on the synthetic model. */
const decode = { temperature: 0, sampleLen: 16 } as const;
/** Fast retries for the test; the example's default waits 2 s, then 4 s. */
const jobOptions = { attempts: 3, backoff: { type: 'exponential', delay: 200 } } as const;
/** Longest wait for a job to finish before the test gives up on it (a guard against hanging, not a speed check). */
const FINISH_TTL_MS = 90_000;

let redis: LocalRedis;
let dir: string;
let http: Server;
let base: string;
let connection: Redis;
let eventsConnection: Redis;
let queue: TranscriptionQueue;
let events: QueueEvents;
let store: ResultStore;
const workers = new Map<string, RunningWorker>();
/** Requests the HTTP server saw, by path. */
const hits = new Map<string, number>();
/** Reference transcript of each audio file, by file name, from a Transcriber in this process. */
const reference = new Map<string, string>();

interface RunningWorker {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

/** Starts `examples/queue/worker.ts` as a user would, and resolves once it is taking jobs. */
async function startWorker(name: string): Promise<RunningWorker> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/queue/worker.ts',
    '--model', SYNTHETIC_MODEL, '--redis', redis.url, '--queue', QUEUE, '--name', name, '--threads', '1',
    // short, so the SIGKILLed worker's job is back in the queue within about 6 s (lock expiry + two checks)
    '--lock-duration', '4000', '--stalled-interval', '1000'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => { out += b.toString(); });
  child.stderr!.on('data', (b: Buffer) => { out += b.toString(); });
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  const worker = { child, exited, output: () => out };
  workers.set(name, worker);
  await new Promise<void>((resolve, reject) => {
    const poll = setInterval(() => {
      if (out.includes(`${name}: ready`)) { clearInterval(poll); resolve(); }
    }, 20);
    void exited.then(() => { clearInterval(poll); reject(new Error(`worker ${name} exited before it was ready:\n${out}`)); });
  });
  return worker;
}

/** The 16-bit mono 16 kHz WAV of `samples`. */
function wav(samples: Int16Array): Uint8Array {
  const w = new wavefile.WaveFile();
  w.fromScratch(1, 16_000, '16', samples);
  return w.toBuffer();
}

/** jfk.wav's samples as int16, repeated `times` and scaled by `gain`. */
async function jfkInt16(times: number, gain = 1, seconds = Infinity): Promise<Int16Array> {
  const { samples } = await decodeAudioFile(JFK_WAV);
  const one = samples.subarray(0, Math.min(samples.length, seconds * 16_000));
  const out = new Int16Array(one.length * times);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(one[i % one.length]! * 32768 * gain);
  return out;
}

/** A source of the test's audio: a path in the temporary directory or a URL on the local server. */
const file = (name: string): string => join(dir, name);
const url = (name: string): string => `${base}/${name}`;
const nameOf = (source: string): string => source.slice(source.lastIndexOf('/') + 1);

/**
 * Why the shared setup failed (redis-server missing, most likely). Each test rethrows it, so
 * the tests fail with it instead of being reported as skipped.
 */
let setupError: unknown;

beforeAll(async () => {
  try {
    await setUp();
  } catch (err) {
    setupError = err;
  }
});

beforeEach(() => {
  if (setupError !== undefined) throw setupError;
});

async function setUp(): Promise<void> {
  redis = await startLocalRedis();
  dir = await mkdtemp(join(tmpdir(), 'amanuensis-queue-'));
  // long.wav: 88 s, three 30 s windows (over a second of work: ample time to kill its worker mid-job)
  await writeFile(file('long.wav'), wav(await jfkInt16(8)));
  await writeFile(file('long-quiet.wav'), wav(await jfkInt16(8, 0.5)));
  await writeFile(file('jfk.wav'), await readFile(JFK_WAV));
  await writeFile(file('short.wav'), wav(await jfkInt16(1, 1, 4)));
  await writeFile(file('not-audio.wav'), 'this is not audio');

  http = createServer((req, res) => {
    const name = (req.url ?? '/').slice(1);
    hits.set(name, (hits.get(name) ?? 0) + 1);
    // flaky.wav: a server error on the first request, the audio afterwards
    if (name === 'flaky.wav' && hits.get(name) === 1) { res.writeHead(503).end(); return; }
    const path = name === 'flaky.wav' ? file('jfk.wav') : file(name);
    readFile(path).then((bytes) => res.writeHead(200, { 'content-type': 'audio/wav' }).end(bytes), () => res.writeHead(404).end());
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  base = `http://127.0.0.1:${(http.address() as { port: number }).port}`;

  const t = await Transcriber.load(SYNTHETIC_MODEL, { threads: 1 });
  try {
    for (const name of ['long.wav', 'long-quiet.wav', 'jfk.wav', 'short.wav']) {
      reference.set(name, (await t.transcribe((await decodeAudioFile(file(name))).samples, decode)).text);
    }
  } finally {
    t.close();
  }

  connection = connectRedis(redis.url);
  eventsConnection = connectRedis(redis.url);
  queue = new Queue<TranscriptionJobData, TranscriptionRecord>(QUEUE, { connection });
  // every waitUntilFinished listens for the queue closing: 20 at once in the first test
  queue.setMaxListeners(50);
  events = new QueueEvents(QUEUE, { connection: eventsConnection });
  await events.waitUntilReady();
  store = new ResultStore(connection, QUEUE);
}

afterAll(async () => {
  for (const w of workers.values()) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  await Promise.all([...workers.values()].map((w) => w.exited));
  await events?.close();
  await queue?.close();
  await connection?.quit();
  await eventsConnection?.quit();
  http?.close();
  await redis?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('examples/queue: BullMQ workers on Redis', () => {
  it('a worker SIGKILLed mid-job: its job is run again by the other worker; all 20 results stored, each once', async () => {
    await Promise.all([startWorker('A'), startWorker('B')]);
    // kill A at its first progress report: it has read the audio and started transcribing
    const killed = new Promise<string>((resolve) => {
      const onProgress = ({ jobId, data }: { jobId: string; data: unknown }): void => {
        if ((data as TranscriptionProgress).worker !== 'A') return;
        events.off('progress', onProgress);
        workers.get('A')!.child.kill('SIGKILL');
        resolve(jobId);
      };
      events.on('progress', onProgress);
    });
    const stalled: string[] = [];
    events.on('stalled', ({ jobId }) => stalled.push(jobId));

    // four long jobs first: whichever A takes first is one of them (both workers wait for work)
    const sources = [
      ...Array.from({ length: 4 }, () => file('long.wav')),
      ...Array.from({ length: 16 }, (_, i) => [file('jfk.wav'), file('short.wav'), url('jfk.wav'), url('short.wav')][i % 4]!),
    ];
    const jobs = await enqueueTranscriptions(queue, sources.map((source) => ({ source, decode })), jobOptions);
    const returned = await Promise.all(jobs.map((job) => job.waitUntilFinished(events, FINISH_TTL_MS)));
    const killedJobId = await killed;

    expect(await workers.get('A')!.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(stalled).toContain(killedJobId);
    expect(await queue.getJobCounts('completed', 'failed', 'active', 'wait', 'delayed')).toEqual({ completed: 20, failed: 0, active: 0, wait: 0, delayed: 0 });

    const results = await store.all();
    expect([...results.keys()].sort()).toEqual(jobs.map((j) => j.id).sort());
    // each job's work finished once: A died before storing anything, and nothing ran twice
    expect([...(await store.runs()).values()]).toEqual(Array(20).fill(1));
    jobs.forEach((job, i) => {
      const record = results.get(job.id!)!;
      expect(record).toEqual(returned[i]);
      expect(record).toMatchObject({ jobId: job.id, source: sources[i], worker: 'B', text: reference.get(nameOf(sources[i]!)) });
    });
    // the killed job: started twice (A, then B), stalled once, completed by B
    const again = (await queue.getJob(killedJobId))!;
    expect(again).toMatchObject({ stalledCounter: 1, attemptsStarted: 2, processedBy: 'B' });
    expect(results.get(killedJobId)).toMatchObject({ worker: 'B', attempt: 2 });
    expect(workers.get('B')!.output()).toContain(`B: job ${killedJobId} done`);
  });

  it('a failed download is retried with backoff; audio that cannot be read fails at once', async () => {
    const requests: TranscriptionRequest[] = [
      { source: url('flaky.wav'), decode, jobId: 'flaky' },
      { source: url('absent.wav'), decode, jobId: 'http-404' },
      { source: file('absent.wav'), decode, jobId: 'no-file' },
      { source: file('not-audio.wav'), decode, jobId: 'not-audio' },
      { source: file('short.wav'), decode: { ...decode, beamSize: 0 }, jobId: 'bad-option' },
      { source: file('short.wav'), decode, audio: { channel: 1 }, jobId: 'bad-channel' },
    ];
    // what another writer could put in Redis, bypassing the producer's checks
    const malformed = await queue.add('transcribe', { source: file('short.wav'), decode: 'fast' } as unknown as TranscriptionJobData, { ...jobOptions, jobId: 'malformed' });
    const jobs = [...await enqueueTranscriptions(queue, requests, jobOptions), malformed];
    const settled = await Promise.allSettled(jobs.map((job) => job.waitUntilFinished(events, FINISH_TTL_MS)));

    expect(settled[0]).toMatchObject({ status: 'fulfilled', value: { worker: 'B', attempt: 2, text: reference.get('jfk.wav') } });
    expect(hits.get('flaky.wav')).toBe(2);
    const flaky = (await queue.getJob('flaky'))!;
    expect(flaky.attemptsMade).toBe(2);
    const codes = { 'http-404': 'ERR_AUDIO_DECODE', 'no-file': 'ERR_AUDIO_DECODE', 'not-audio': 'ERR_AUDIO_DECODE', 'bad-option': 'ERR_INVALID_ARGUMENT', 'bad-channel': 'ERR_INVALID_ARGUMENT', 'malformed': 'ERR_INVALID_ARGUMENT' };
    for (const [id, code] of Object.entries(codes)) {
      const job = (await queue.getJob(id))!;
      expect(await job.getState()).toBe('failed');
      // unrecoverable: one attempt, no retry
      expect(job.attemptsMade).toBe(1);
      expect(job.failedReason.startsWith(`${code}:`)).toBe(true);
      expect(await store.get(id)).toBeUndefined();
    }
    expect(hits.get('absent.wav')).toBe(1);
  });

  it('the producer refuses a source no worker could read, before enqueueing anything', async () => {
    const before = await queue.count();
    await expect(enqueueTranscriptions(queue, [{ source: file('jfk.wav') }, { source: 'ftp://example.com/a.wav' }]))
      .rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(enqueueTranscriptions(queue, [{ source: 'relative/a.wav' }])).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(enqueueTranscriptions(queue, [{ source: file('jfk.wav'), decode: 'fast' as never }])).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    expect(await queue.count()).toBe(before);
  });

  it('readAudioSource: a URL gives the file\'s bytes; a download over the size limit is refused', async () => {
    const jfk = new Uint8Array(await readFile(JFK_WAV));
    expect(await readAudioSource(url('jfk.wav'))).toEqual(jfk);
    await expect(readAudioSource(url('jfk.wav'), { maxBytes: jfk.length - 1 })).rejects.toMatchObject({ code: 'ERR_AUDIO_DECODE' });
    await expect(readAudioSource('relative.wav')).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });

  it('a result is stored once per job id: a later store keeps the first, and a rerun of a stored job returns it untouched', async () => {
    const first = { jobId: 'stored-twice', source: file('jfk.wav'), text: 'first', language: 'en', durationS: 11, segments: [],
      worker: 'X', attempt: 1, transcribeMs: 1, finishedAt: 1 };
    expect(await store.storeOnce(first)).toEqual({ stored: true, record: first });
    expect(await store.storeOnce({ ...first, text: 'second', worker: 'Y', attempt: 2 })).toEqual({ stored: false, record: first });
    expect(await store.get('stored-twice')).toEqual(first);
    expect((await store.runs()).get('stored-twice')).toBe(2);

    // a worker that stored its result and died before BullMQ marked the job completed: the rerun returns the stored result
    const earlier = { ...first, jobId: 'rerun', text: 'stored by an earlier run' };
    await store.storeOnce(earlier);
    const [rerun] = await enqueueTranscriptions(queue, [{ source: file('short.wav'), decode, jobId: 'rerun' }], jobOptions);
    expect(await rerun!.waitUntilFinished(events, FINISH_TTL_MS)).toEqual(earlier);
    expect((await store.runs()).get('rerun')).toBe(1);
  });

  it('SIGTERM: the worker finishes its job, takes no other, and exits with code 0', async () => {
    const b = workers.get('B')!;
    const started = new Promise<void>((resolve) => {
      const onProgress = ({ jobId }: { jobId: string }): void => {
        if (jobId !== 'finish-me') return;
        events.off('progress', onProgress);
        b.child.kill('SIGTERM');
        resolve();
      };
      events.on('progress', onProgress);
    });
    // audio B has not seen (its encoder cache cannot shorten the job)
    const [finishMe, leftOver] = await enqueueTranscriptions(queue, [
      { source: file('long-quiet.wav'), decode, jobId: 'finish-me' },
      { source: file('short.wav'), decode, jobId: 'left-over' },
    ], jobOptions);
    const record = await finishMe!.waitUntilFinished(events, FINISH_TTL_MS);
    await started;

    expect(await b.exited).toEqual({ code: 0, signal: null });
    expect(record).toMatchObject({ worker: 'B', attempt: 1, text: reference.get('long-quiet.wav') });
    expect(await store.get('finish-me')).toEqual(record);
    expect(await leftOver!.getState()).toBe('waiting');
    expect(b.output()).toContain('B: stopped');
  });
});
