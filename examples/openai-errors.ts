/**
 * Errors of the OpenAI-compatible HTTP example in the shape OpenAI's API answers with,
 * `{ error: { message, type, param, code } }`, and the HTTP status of each failure.
 * `code` carries the library's {@link AmanuensisErrorCode} (or the web framework's code) so a
 * client can switch on it; `param` names the request field at fault, when there is one.
 */
import { AmanuensisError, type AmanuensisErrorCode } from '../src/index.js';

/** An {@link AmanuensisError} that knows its HTTP status and the request field it concerns. */
export type RequestError = AmanuensisError & {
  /** HTTP status to answer with; when absent it follows from `code`. */
  readonly status?: number;
  /** The multipart field at fault (`'language'`, `'timestamp_granularities[]'`, …). */
  readonly param?: string;
};

/** The JSON body of an error answer, as OpenAI's API shapes it. */
export interface OpenAiErrorBody {
  readonly error: {
    readonly message: string;
    /** `'invalid_request_error'` for 4xx, `'server_error'` for 5xx. */
    readonly type: string;
    readonly param: string | null;
    readonly code: string | null;
  };
}

/**
 * Nginx's "client closed request": the status logged for a transcription cancelled because its
 * client hung up (nobody is left to read it).
 */
export const CLIENT_CLOSED_REQUEST = 499;

/**
 * A typed error for a bad or failed request.
 * @param code - the library's error code
 * @param message - what went wrong, for the client
 * @param where - `status` (else derived from `code`) and `param` (the field at fault)
 */
export function requestError(code: AmanuensisErrorCode, message: string, where: { status?: number; param?: string; cause?: unknown } = {}): RequestError {
  const err = new AmanuensisError(code, message, where.cause === undefined ? undefined : { cause: where.cause });
  return Object.assign(err, {
    ...(where.status !== undefined && { status: where.status }),
    ...(where.param !== undefined && { param: where.param }),
  });
}

/** The status of a library error code: bad input is the client's fault (4xx), the rest the server's. */
function statusOfCode(code: AmanuensisErrorCode): number {
  switch (code) {
    case 'ERR_INVALID_ARGUMENT':
    case 'ERR_INVALID_AUDIO':
    case 'ERR_AUDIO_DECODE':
      return 400;
    // the server is at capacity (its queue rejects): a client should retry later
    case 'ERR_QUEUE_FULL':
      return 503;
    // the Transcriber is shutting down
    case 'ERR_CLOSED':
      return 503;
    case 'ERR_ABORTED':
      return CLIENT_CLOSED_REQUEST;
    default:
      return 500;
  }
}

/**
 * The format of an upload that only ffmpeg could decode, when the library reports that this
 * server has no ffmpeg to run (its message for that case names the format, then says it needs
 * ffmpeg); undefined for any other error.
 */
function formatWithoutDecoder(err: AmanuensisError): string | undefined {
  if (err.code !== 'ERR_AUDIO_DECODE') return undefined;
  return /^cannot decode audio \((.+)\): (?:this format needs ffmpeg|the format is none of .*only ffmpeg could try it)/s.exec(err.message)?.[1];
}

/**
 * The HTTP status and OpenAI-shaped body for anything a request handler threw: a
 * {@link RequestError}, another {@link AmanuensisError}, or a web framework error carrying
 * `statusCode` (fastify's own, e.g. 415 for an unsupported content type). An upload in a format
 * this server has no decoder for (no ffmpeg installed) is a 415 too.
 */
export function openAiError(err: unknown): { status: number; body: OpenAiErrorBody } {
  let message = err instanceof Error ? err.message : String(err);
  let status: number;
  let code: string | null;
  let param: string | null = null;
  const undecodable = err instanceof AmanuensisError ? formatWithoutDecoder(err) : undefined;
  if (undecodable !== undefined) {
    // the library's advice (install ffmpeg) is for whoever runs the server, not its clients
    status = 415;
    code = 'ERR_AUDIO_DECODE';
    param = 'file';
    message = `unsupported media type: this server cannot decode ${undecodable}`;
  } else if (err instanceof AmanuensisError) {
    const e = err as RequestError;
    status = e.status ?? statusOfCode(e.code);
    code = e.code;
    param = e.param ?? null;
  } else {
    const e = err as { statusCode?: unknown; code?: unknown };
    status = typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 600 ? e.statusCode : 500;
    code = typeof e.code === 'string' ? e.code : null;
  }
  const type = status < 500 ? 'invalid_request_error' : 'server_error';
  return { status, body: { error: { message, type, param, code } } };
}
