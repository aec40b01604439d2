/**
 * The producer side of the transcription queue: enqueues audio files (absolute paths every
 * worker can read) and http(s) URLs, each with its decoding options, and optionally waits
 * for the transcripts.
 *
 *   npx tsx examples/queue/producer.ts [--redis redis://host:6379] [--queue name]
 *     [--decode '{"language":"en","temperature":0}'] [--wait] <path-or-url>...
 *
 * Relative paths are made absolute against the current directory; with --wait, each
 * transcript is printed as its job finishes.
 * @module
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { type Job, type JobsOptions, type Queue, QueueEvents, Queue as BullQueue } from 'bullmq';

import { AmanuensisError } from '../../src/index.js';
import { isUrlSource } from './audio-source.js';
import { DEFAULT_JOB_OPTIONS, DEFAULT_QUEUE_NAME, type JobDecodeOptions, assertValidJobData, type TranscriptionJobData, type TranscriptionRecord, connectRedis } from './jobs.js';

/** One file or URL to transcribe. */
export interface TranscriptionRequest extends TranscriptionJobData {
  /**
   * Job id. BullMQ ignores a job whose id is already in the queue, so giving stable ids
   * (e.g. the file's name) makes enqueueing the same work twice harmless. Default: BullMQ's counter.
   */
  readonly jobId?: string;
}

/** The transcription queue, typed. */
export type TranscriptionQueue = Queue<TranscriptionJobData, TranscriptionRecord>;

/**
 * Adds one job per request, all or none: every request is checked before any job is added.
 * @param jobOptions - BullMQ job options over {@link DEFAULT_JOB_OPTIONS} (attempts, backoff, priority, …)
 * @returns the jobs, in the order of the requests
 * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for a source that is not an http(s) URL
 *   or an absolute path, or `decode` or `audio` that is not an object (see {@link assertValidJobData})
 */
export async function enqueueTranscriptions(queue: TranscriptionQueue, requests: readonly TranscriptionRequest[],
  jobOptions: JobsOptions = {}): Promise<Job<TranscriptionJobData, TranscriptionRecord>[]> {
  for (const r of requests) assertValidJobData(r);
  return queue.addBulk(requests.map(({ jobId, ...data }) => ({
    name: 'transcribe',
    data,
    opts: { ...DEFAULT_JOB_OPTIONS, ...jobOptions, ...(jobId === undefined ? {} : { jobId }) },
  })));
}

/** Reads the command line, enqueues, and waits for the transcripts if asked. */
async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      redis: { type: 'string', default: 'redis://127.0.0.1:6379' },
      queue: { type: 'string', default: DEFAULT_QUEUE_NAME },
      decode: { type: 'string', default: '{}' },
      wait: { type: 'boolean', default: false },
    },
  });
  if (positionals.length === 0) {
    console.error('usage: producer.ts [--redis url] [--queue name] [--decode json] [--wait] <path-or-url>...');
    process.exit(2);
  }
  let decode: JobDecodeOptions;
  try {
    decode = JSON.parse(values.decode) as JobDecodeOptions;
  } catch (err) {
    throw new AmanuensisError('ERR_INVALID_ARGUMENT', `--decode is not JSON: ${(err as Error).message}`);
  }
  const connection = connectRedis(values.redis);
  const queue: TranscriptionQueue = new BullQueue(values.queue, { connection });
  const eventsConnection = values.wait ? connectRedis(values.redis) : undefined;
  const events = eventsConnection === undefined ? undefined : new QueueEvents(values.queue, { connection: eventsConnection });
  try {
    const jobs = await enqueueTranscriptions(queue, positionals.map((p) => ({ source: isUrlSource(p) ? p : resolve(p), decode })));
    for (const job of jobs) console.log(`queued ${job.id}: ${job.data.source}`);
    if (events !== undefined) {
      // every waitUntilFinished listens for the queue closing: one listener per job
      queue.setMaxListeners(jobs.length + 10);
      await Promise.all(jobs.map(async (job) => {
        try {
          const record = await job.waitUntilFinished(events);
          console.log(`${job.id} (${record.worker}, ${record.durationS.toFixed(1)} s): ${record.text.trim()}`);
        } catch (err) {
          console.error(`${job.id} failed: ${(err as Error).message}`);
          process.exitCode = 1;
        }
      }));
    }
  } finally {
    await events?.close();
    await queue.close();
    await eventsConnection?.quit();
    await connection.quit();
  }
}

const isMain = process.argv[1] !== undefined && /queue[\\/]producer\.ts$/.test(process.argv[1]);
if (isMain) {
  main().catch((err: unknown) => {
    console.error(err instanceof AmanuensisError ? `${err.code}: ${err.message}` : err);
    process.exit(1);
  });
}
