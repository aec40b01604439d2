/**
 * Downloading one file with Node's fetch: into `<file>.partial`, resumed with an HTTP Range
 * request from the partial file's size (a server that ignores Range and answers 200 is read from
 * the start), checked against the size the server announces and the checksum when one is known
 * (hashed while streaming; a resumed file's earlier part is read back into the hash first), then
 * renamed into place, so that a half file never has the final name. A resumed request carries
 * If-Range with the version the partial file holds (see partial-version.ts). A server that stops
 * sending is cut after a spell of silence (see stall-watch.ts) and resumed like a dropped
 * connection. Every failure is an `AmanuensisError`: a file system error too (a read-only or
 * full disk), with the original as `cause`.
 * @module
 */
import { createHash, type Hash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, stat } from 'node:fs/promises';
import { finished } from 'node:stream/promises';

import { AmanuensisError, abortError } from '../errors.js';
import { discardPartial, forgetVersion, saveVersion, savedVersion } from './partial-version.js';
import { STALL_TIMEOUT_MS, StallWatch } from './stall-watch.js';

/** What to fetch, where to put it, and what it must be. */
export interface FileDownload {
  readonly url: string;
  /** The final path; the bytes go to `<path>.partial` until they are verified. */
  readonly path: string;
  /** Expected SHA-256 (lowercase hex), checked when given. */
  readonly sha256?: string;
  /** Expected SHA-1 (lowercase hex), checked when no SHA-256 is given. */
  readonly sha1?: string;
  /** Expected size in bytes, checked against the server's announcement when given, and against the file received. */
  readonly bytes?: number;
  /** The bytes every good file starts with (a format's magic): anything else, such as an error page sent with 200, is removed. */
  readonly startsWith?: Uint8Array;
  /** Bytes in the partial file, and the whole file's size when the server announced it. If it throws, the download stops with `ERR_MODEL_DOWNLOAD` (the error as `cause`). */
  readonly onProgress?: (bytesDone: number, bytesTotal: number | undefined) => void;
  /** Silence from the server (no response, or no body bytes) longer than this cuts the attempt. Default {@link STALL_TIMEOUT_MS}. */
  readonly stallTimeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Appended to every error message: where the file would go by hand. */
  readonly hint: string;
}

/** A connection cut mid-body is resumed this many times in one call, each time from where the file got to. */
const ATTEMPTS = 5;

/** The partial file of a download to `path`. */
export const partialPath = (path: string): string => `${path}.partial`;

/**
 * Downloads `d.url` to `d.path`, resuming a partial file left by an earlier attempt.
 * @throws {@link AmanuensisError} `ERR_MODEL_DOWNLOAD` (HTTP error, unreachable or silent server,
 *   size or checksum mismatch: a mismatching file is removed; a file system error; a throwing
 *   `onProgress`), `ERR_ABORTED` (the partial file is kept)
 */
export async function downloadFile(d: FileDownload): Promise<void> {
  try {
    await downloadResuming(d);
  } catch (err) {
    if (err instanceof AmanuensisError) throw err;
    // the file system's errors (EACCES, ENOSPC, ENOTDIR...) name the path and the reason
    throw downloadError(d, (err as Error)?.message ?? String(err), err);
  }
}

async function downloadResuming(d: FileDownload): Promise<void> {
  const partial = partialPath(d.path);
  for (let attempt = 1; ; attempt++) {
    const stall = new StallWatch(d.stallTimeoutMs ?? STALL_TIMEOUT_MS);
    const outcome = await downloadAttempt(d, partial, stall).finally(() => stall.stop());
    if (outcome.done) {
      await verifyAndInstall(d, partial, outcome.digest);
      return;
    }
    // a cut after some bytes arrived is resumed; one that got nothing through is not a passing glitch
    if (!outcome.progressed || attempt === ATTEMPTS) throw outcome.error;
  }
}

type Outcome =
  | { readonly done: true; readonly digest: string | undefined }
  | { readonly done: false; readonly progressed: boolean; readonly error: AmanuensisError };

/** The checksum to verify: SHA-256 when known, else SHA-1, else none. */
function checksum(d: FileDownload): { algorithm: 'sha256' | 'sha1'; expected: string } | undefined {
  if (d.sha256 !== undefined) return { algorithm: 'sha256', expected: d.sha256 };
  if (d.sha1 !== undefined) return { algorithm: 'sha1', expected: d.sha1 };
  return undefined;
}

