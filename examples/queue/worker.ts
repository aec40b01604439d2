/**
 * A transcription worker: one loaded Transcriber per process, taking jobs from a BullMQ
 * queue on Redis, reporting progress, storing each result once, and finishing its job
 * before it exits on SIGTERM. Run as many as you like, on any machine that reaches Redis.
 *
 *   npx tsx examples/queue/worker.ts --model ggml-base.en.bin [--redis redis://host:6379]
 *     [--threads 4] [--queue amanuensis-transcriptions] [--name worker-1] [--concurrency 1]
 *     [--lock-duration 30000] [--stalled-interval 30000]
 *
 * A worker that dies mid-job (killed, out of memory, machine lost) stops renewing its lock
 * on the job; once the lock expires (lock duration) another worker's stalled-job check
 * (every stalled interval) puts the job back in the queue and someone runs it again. Short
 * values recover sooner but cost Redis traffic and risk a false alarm when a worker's event
 * loop is held up; BullMQ's defaults (30 s each) suit production, the tests use 4 s and 1 s.
 * @module
 */
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';

import { type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';

import { AmanuensisError, type AmanuensisErrorCode, HOP_LENGTH, type TranscribeProgress, Transcriber, decodeAudio } from '../../src/index.js';
import { type ReadAudioSourceOptions, readAudioSource } from './audio-source.js';
import { DEFAULT_QUEUE_NAME, type TranscriptionJobData, assertValidJobData, type TranscriptionProgress, type TranscriptionRecord, connectRedis } from './jobs.js';
import { ResultStore } from './result-store.js';

/** Errors that another attempt cannot cure: the job fails at once instead of being retried. */
const PERMANENT_ERRORS: ReadonlySet<AmanuensisErrorCode> = new Set(['ERR_AUDIO_DECODE', 'ERR_INVALID_AUDIO', 'ERR_INVALID_ARGUMENT']);

/** Options of {@link startTranscriptionWorker}. */
export interface TranscriptionWorkerOptions {
  /** A Redis connection made by `connectRedis` (the caller closes it after the worker). */
  readonly redis: Redis;
  /** The loaded model every job of this worker runs on (the caller closes it after the worker). */
  readonly transcriber: Transcriber;
  /** Queue to take jobs from. Default {@link DEFAULT_QUEUE_NAME}. */
  readonly queueName?: string;
  /** Name recorded on the jobs and results of this worker. Default `<hostname>:<pid>`. */
  readonly name?: string;
  /** Jobs run at once by this worker (they share the Transcriber and its threads). Default 1. */
  readonly concurrency?: number;
  /** How long a job's lock lasts without renewal, in milliseconds (renewed at half of it). Default 30 000. */
  readonly lockDurationMs?: number;
  /** Period of the check for jobs whose worker vanished, in milliseconds. Default 30 000. */
  readonly stalledIntervalMs?: number;
  /** Limits of downloads. */
  readonly download?: ReadAudioSourceOptions;
}

/** A running worker. */
export interface TranscriptionWorker {
  /** The underlying BullMQ worker (for its events). */
  readonly worker: Worker<TranscriptionJobData, TranscriptionRecord>;
  /** The worker's name. */
  readonly name: string;
  /** Where results are stored. */
  readonly results: ResultStore;
  /** Stops taking jobs and resolves once the jobs in progress have finished. */
  close(): Promise<void>;
}

/** A failure of the job in BullMQ's terms: permanent ones are not retried. */
function asJobError(err: unknown): Error {
  if (err instanceof AmanuensisError && PERMANENT_ERRORS.has(err.code)) return new UnrecoverableError(`${err.code}: ${err.message}`);
  if (err instanceof AmanuensisError) return new Error(`${err.code}: ${err.message}`, { cause: err });
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * The job processor: read and decode the audio, transcribe it with progress reports, store
 * the result unless an earlier run of the same job already did.
 */
function processorFor(transcriber: Transcriber, results: ResultStore, name: string, download: ReadAudioSourceOptions) {
  return async (job: Job<TranscriptionJobData, TranscriptionRecord>): Promise<TranscriptionRecord> => {
    const jobId = job.id!;
    // a run that stored its result but died before BullMQ recorded the completion: nothing to redo
    const earlier = await results.get(jobId);
    if (earlier !== undefined) return earlier;

    // progress updates go out in order; a failed update fails the job (Redis is gone or the lock was lost)
    let reported = Promise.resolve();
    const report = (p: Omit<TranscriptionProgress, 'worker'>): void => {
      reported = reported.then(() => job.updateProgress({ worker: name, ...p } satisfies TranscriptionProgress));
    };
    try {
      assertValidJobData(job.data);
      const { source, decode = {}, audio: audioOptions = {} } = job.data;
      // only the channel is taken from the job (see JobAudioOptions)
      const audio = await decodeAudio(await readAudioSource(source, download), { channel: audioOptions.channel });
      const totalFrames = Math.floor(audio.samples.length / HOP_LENGTH); // as the Transcriber counts them
      report({ processedFrames: 0, totalFrames, fraction: 0 });
      const started = performance.now();
      const result = await transcriber.transcribe(audio.samples, {
        ...decode,
        onProgress: (p: TranscribeProgress) => report(p),
      });
      const transcribeMs = performance.now() - started;
      await reported;
      const { record } = await results.storeOnce({
        jobId,
        source,
        text: result.text,
        language: result.language,
        durationS: result.durationS,
        segments: result.segments.map((s) => ({ start: s.start, end: s.end, text: s.text })),
        worker: name,
        attempt: job.attemptsStarted,
        transcribeMs,
        finishedAt: Date.now(),
      });
      return record;
    } catch (err) {
      await reported.catch(() => undefined);
      throw asJobError(err);
    }
  };
}

/**
 * Starts taking jobs from the queue.
 * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for a concurrency, lock duration or
 *   stalled interval that is not a positive integer
 */
export function startTranscriptionWorker(options: TranscriptionWorkerOptions): TranscriptionWorker {
  const { redis, transcriber } = options;
  const name = options.name ?? `${hostname()}:${process.pid}`;
  const queueName = options.queueName ?? DEFAULT_QUEUE_NAME;
  for (const [key, value] of Object.entries({ concurrency: options.concurrency, lockDurationMs: options.lockDurationMs, stalledIntervalMs: options.stalledIntervalMs })) {
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) {
      throw new AmanuensisError('ERR_INVALID_ARGUMENT', `${key} must be a positive integer, got ${value}`);
    }
  }
  const results = new ResultStore(redis, queueName);
  const worker = new Worker<TranscriptionJobData, TranscriptionRecord>(queueName, processorFor(transcriber, results, name, options.download ?? {}), {
    connection: redis,
    name,
    concurrency: options.concurrency ?? 1,
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
  });
  return { worker, name, results, close: () => worker.close() };
}

/** Reads the command line, runs a worker until SIGTERM or SIGINT. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'model': { type: 'string' },
      'redis': { type: 'string', default: 'redis://127.0.0.1:6379' },
      'threads': { type: 'string' },
      'queue': { type: 'string', default: DEFAULT_QUEUE_NAME },
      'name': { type: 'string' },
      'concurrency': { type: 'string', default: '1' },
      'lock-duration': { type: 'string', default: '30000' },
      'stalled-interval': { type: 'string', default: '30000' },
    },
  });
  if (values.model === undefined) {
    console.error('usage: worker.ts --model <ggml-model.bin> [--redis redis://host:6379] [--threads n] [--queue name] [--name id] ' +
      '[--concurrency n] [--lock-duration ms] [--stalled-interval ms]');
    process.exit(2);
  }
  const transcriber = await Transcriber.load(values.model, values.threads === undefined ? {} : { threads: Number(values.threads) });
  const redis = connectRedis(values.redis);
  const running = startTranscriptionWorker({
    redis,
    transcriber,
    queueName: values.queue,
    ...(values.name === undefined ? {} : { name: values.name }),
    concurrency: Number(values.concurrency),
    lockDurationMs: Number(values['lock-duration']),
    stalledIntervalMs: Number(values['stalled-interval']),
  });
  running.worker.on('error', (err) => console.error(`${running.name}: ${err.message}`));
  running.worker.on('failed', (job, err) => console.error(`${running.name}: job ${job?.id} failed: ${err.message}`));
  running.worker.on('completed', (job) => console.log(`${running.name}: job ${job.id} done (${job.data.source})`));

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // a second signal: leave now; the job in progress is retried elsewhere once its lock expires
      console.error(`${running.name}: ${signal} again, exiting without finishing the job in progress`);
      process.exit(1);
    }
    stopping = true;
    console.log(`${running.name}: ${signal}, finishing the job in progress`);
    void running.close()
      .then(async () => {
        transcriber.close();
        await redis.quit();
        console.log(`${running.name}: stopped`);
      })
      .catch((err: unknown) => {
        console.error(`${running.name}: ${(err as Error).message}`);
        process.exitCode = 1;
      });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  await running.worker.waitUntilReady();
  console.log(`${running.name}: ready on queue ${values.queue}`);
}

const isMain = process.argv[1] !== undefined && /queue[\\/]worker\.ts$/.test(process.argv[1]);
if (isMain) {
  main().catch((err: unknown) => {
    console.error(err instanceof AmanuensisError ? `${err.code}: ${err.message}` : err);
    process.exit(1);
  });
}
