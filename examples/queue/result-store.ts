/**
 * The results of a queue, kept in Redis beside it: one hash field per job id, written with
 * HSETNX so the first result stored for a job is the one kept, whoever else finishes the job
 * later (a job is run again when its worker dies or loses its lock mid-job). A second hash
 * counts, per job, the transcriptions that ran to the end, which shows work done twice.
 * @module
 */
import type { Redis } from 'ioredis';

import type { TranscriptionRecord } from './jobs.js';

/** Where a queue's results live in Redis. */
export interface ResultKeys {
  /** Hash: job id → {@link TranscriptionRecord} as JSON. */
  readonly results: string;
  /** Hash: job id → number of transcriptions of that job that finished (1 unless work was repeated). */
  readonly runs: string;
}

/** The Redis keys of `queueName`'s results. */
export function resultKeys(queueName: string): ResultKeys {
  return { results: `amanuensis:${queueName}:results`, runs: `amanuensis:${queueName}:runs` };
}

/** What {@link ResultStore.storeOnce} did. */
export interface StoreOutcome {
  /** The record now stored for the job: the one given, or the one stored before it. */
  readonly record: TranscriptionRecord;
  /** Whether the given record was the first for its job (false: an earlier one was kept). */
  readonly stored: boolean;
}

/** Results of one queue, stored at most once per job id. */
export class ResultStore {
  /** The Redis keys in use. */
  readonly keys: ResultKeys;

  /**
   * @param redis - a connection to the queue's Redis
   * @param queueName - the BullMQ queue the results belong to
   */
  constructor(private readonly redis: Redis, queueName: string) {
    this.keys = resultKeys(queueName);
  }

  /** The stored result of `jobId`, or undefined when it has none yet. */
  async get(jobId: string): Promise<TranscriptionRecord | undefined> {
    const json = await this.redis.hget(this.keys.results, jobId);
    return json === null ? undefined : (JSON.parse(json) as TranscriptionRecord);
  }

  /**
   * Counts a finished transcription of the record's job and stores the record unless the job
   * already has one, in one MULTI so no other writer interleaves.
   * @throws the connection's error when Redis cannot be reached (the job then fails and is retried)
   */
  async storeOnce(record: TranscriptionRecord): Promise<StoreOutcome> {
    const replies = await this.redis.multi()
      .hincrby(this.keys.runs, record.jobId, 1)
      .hsetnx(this.keys.results, record.jobId, JSON.stringify(record))
      .hget(this.keys.results, record.jobId)
      .exec();
    if (replies === null) throw new Error('the Redis transaction storing a result was aborted');
    for (const [err] of replies) if (err !== null) throw err;
    const stored = replies[1]![1] === 1;
    return { stored, record: stored ? record : (JSON.parse(replies[2]![1] as string) as TranscriptionRecord) };
  }

  /** Every stored result, by job id. */
  async all(): Promise<Map<string, TranscriptionRecord>> {
    const fields = await this.redis.hgetall(this.keys.results);
    return new Map(Object.entries(fields).map(([id, json]) => [id, JSON.parse(json) as TranscriptionRecord]));
  }

  /** Finished transcriptions per job id (a count above 1 means a job's work was done more than once). */
  async runs(): Promise<Map<string, number>> {
    const fields = await this.redis.hgetall(this.keys.runs);
    return new Map(Object.entries(fields).map(([id, n]) => [id, Number(n)]));
  }
}