async function downloadAttempt(d: FileDownload, partial: string, stall: StallWatch): Promise<Outcome> {
  const offset = await fileSize(partial);
  const response = await request(d, offset, offset > 0 ? await savedVersion(partial) : undefined, stall);
  try {
    return await readResponse(d, partial, response, offset, stall);
  } catch (err) {
    // a body left unread would hold the connection open; one already read or cancelled refuses this, harmlessly
    await response.body?.cancel().catch(() => undefined);
    throw err;
  }
}

async function readResponse(d: FileDownload, partial: string, response: Response, requestedOffset: number, stall: StallWatch): Promise<Outcome> {
  let offset = requestedOffset;
  if (response.status === 416 && offset > 0) {
    // the partial file is not a prefix of what the server has (it is as long or longer): start over
    await response.body?.cancel();
    await discardPartial(partial);
    return { done: false, progressed: true, error: downloadError(d, 'the server refused to resume the partial file') };
  }
  if (response.status !== 200 && response.status !== 206) {
    await response.body?.cancel();
    return failed(downloadError(d, `the server answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`));
  }
  let total: number | undefined;
  if (response.status === 206) {
    const range = parseContentRange(response.headers.get('content-range'));
    if (range?.start !== offset) {
      await response.body?.cancel();
      await discardPartial(partial);
      return { done: false, progressed: true, error: downloadError(d, 'the server resumed from another offset than asked') };
    }
    total = range.total;
  } else {
    // the whole file (a server that ignores Range, or a fresh download)
    offset = 0;
    total = contentLength(response.headers.get('content-length'));
  }
  if (total !== undefined && d.bytes !== undefined && total !== d.bytes) {
    await response.body?.cancel();
    await discardPartial(partial);
    throw downloadError(d, `the server announces ${total} bytes, the published size is ${d.bytes}`);
  }
  if (response.body === null) return failed(downloadError(d, 'the server sent no body'));
  if (offset === 0) await saveVersion(partial, response.headers);
  const sum = checksum(d);
  const hash = sum === undefined ? undefined : createHash(sum.algorithm);
  if (hash !== undefined && offset > 0) await hashPrefix(partial, offset, hash, d.signal);
  return receive(d, partial, response.body, { offset, total, hash, stall });
}

async function request(d: FileDownload, offset: number, version: string | undefined, stall: StallWatch): Promise<Response> {
  stall.restart();
  try {
    return await fetch(d.url, {
      headers: {
        // identity: the announced sizes are the file's, not those of a compressed transfer
        'accept-encoding': 'identity',
        ...(offset > 0 && { range: `bytes=${offset}-` }),
        ...(offset > 0 && version !== undefined && { 'if-range': version }),
      },
      redirect: 'follow',
      signal: d.signal === undefined ? stall.signal : AbortSignal.any([d.signal, stall.signal]),
    });
  } catch (err) {
    if (d.signal?.aborted) throw abortError(d.signal);
    if (stall.fired) throw downloadError(d, `the server sent no response within ${stall.ms} ms`, err);
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw downloadError(d, `cannot reach the server (${cause?.code ?? cause?.message ?? (err as Error).message})`, err);
  } finally {
    // the countdown resumes when the body is awaited, after this side's own disk work
    stall.stop();
  }
}

/** Where a body is appended, and what watches it. */
interface Receiving {
  /** Bytes already in the partial file. */
  readonly offset: number;
  /** The whole file's size, when announced. */
  readonly total: number | undefined;
  readonly hash: Hash | undefined;
  readonly stall: StallWatch;
}

/**
 * Streams the body into the partial file (appending after `offset` bytes), reporting progress.
 * Every byte received is on disk before this returns, even when the connection fails or the
 * signal fires: the next attempt resumes from all of them.
 */
