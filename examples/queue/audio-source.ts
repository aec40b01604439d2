/**
 * Reads a job's audio bytes from where its `source` points: an http(s) URL or a file path.
 * Failures that a retry can cure (the network, a server error, a busy server) are plain
 * errors; the rest are {@link AmanuensisError}s with code `ERR_AUDIO_DECODE`, which the
 * worker does not retry.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute } from 'node:path';

import { AmanuensisError } from '../../src/index.js';

/** Options of {@link readAudioSource}. */
export interface ReadAudioSourceOptions {
  /** Largest download accepted, in bytes. Default 200 MB. */
  readonly maxBytes?: number;
  /** Longest a download may take, in milliseconds. Default 120 000. */
  readonly timeoutMs?: number;
}

/** HTTP statuses worth retrying: the request timed out, was rate limited, or the server failed. */
function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Whether `source` names a URL (as opposed to a file path). */
export function isUrlSource(source: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(source);
}

/**
 * Checks the form of a job's source, as a producer does before enqueueing it.
 * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for a URL other than http(s), or a
 *   relative path (workers elsewhere would resolve it against their own directory)
 */
export function assertValidSource(source: unknown): asserts source is string {
  if (typeof source !== 'string' || source.length === 0) {
    throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'a job source must be a non-empty string (an http(s) URL or an absolute path)');
  }
  if (isUrlSource(source)) {
    const protocol = new URL(source).protocol;
    if (protocol !== 'http:' && protocol !== 'https:') {
      throw new AmanuensisError('ERR_INVALID_ARGUMENT', `unsupported URL scheme '${protocol}' in '${source}': use http or https`);
    }
  } else if (!isAbsolute(source)) {
    throw new AmanuensisError('ERR_INVALID_ARGUMENT', `'${source}' is a relative path: workers need an absolute path they can read`);
  }
}

async function download(url: string, maxBytes: number, timeoutMs: number): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    // the network or the server's host: worth another attempt later
    throw new Error(`cannot download '${url}': ${(err as Error).message}`, { cause: err });
  }
  if (!response.ok) {
    await response.body?.cancel();
    const message = `cannot download '${url}': HTTP ${response.status}`;
    if (isTransientStatus(response.status)) throw new Error(message);
    throw new AmanuensisError('ERR_AUDIO_DECODE', message);
  }
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw new AmanuensisError('ERR_AUDIO_DECODE', `'${url}' is ${declared} bytes, more than the ${maxBytes} allowed`);
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.byteLength > maxBytes) {
    throw new AmanuensisError('ERR_AUDIO_DECODE', `'${url}' is more than the ${maxBytes} bytes allowed`);
  }
  return bytes;
}

/**
 * The bytes of a job's audio.
 * @param source - an http(s) URL or an absolute path (see {@link assertValidSource})
 * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for a malformed source, `ERR_AUDIO_DECODE`
 *   for an unreadable file, an HTTP 4xx answer or an oversized download; a plain `Error` for a
 *   network failure, a timeout or an HTTP 408, 429 or 5xx answer (worth retrying)
 */
export async function readAudioSource(source: string, options: ReadAudioSourceOptions = {}): Promise<Uint8Array> {
  assertValidSource(source);
  if (isUrlSource(source)) return download(source, options.maxBytes ?? 200 * 1024 * 1024, options.timeoutMs ?? 120_000);
  try {
    return new Uint8Array(await readFile(source));
  } catch (err) {
    throw new AmanuensisError('ERR_AUDIO_DECODE', `cannot read audio file '${source}': ${(err as Error).message}`, { cause: err });
  }
}
