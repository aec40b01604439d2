/**
 * Reads a transcription request's multipart body (@fastify/multipart): the one `file` part
 * into memory, every text field by name. The multipart layer's limit and format errors become
 * typed `RequestError`s with the status they call for.
 */
import type { FastifyRequest } from 'fastify';

import { requestError } from './openai-errors.js';
import type { FormFields } from './openai-transcription-request.js';

/** The body of a transcription request. */
export interface TranscriptionForm {
  /** The bytes of the `file` part (an audio file). */
  readonly file: Uint8Array;
  /** Every text field, by name. */
  readonly fields: FormFields;
}

/** A @fastify/multipart error code, for the few that need their own message or status. */
function frameworkCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** The multipart layer's failure as the client should see it. */
function asRequestError(err: unknown, maxFileBytes: number): unknown {
  const status = (err as { statusCode?: unknown }).statusCode;
  if (typeof status !== 'number' || status >= 500) return err;
  const code = frameworkCode(err);
  if (code === 'FST_REQ_FILE_TOO_LARGE') {
    return requestError('ERR_INVALID_ARGUMENT', `the file is larger than this server's limit of ${maxFileBytes} bytes`, { status: 413, param: 'file', cause: err });
  }
  if (code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') {
    return requestError('ERR_INVALID_ARGUMENT', 'the body must be multipart/form-data', { status: 415, cause: err });
  }
  return requestError('ERR_INVALID_ARGUMENT', (err as Error).message, { status, cause: err });
}

/**
 * Reads the whole body.
 * @param request - a request of a fastify instance with @fastify/multipart registered
 * @param maxFileBytes - the upload limit the plugin was registered with (for the 413 message)
 * @throws `RequestError` `ERR_INVALID_ARGUMENT`: 400 for a missing `file` or a file part
 *   under another name, 413 past the size or part-count limits, 415 for a body that is not multipart
 */
export async function readTranscriptionForm(request: FastifyRequest, maxFileBytes: number): Promise<TranscriptionForm> {
  let file: Uint8Array | undefined;
  const fields: Record<string, string[]> = {};
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file') throw requestError('ERR_INVALID_ARGUMENT', `unexpected file field '${part.fieldname}': the audio goes in 'file'`, { param: part.fieldname });
        file = await part.toBuffer();
      } else {
        (fields[part.fieldname] ??= []).push(String(part.value));
      }
    }
  } catch (err) {
    throw asRequestError(err, maxFileBytes);
  }
  if (file === undefined) throw requestError('ERR_INVALID_ARGUMENT', "the multipart field 'file' is required", { param: 'file' });
  return { file, fields };
}