async function receive(d: FileDownload, partial: string, body: ReadableStream<Uint8Array>, { offset, total, hash, stall }: Receiving): Promise<Outcome> {
  let done = offset;
  const report = (): AmanuensisError | undefined => {
    try {
      d.onProgress?.(done, total);
      return undefined;
    } catch (err) {
      return downloadError(d, `the progress callback threw (${(err as Error)?.message ?? String(err)})`, err);
    }
  };
  let callbackError = report();
  if (callbackError !== undefined) throw callbackError;
  const out = createWriteStream(partial, { flags: offset > 0 ? 'a' : 'w' });
  let received: unknown;
  stall.restart();
  try {
    for await (const chunk of body) {
      stall.stop();
      hash?.update(chunk);
      done += chunk.length;
      if (!out.write(chunk)) await once(out, 'drain');
      callbackError = report();
      // leaving the loop cancels the body
      if (callbackError !== undefined) break;
      stall.restart();
    }
  } catch (err) {
    received = err;
  }
  stall.stop();
  out.end();
  try {
    await finished(out);
  } catch (err) {
    throw downloadError(d, `cannot write '${partial}' (${(err as Error).message})`, err);
  }
  if (callbackError !== undefined) throw callbackError;
  if (d.signal?.aborted) throw abortError(d.signal);
  if (received !== undefined && stall.fired) {
    return { done: false, progressed: done > offset, error: downloadError(d, `the server sent nothing for ${stall.ms} ms, after ${done} bytes`, received) };
  }
  if (received !== undefined) {
    return { done: false, progressed: done > offset, error: downloadError(d, `the connection failed after ${done} bytes (${(received as Error).message})`, received) };
  }
  if (total !== undefined && done < total) {
    return { done: false, progressed: done > offset, error: downloadError(d, `the connection ended after ${done} of ${total} bytes`) };
  }
  if (total !== undefined && done > total) {
    await discardPartial(partial);
    throw downloadError(d, `the server sent ${done} bytes, more than the ${total} it announced; the file was removed`);
  }
  return { done: true, digest: hash?.digest('hex') };
}

/** Gives the complete partial file the final name if it starts as it must and its checksum (when one is known) is the expected one. */
async function verifyAndInstall(d: FileDownload, partial: string, digest: string | undefined): Promise<void> {
  // a server that announced no size (a chunked body) is held to the published one here
  if (d.bytes !== undefined) {
    const size = await fileSize(partial);
    if (size !== d.bytes) {
      await discardPartial(partial);
      throw downloadError(d, `the server sent ${size} bytes, the published size is ${d.bytes}; the file was removed`);
    }
  }
  if (d.startsWith !== undefined) {
    const head = await readHead(partial, d.startsWith.length);
    if (!head.equals(d.startsWith)) {
      await discardPartial(partial);
      throw downloadError(d, `the server sent something else than the file (it starts with ${JSON.stringify(head.toString('latin1'))}); it was removed`);
    }
  }
  const sum = checksum(d);
  if (sum !== undefined && digest !== sum.expected) {
    await discardPartial(partial);
    throw downloadError(d, `checksum mismatch: the ${sum.algorithm} of the downloaded file is ${digest}, the published one is ${sum.expected}; the file was removed`);
  }
  await rename(partial, d.path);
  await forgetVersion(partial);
}

/** Feeds the first `length` bytes of a partial file (kept from an earlier attempt) to the hash. */
async function hashPrefix(path: string, length: number, hash: Hash, signal: AbortSignal | undefined): Promise<void> {
  try {
    for await (const chunk of createReadStream(path, { start: 0, end: length - 1, ...(signal !== undefined && { signal }) })) {
      hash.update(chunk as Buffer);
    }
  } catch (err) {
    if (signal?.aborted) throw abortError(signal);
    throw err;
  }
}

async function readHead(path: string, length: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(length);
    const { bytesRead } = await handle.read(head, 0, length, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
}

function parseContentRange(header: string | null): { start: number; total: number | undefined } | undefined {
  const m = header === null ? null : /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header.trim());
  if (m === null) return undefined;
  return { start: Number(m[1]), total: m[3] === '*' ? undefined : Number(m[3]) };
}

function contentLength(header: string | null): number | undefined {
  return header !== null && /^\d+$/.test(header.trim()) ? Number(header) : undefined;
}

function failed(error: AmanuensisError): Outcome {
  return { done: false, progressed: false, error };
}

function downloadError(d: FileDownload, what: string, cause?: unknown): AmanuensisError {
  return new AmanuensisError('ERR_MODEL_DOWNLOAD', `downloading ${d.url}: ${what}. ${d.hint}`, cause === undefined ? undefined : { cause });
}
