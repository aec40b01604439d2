/**
 * Throughput of the queue with 1, 2, … worker processes on this machine: starts a local
 * redis-server, then for each worker count starts that many workers (examples/queue/worker.ts),
 * enqueues the same jobs, and times them from enqueueing to the last completion (the workers
 * have loaded their model before the clock starts). Prints jobs per minute and audio seconds
 * per wall-clock second.
 *
 *   npx tsx examples/queue/throughput.ts --model ggml-tiny.en.bin [--workers 1,2] [--threads 1]
 *     [--jobs 24] [--decode '{"temperature":0,"sampleLen":48}'] <audio.wav|flac>...
 *
 * Each job gets its own copy of an input file at a slightly different gain, so no worker's
 * encoder cache answers a repeat and every job costs a full transcription. Run it on an
 * otherwise idle machine: the figures are only as steady as the cores are free.
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { Queue, QueueEvents } from 'bullmq';
import wavefile from 'wavefile';

import { SAMPLE_RATE, decodeAudioFile } from '../../src/index.js';
import { type JobDecodeOptions, type TranscriptionJobData, type TranscriptionRecord, connectRedis } from './jobs.js';
import { startLocalRedis } from './local-redis.js';
import { enqueueTranscriptions } from './producer.js';

const WORKER_SCRIPT = fileURLToPath(new URL('./worker.ts', import.meta.url));

/** Figures of one worker count. */
interface ThroughputRun {
  readonly workers: number;
  readonly jobs: number;
  readonly wallS: number;
  readonly audioS: number;
}

/** Writes `count` 16-bit WAV copies of the inputs, round robin, each at its own gain; returns their paths. */
async function distinctCopies(inputs: readonly string[], count: number, dir: string): Promise<string[]> {
  const decoded = await Promise.all(inputs.map((p) => decodeAudioFile(p)));
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const gain = 1 - i / 1000;
    const samples = decoded[i % decoded.length]!.samples;
    const w = new wavefile.WaveFile();
    w.fromScratch(1, SAMPLE_RATE, '16', Int16Array.from(samples, (v) => Math.max(-32768, Math.min(32767, Math.round(v * gain * 32767)))));
    const path = join(dir, `job-${i}.wav`);
    await writeFile(path, w.toBuffer());
    paths.push(path);
  }
  return paths;
}

/** Starts a worker process and resolves once it takes jobs. */
async function startWorker(args: readonly string[], name: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER_SCRIPT, ...args, '--name', name], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes(`${name}: ready`)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker ${name} exited with code ${code} before it was ready`)));
  });
  child.stdout!.resume();
  return child;
}

/** Runs the jobs on `count` fresh workers and measures. */
async function measure(redisUrl: string, count: number, workerArgs: readonly string[], paths: readonly string[],
  decode: JobDecodeOptions): Promise<ThroughputRun> {
  const queueName = `throughput-${count}-${Date.now()}`;
  const workers = await Promise.all(Array.from({ length: count }, (_, i) =>
    startWorker([...workerArgs, '--redis', redisUrl, '--queue', queueName], `w${i + 1}`)));
  const connection = connectRedis(redisUrl);
  const eventsConnection = connectRedis(redisUrl);
  const queue = new Queue<TranscriptionJobData, TranscriptionRecord>(queueName, { connection });
  queue.setMaxListeners(paths.length + 10);
  const events = new QueueEvents(queueName, { connection: eventsConnection });
  try {
    await events.waitUntilReady();
    const started = performance.now();
    const jobs = await enqueueTranscriptions(queue, paths.map((source) => ({ source, decode })));
    const records = await Promise.all(jobs.map((job) => job.waitUntilFinished(events)));
    const wallS = (performance.now() - started) / 1000;
    return { workers: count, jobs: jobs.length, wallS, audioS: records.reduce((sum, r) => sum + r.durationS, 0) };
  } finally {
    await Promise.all(workers.map(async (w) => {
      const exited = once(w, 'exit');
      w.kill('SIGTERM');
      await exited;
    }));
    await events.close();
    await queue.close();
    await eventsConnection.quit();
    await connection.quit();
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      model: { type: 'string' },
      workers: { type: 'string', default: '1,2' },
      threads: { type: 'string', default: '1' },
      jobs: { type: 'string', default: '24' },
      decode: { type: 'string', default: '{"temperature":0,"sampleLen":48}' },
    },
  });
  if (values.model === undefined || positionals.length === 0) {
    console.error('usage: throughput.ts --model <ggml-model.bin> [--workers 1,2] [--threads 1] [--jobs 24] [--decode json] <audio>...');
    process.exit(2);
  }
  const decode = JSON.parse(values.decode) as JobDecodeOptions;
  const redis = await startLocalRedis();
  const dir = await mkdtemp(join(tmpdir(), 'amanuensis-throughput-'));
  try {
    const paths = await distinctCopies(positionals, Number(values.jobs), dir);
    const workerArgs = ['--model', values.model, '--threads', values.threads];
    console.log(`${paths.length} jobs, ${values.threads} thread(s) per worker, decode ${values.decode}`);
    for (const count of values.workers.split(',').map(Number)) {
      const run = await measure(redis.url, count, workerArgs, paths, decode);
      console.log(`${run.workers} worker(s): ${run.jobs} jobs, ${run.audioS.toFixed(0)} s of audio in ${run.wallS.toFixed(2)} s: ` +
        `${(60 * run.jobs / run.wallS).toFixed(1)} jobs/min, ${(run.audioS / run.wallS).toFixed(1)} audio s per wall s`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
    await redis.stop();
  }
}

const isMain = process.argv[1] !== undefined && /queue[\\/]throughput\.ts$/.test(process.argv[1]);
if (isMain) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
