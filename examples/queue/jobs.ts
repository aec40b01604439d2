/**
 * What producers and workers of the transcription queue agree on: the queue's name, a job's
 * data, the record a finished job yields, the retry policy, and how to reach Redis.
 * @module
 */
import type { DefaultJobOptions } from 'bullmq';
import { Redis } from 'ioredis';

import { AmanuensisError, type DecodeAudioOptions, type TranscribeOptions } from '../../src/index.js';
import { assertValidSource } from './audio-source.js';

/** The BullMQ queue both sides use unless told otherwise. */
export const DEFAULT_QUEUE_NAME = 'amanuensis-transcriptions';

/**
 * Decoding options a job carries: {@link TranscribeOptions} without the two that cannot
 * travel through Redis as JSON (the abort signal and the progress callback, which the worker
 * supplies itself).
 */
export type JobDecodeOptions = Omit<TranscribeOptions, 'signal' | 'onProgress'>;

/**
 * How a job's audio is read: only the channel to keep. The ffmpeg program stays the worker's
 * choice (its `AMANUENSIS_FFMPEG` or PATH): a job's data must not pick what a worker executes.
 */
export type JobAudioOptions = Pick<DecodeAudioOptions, 'channel'>;

/** The data of one transcription job, stored as JSON in Redis. */
export interface TranscriptionJobData {
  /**
   * Where the audio is: an `http://` or `https://` URL, or an absolute file path that every
   * worker can read (shared storage mounted at the same place on every machine).
   */
  readonly source: string;
  /** How to transcribe it (language, temperature, sampleLen, …); the library's defaults when absent. */
  readonly decode?: JobDecodeOptions;
  /** How to read the audio. Default: all channels averaged. */
  readonly audio?: JobAudioOptions;
}

function isRecord(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks the shape of a job's data, as the producer does before enqueueing and the worker
 * does on taking a job (anything can write to Redis). The option values themselves are
 * checked by the Transcriber and the audio decoder.
 * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for data that is not an object, a bad
 *   source (see {@link assertValidSource}), or `decode` or `audio` that is not an object
 */
export function assertValidJobData(data: unknown): asserts data is TranscriptionJobData {
  if (!isRecord(data)) throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'a job\'s data must be an object with a source');
  const { source, decode, audio } = data as Record<string, unknown>;
  assertValidSource(source);
  if (decode !== undefined && !isRecord(decode)) throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'a job\'s decode must be an object of transcribe options');
  if (audio !== undefined && !isRecord(audio)) throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'a job\'s audio must be an object such as { channel: 0 }');
}

/** One timed segment of a stored result. */
export interface StoredSegment {
  /** Start, in seconds from the beginning of the audio. */
  readonly start: number;
  /** End, in seconds. */
  readonly end: number;
  /** The segment's text. */
  readonly text: string;
}

/** What a finished job yields: BullMQ's return value and the entry of the results hash. */
export interface TranscriptionRecord {
  /** The BullMQ job id this is the result of. */
  readonly jobId: string;
  /** The job's `source`. */
  readonly source: string;
  /** The whole transcript. */
  readonly text: string;
  /** Language code of the transcript. */
  readonly language: string;
  /** Duration of the audio, in seconds. */
  readonly durationS: number;
  /** The timed segments. */
  readonly segments: readonly StoredSegment[];
  /** Name of the worker that transcribed it. */
  readonly worker: string;
  /** Which start of the job produced it (1 for the first; more after a crash or a retry). */
  readonly attempt: number;
  /** Wall-clock time the worker spent on the transcription itself, in milliseconds. */
  readonly transcribeMs: number;
  /** When the result was stored, in milliseconds since the Unix epoch. */
  readonly finishedAt: number;
}

/** The progress a worker reports through `job.updateProgress` (BullMQ's `progress` event). */
export interface TranscriptionProgress {
  /** Name of the worker running the job. */
  readonly worker: string;
  /** Frames (10 ms) transcribed so far; 0 when the audio has just been read. */
  readonly processedFrames: number;
  /** Frames of audio in total. */
  readonly totalFrames: number;
  /** processedFrames / totalFrames, 0 to 1. */
  readonly fraction: number;
}

/**
 * Retry policy of every job unless the producer overrides it: 3 attempts, waiting 2 s, then
 * 4 s between them (exponential backoff). Audio that cannot be decoded fails at once instead
 * (the worker marks it unrecoverable): retrying cannot fix it.
 */
export const DEFAULT_JOB_OPTIONS: DefaultJobOptions = Object.freeze({
  attempts: 3,
  backoff: Object.freeze({ type: 'exponential', delay: 2_000 }),
});

/**
 * Opens a Redis connection suitable for BullMQ (`maxRetriesPerRequest: null`, as its blocking
 * commands require). BullMQ's ESM build cannot load ioredis by itself, so both sides hand it
 * a client.
 * @param url - `redis://[user:password@]host:port[/db]` (or `rediss://` for TLS)
 */
export function connectRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null });
}
