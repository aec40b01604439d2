/**
 * An OpenAI-compatible transcription endpoint on fastify:
 *   POST /v1/audio/transcriptions   multipart: file, model, language?, prompt?, temperature?,
 *                                   response_format = json | text | srt | vtt | verbose_json,
 *                                   timestamp_granularities[] = segment | word (with verbose_json)
 * The official `openai` client works against it (`baseURL: 'http://host:port/v1'`). Errors
 * come in OpenAI's shape, `{ error: { message, type, param, code } }`, with the library's error
 * code as `code`. A client that hangs up cancels its transcription; a request that outlives
 * `requestTimeoutMs` is cancelled and answered 504. verbose_json adds the request's per-stage
 * timings.
 *
 *   npx tsx examples/http-server.ts <ggml-model.bin> [port] [--temperature 0] [--max-file-bytes N] [--timeout-ms N]
 *   curl -F file=@jfk.wav -F model=whisper-1 -F response_format=verbose_json localhost:8080/v1/audio/transcriptions
 */
import { parseArgs } from 'node:util';

import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';

import {
  AmanuensisError, type TranscribeOptions, type TranscribeProgress, Transcriber, type TranscriptionResult, decodeAudio,
} from '../src/index.js';
import { readTranscriptionForm } from './multipart-form.js';
import { CLIENT_CLOSED_REQUEST, openAiError, requestError } from './openai-errors.js';
import { parseTranscriptionRequest } from './openai-transcription-request.js';
import { type FormattedResponse, formatTranscription } from './openai-transcription-response.js';

/** OpenAI's upload limit, 25 MB (here 25 MiB, 26 214 400 bytes). */
export const DEFAULT_MAX_FILE_BYTES = 25 * 1024 * 1024;

/**
 * Five minutes. A 25 MB upload holds about 13 minutes of 16 kHz 16-bit mono WAV (more of
 * compressed audio): raise it for long files on slow models.
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 5 * 60 * 1000;

/** How a request's work ended: the transcription's result, or the error that stopped it. */
export type TranscriptionOutcome =
  | { readonly ok: true; readonly result: TranscriptionResult }
  | { readonly ok: false; readonly error: AmanuensisError };

/** Options of {@link createHttpServer}. */
export interface HttpServerOptions {
  /**
   * Decoding options of every request. A request's `language`, `prompt` (as `initialPrompt`) and
   * `temperature` above 0 override theirs; `temperature` 0, OpenAI's default, keeps this one
   * (the library's default is the same fallback schedule OpenAI describes: 0, 0.2, …, 1.0).
   */
  readonly decode?: Omit<TranscribeOptions, 'signal' | 'onProgress'>;
  /** Largest audio upload in bytes; a larger one is answered 413. Default 25 MB ({@link DEFAULT_MAX_FILE_BYTES}), as OpenAI's. */
  readonly maxFileBytes?: number;
  /**
   * Milliseconds a request may take from its arrival to its answer (upload, decoding, waiting in
   * the queue and transcription). Past it the transcription is cancelled and the answer is 504.
   * `Infinity` disables. Default 5 minutes ({@link DEFAULT_REQUEST_TIMEOUT_MS}).
   */
  readonly requestTimeoutMs?: number;
  /** Called after each 30 s window of a request's transcription (fastify's request id, progress). */
  readonly onProgress?: (requestId: string, progress: TranscribeProgress) => void;
  /**
   * Called once the work of a request (reading its upload, decoding, waiting in the queue,
   * transcribing) has stopped, whether or not its client is still there: with the result, or the
   * error that ended it. A request cancelled by its client hanging up or by the timeout reports
   * `ERR_ABORTED`, once its transcription has actually stopped.
   */
  readonly onSettled?: (requestId: string, outcome: TranscriptionOutcome) => void;
}

/** The path of the endpoint, as OpenAI's. */
export const TRANSCRIPTIONS_PATH = '/v1/audio/transcriptions';

function checkedOptions(options: HttpServerOptions): { maxFileBytes: number; requestTimeoutMs: number } {
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  if (!(Number.isSafeInteger(maxFileBytes) && maxFileBytes > 0)) throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'maxFileBytes must be a positive integer');
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  // setTimeout's longest delay is 2^31 - 1 ms
  if (!(requestTimeoutMs === Infinity || (Number.isInteger(requestTimeoutMs) && requestTimeoutMs > 0 && requestTimeoutMs < 2 ** 31))) {
    throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'requestTimeoutMs must be a positive integer below 2^31 or Infinity');
  }
  return { maxFileBytes, requestTimeoutMs };
}

/**
 * `work`, or the signal's reason as soon as it fires: the answer does not wait for work that
 * cannot stop at once (an upload still arriving). The work's own later failure is expected then.
 */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  work.catch(() => undefined);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * A fastify instance serving `transcriber` at {@link TRANSCRIPTIONS_PATH} (call `listen()` on it).
 * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for a bad `maxFileBytes` or `requestTimeoutMs`
 */
export async function createHttpServer(transcriber: Transcriber, options: HttpServerOptions = {}): Promise<FastifyInstance> {
  const { maxFileBytes, requestTimeoutMs } = checkedOptions(options);
  const decode = options.decode ?? {};
  const app = Fastify();
  // one audio file and a handful of short text fields: anything more is not a transcription request
  await app.register(multipart, { limits: { fileSize: maxFileBytes, files: 1, fields: 32, parts: 33, fieldSize: 64 * 1024 } });

  app.setErrorHandler((err: unknown, _request, reply) => {
    const { status, body } = openAiError(err);
    if (status === 503) void reply.header('retry-after', '1');
    void reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send(openAiError(requestError('ERR_INVALID_ARGUMENT', `no route ${request.method} ${request.url}`, { status: 404 })).body);
  });

  async function transcribe(request: FastifyRequest, signal: AbortSignal): Promise<{ result: TranscriptionResult; answer: FormattedResponse }> {
    const form = await readTranscriptionForm(request, maxFileBytes);
    const parsed = parseTranscriptionRequest(form.fields, transcriber);
    // an upload that outlived its request is not worth decoding
    signal.throwIfAborted();
    const audio = await decodeAudio(form.file, { signal });
    const result = await transcriber.transcribe(audio.samples, {
      ...decode,
      ...parsed.options,
      signal,
      ...(options.onProgress !== undefined && { onProgress: (p: TranscribeProgress) => options.onProgress!(request.id, p) }),
    });
    return { result, answer: formatTranscription(result, parsed.format, decode.task ?? 'transcribe', parsed.timestampGranularities) };
  }

  /** The request's work, reported to `onSettled` when it has stopped; a cancelled one as cancelled, whatever it failed with. */
  function observed(request: FastifyRequest, signal: AbortSignal): Promise<FormattedResponse> {
    const work = transcribe(request, signal);
    work.then(
      ({ result }) => options.onSettled?.(request.id, { ok: true, result }),
      (error: unknown) => {
        const cause: unknown = signal.aborted ? signal.reason : error;
        options.onSettled?.(request.id, { ok: false, error: cause instanceof AmanuensisError ? cause : new AmanuensisError('ERR_NATIVE', String(cause), { cause }) });
      },
    );
    return work.then(({ answer }) => answer);
  }

  app.post(TRANSCRIPTIONS_PATH, async (request, reply) => {
    const cancel = new AbortController();
    // The response's 'close' before it has finished is the client hanging up. (The request's own
    // 'close' cannot tell: it fires as soon as the body has been read.)
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) cancel.abort(requestError('ERR_ABORTED', 'the client closed the connection', { status: CLIENT_CLOSED_REQUEST }));
    });
    const timer = requestTimeoutMs === Infinity ? undefined : setTimeout(() => {
      cancel.abort(requestError('ERR_ABORTED', `no answer within ${requestTimeoutMs} ms: the request was cancelled`, { status: 504 }));
    }, requestTimeoutMs);
    try {
      const answer = await untilAborted(observed(request, cancel.signal), cancel.signal);
      return await reply.type(answer.contentType).send(answer.body);
    } finally {
      clearTimeout(timer);
    }
  });
  return app;
}

const isMain = process.argv[1] !== undefined && /http-server\.ts$/.test(process.argv[1]);
if (isMain) {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      // the server's temperatures, e.g. 0 for greedy decoding without fallback (what a request's
      // temperature 0 then means); default the library's 0, 0.2, …, 1.0
      temperature: { type: 'string' },
      'max-file-bytes': { type: 'string', default: String(DEFAULT_MAX_FILE_BYTES) },
      'timeout-ms': { type: 'string', default: String(DEFAULT_REQUEST_TIMEOUT_MS) },
    },
  });
  const [modelPath, port = '8080'] = positionals;
  if (modelPath === undefined) {
    console.error('usage: http-server.ts <model.bin> [port] [--temperature 0,0.2,…] [--max-file-bytes N] [--timeout-ms N]');
    process.exit(2);
  }
  const transcriber = await Transcriber.load(modelPath);
  const app = await createHttpServer(transcriber, {
    ...(values.temperature !== undefined && { decode: { temperature: values.temperature.split(',').map(Number) } }),
    maxFileBytes: Number(values['max-file-bytes']),
    requestTimeoutMs: Number(values['timeout-ms']),
  });
  console.log(`listening on ${await app.listen({ port: Number(port), host: '127.0.0.1' })}`);
}
