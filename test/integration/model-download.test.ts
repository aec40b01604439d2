/**
 * Models by name, downloaded from a local HTTP server (test/helpers/model-server.ts) into a
 * temporary cache: the whole path to a transcription, resuming, a server without Range, HTTP
 * errors, size and checksum mismatches, a server that stalls, file system errors, a throwing
 * progress callback, concurrent loaders, cancellation, quantized names, and working offline.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { decodeAudioFile } from '../../src/audio/audio-file.js';
import { AmanuensisError } from '../../src/errors.js';
import { downloadFile } from '../../src/models/download.js';
import { downloadModel } from '../../src/models/model-cache.js';
import type { ModelDownloadProgress } from '../../src/models/options.js';
import type { ModelEntry } from '../../src/models/registry.js';
import { Transcriber } from '../../src/transcriber.js';
import { ModelServer } from '../helpers/model-server.js';
import { JFK_WAV, SYNTHETIC_MODEL, SYNTHETIC_MODEL_Q5_1 } from '../helpers/shared.js';

/** The synthetic model's SHA-256 as ../shared/models/README.md publishes it. */
const SYNTHETIC_SHA256 = 'de651d498cb0adf42b499e70e77d5a2aacf25504f37bd3e63ffdd2b18eecc2df';
const MIB = 1 << 20;
/** A 4 MiB file for the download mechanics (a whole model would only make them slower): the GGML magic, then noise. */
const BLOB = Buffer.from(Array.from({ length: 4 * MIB }, (_, i) => (i * 2654435761) >>> 24));
BLOB.write('lmgg', 'latin1');
const sha = (algorithm: 'sha256' | 'sha1', bytes: Buffer): string => createHash(algorithm).update(bytes).digest('hex');

let server: ModelServer;
let dir: string;

beforeEach(async () => {
  server = await ModelServer.start({ '/ggml-blob.bin': BLOB });
  dir = mkdtempSync(join(tmpdir(), 'amanuensis-models-'));
});

afterEach(async () => {
  await server.close();
});

/** The options naming the blob on the test server, with `facts` (checksum, size) as its registry entry. */
function blob(facts: Partial<ModelEntry> = {}): { modelsDir: string; customModels: ModelEntry[] } {
  return { modelsDir: dir, customModels: [{ name: 'blob', url: `${server.baseUrl}/ggml-blob.bin`, sha256: sha('sha256', BLOB), ...facts }] };
}

async function rejection(p: Promise<unknown>): Promise<AmanuensisError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(AmanuensisError);
  return err as AmanuensisError;
}

describe('a model by name', () => {
  let jfk: Float32Array;
  beforeAll(async () => {
    jfk = (await decodeAudioFile(JFK_WAV)).samples;
  });

  it('is downloaded into the cache with progress, then loads and transcribes as the file itself; later loads use the cache, offline', async () => {
    const bytes = readFileSync(SYNTHETIC_MODEL);
    await server.close();
    server = await ModelServer.start({ '/ggml-synthetic-tiny.en.bin': bytes });
    const options = {
      modelsDir: dir, threads: 2,
      customModels: [{ name: 'synthetic-tiny.en', url: `${server.baseUrl}/ggml-synthetic-tiny.en.bin`, sha256: SYNTHETIC_SHA256 }],
    };
    const progress: ModelDownloadProgress[] = [];
    const named = await Transcriber.load('synthetic-tiny.en', { ...options, onDownloadProgress: (p) => progress.push(p) });
    const direct = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2 });
    try {
      expect(readdirSync(dir)).toEqual(['ggml-synthetic-tiny.en.bin']);
      expect(readFileSync(join(dir, 'ggml-synthetic-tiny.en.bin')).equals(bytes)).toBe(true);
      expect(progress[0]).toEqual({ model: 'synthetic-tiny.en', bytesDone: 0, bytesTotal: bytes.length });
      expect(progress.at(-1)).toEqual({ model: 'synthetic-tiny.en', bytesDone: bytes.length, bytesTotal: bytes.length });
      expect(progress.every((p, i) => i === 0 || p.bytesDone > progress[i - 1]!.bytesDone)).toBe(true);
      expect(named.modelId).toBe(direct.modelId);
      const fast = { temperature: 0, sampleLen: 24 } as const;
      expect((await named.transcribe(jfk, fast)).text).toBe((await direct.transcribe(jfk, fast)).text);
    } finally {
      named.close();
      direct.close();
    }
    expect(server.requests).toHaveLength(1);

    await server.close();
    const offline = await Transcriber.load('synthetic-tiny.en', { ...options, download: false });
    offline.close();
    const again = await Transcriber.load('synthetic-tiny.en', options);
    again.close();
    expect(server.requests).toHaveLength(1);
  });
});

describe('downloading', () => {
  it('a connection cut mid-file is resumed with a Range request for the rest only', async () => {
    server.behaviour = { cutAfter: MIB, cuts: 1 };
    const path = await downloadModel('blob', blob());
    expect(readFileSync(path).equals(BLOB)).toBe(true);
    const [first, second, ...more] = server.requestsFor('/ggml-blob.bin');
    expect(more).toEqual([]);
    expect(first).toMatchObject({ range: undefined, sent: MIB });
    // what reached the disk: a web stream that errors drops the chunks still queued in it
    const kept = Number(/^bytes=(\d+)-$/.exec(second!.range ?? '')?.[1]);
    expect(kept).toBeGreaterThan(MIB / 2);
    expect(kept).toBeLessThanOrEqual(MIB);
    expect(second!.sent).toBe(BLOB.length - kept);
  });

  it('an AbortSignal stops it mid-file with ERR_ABORTED, keeping the partial file that the next download resumes', async () => {
    server.behaviour = { stallAfter: MIB };
    const abort = new AbortController();
    const err = await rejection(downloadModel('blob', {
      ...blob(), signal: abort.signal, onDownloadProgress: (p) => { if (p.bytesDone >= MIB) abort.abort(); },
    }));
    expect(err.code).toBe('ERR_ABORTED');
    expect(existsSync(join(dir, 'ggml-blob.bin'))).toBe(false);
    const kept = statSync(join(dir, 'ggml-blob.bin.partial')).size;
    expect(kept).toBeGreaterThan(0);

    server.behaviour = {};
    const path = await downloadModel('blob', blob());
    expect(readFileSync(path).equals(BLOB)).toBe(true);
    expect(server.requestsFor('/ggml-blob.bin').at(-1)).toMatchObject({ range: `bytes=${kept}-`, ifRange: ModelServer.etag(BLOB), sent: BLOB.length - kept });
    expect(readdirSync(dir)).toEqual(['ggml-blob.bin']);
  });

  it('a file changed on the server since the partial file was written is fetched whole, not spliced onto the old part', async () => {
    server.behaviour = { stallAfter: MIB };
    const abort = new AbortController();
    // no checksum: the size is all that would be checked, and both versions have the same size
    const options = blob({ sha256: undefined });
    await rejection(downloadModel('blob', { ...options, signal: abort.signal, onDownloadProgress: (p) => { if (p.bytesDone >= MIB) abort.abort(); } }));
    const newer = Buffer.from(BLOB.map((b, i) => (i < 4 ? b : b ^ 0xff)));
    server.replace('/ggml-blob.bin', newer);
    server.behaviour = {};
    const path = await downloadModel('blob', options);
    expect(server.requestsFor('/ggml-blob.bin').at(-1)).toMatchObject({ range: expect.stringMatching(/^bytes=\d+-$/), ifRange: ModelServer.etag(BLOB), sent: newer.length });
    expect(readFileSync(path).equals(newer)).toBe(true);
    expect(readdirSync(dir)).toEqual(['ggml-blob.bin']);
  });

  it('a server that ignores Range (200) is read from the start, over the partial file', async () => {
    writeFileSync(join(dir, 'ggml-blob.bin.partial'), Buffer.alloc(1000, 0xee));
    server.behaviour = { ignoreRange: true };
    const path = await downloadModel('blob', blob());
    expect(server.requestsFor('/ggml-blob.bin')).toMatchObject([{ range: 'bytes=1000-', sent: BLOB.length }]);
    expect(readFileSync(path).equals(BLOB)).toBe(true);
  });

  it('HTTP 404: ERR_MODEL_DOWNLOAD naming the URL and where to put the file by hand; nothing left behind', async () => {
    const url = `${server.baseUrl}/ggml-missing.bin`;
    const err = await rejection(downloadModel('missing', { modelsDir: dir, customModels: [{ name: 'missing', url }] }));
    expect(err.code).toBe('ERR_MODEL_DOWNLOAD');
    expect(err.message).toContain('HTTP 404');
    expect(err.message).toContain(url);
    expect(err.message).toContain(join(dir, 'ggml-missing.bin'));
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a checksum mismatch (SHA-256, or SHA-1 when that is all that is published): ERR_MODEL_DOWNLOAD and nothing left behind', async () => {
    for (const facts of [{ sha256: sha('sha256', Buffer.from('another file')) }, { sha256: undefined, sha1: sha('sha1', Buffer.from('another file')) }]) {
      const err = await rejection(downloadModel('blob', blob(facts)));
      expect(err.code).toBe('ERR_MODEL_DOWNLOAD');
      expect(err.message).toMatch(/checksum mismatch: the sha(256|1) of the downloaded file is [0-9a-f]+, the published one is [0-9a-f]+/);
      expect(readdirSync(dir)).toEqual([]);
    }
    // the right SHA-1 alone passes
    expect(readFileSync(await downloadModel('blob', blob({ sha256: undefined, sha1: sha('sha1', BLOB) }))).equals(BLOB)).toBe(true);
  });

  it('a page that is not a model file (an error page sent with 200): ERR_MODEL_DOWNLOAD and nothing left behind', async () => {
    const page = Buffer.from('<!doctype html><title>Sign in to the network</title>');
    server.replace('/ggml-blob.bin', page);
    const err = await rejection(downloadModel('blob', blob({ sha256: undefined })));
    expect(err.code).toBe('ERR_MODEL_DOWNLOAD');
    expect(err.message).toContain('the server sent something else than the file (it starts with "<!do")');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a size other than the published one is refused before a byte is written', async () => {
    const err = await rejection(downloadModel('blob', blob({ bytes: BLOB.length + 1 })));
    expect(err.code).toBe('ERR_MODEL_DOWNLOAD');
    expect(err.message).toContain(`the server announces ${BLOB.length} bytes, the published size is ${BLOB.length + 1}`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a chunked body (no Content-Length) is held to the published size: a shorter one is refused and removed', async () => {
    server.behaviour = { chunked: true };
    const err = await rejection(downloadModel('blob', blob({ sha256: undefined, bytes: BLOB.length + 1 })));
    expect(err.code).toBe('ERR_MODEL_DOWNLOAD');
    expect(err.message).toContain(`the server sent ${BLOB.length} bytes, the published size is ${BLOB.length + 1}; the file was removed`);
    expect(readdirSync(dir)).toEqual([]);
    // the right size passes
    expect(readFileSync(await downloadModel('blob', blob({ sha256: undefined, bytes: BLOB.length }))).equals(BLOB)).toBe(true);
  });

  it('a server that stops sending mid-file is cut after the stall timeout and resumed from where the file got to', async () => {
    server.behaviour = { stallAfter: MIB, stalls: 1 };
    const path = join(dir, 'ggml-blob.bin');
    await downloadFile({ url: `${server.baseUrl}/ggml-blob.bin`, path, sha256: sha('sha256', BLOB), stallTimeoutMs: 200, hint: '' });
    expect(readFileSync(path).equals(BLOB)).toBe(true);
    const [first, second, ...more] = server.requestsFor('/ggml-blob.bin');
    expect(more).toEqual([]);
    expect(first).toMatchObject({ range: undefined, sent: MIB });
    const kept = Number(/^bytes=(\d+)-$/.exec(second!.range ?? '')?.[1]);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(MIB);
  });

  it('a server that sends no byte of the body: ERR_MODEL_DOWNLOAD after the stall timeout, not a hang', async () => {
    server.behaviour = { stallAfter: 0 };
    const err = await rejection(downloadFile({ url: `${server.baseUrl}/ggml-blob.bin`, path: join(dir, 'ggml-blob.bin'), stallTimeoutMs: 200, hint: '' }));
    expect(err.code).toBe('ERR_MODEL_DOWNLOAD');
    expect(err.message).toMatch(/the server sent (no response within|nothing for) 200 ms/);
    expect(existsSync(join(dir, 'ggml-blob.bin'))).toBe(false);
  });

  it('a file system error (the models directory under a regular file: ENOTDIR) is ERR_MODEL_DOWNLOAD with the cause', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'not a directory');
    const direct = await rejection(downloadFile({ url: `${server.baseUrl}/ggml-blob.bin`, path: join(file, 'sub', 'ggml-blob.bin'), hint: '' }));
    expect(direct.code).toBe('ERR_MODEL_DOWNLOAD');
    expect(direct.cause).toMatchObject({ code: 'ENOTDIR' });
    const byName = await rejection(downloadModel('blob', { ...blob(), modelsDir: join(file, 'sub') }));
    expect(byName.code).toBe('ERR_MODEL_DOWNLOAD');
    expect(byName.cause).toMatchObject({ code: 'ENOTDIR' });
  });

  it('a progress callback that throws (at the start, or mid-file) stops the download with ERR_MODEL_DOWNLOAD and closes the connection', async () => {
    // the server never ends the body by itself: only the client's cancel closes the connection
    server.behaviour = { stallAfter: 2 * MIB };
    for (const throwAt of [0, MIB / 2]) {
      const thrown = new Error('the progress display broke');
      const err = await rejection(downloadModel('blob', {
        ...blob(), onDownloadProgress: (p) => { if (p.bytesDone >= throwAt) throw thrown; },
      }));
      expect(err.code).toBe('ERR_MODEL_DOWNLOAD');
      expect(err.cause).toBe(thrown);
      await server.requests.at(-1)!.closed;
    }
    expect(existsSync(join(dir, 'ggml-blob.bin'))).toBe(false);
  });

  it('two concurrent loaders: one download, and both get the file', async () => {
    const [a, b] = await Promise.all([downloadModel('blob', blob()), downloadModel('blob', blob())]);
    expect(a).toBe(b);
    expect(server.requestsFor('/ggml-blob.bin')).toHaveLength(1);
    expect(readFileSync(a).equals(BLOB)).toBe(true);
    expect(readdirSync(dir)).toEqual(['ggml-blob.bin']);
  });
});

describe('the lock', () => {
  it('a second loader in this process, told it waits for the first one\'s download, stops with ERR_ABORTED when its signal fires; the download goes on', async () => {
    server.behaviour = { holdAfter: MIB };
    const first = downloadModel('blob', blob());
    // the first holds the lock from before its request
    while (server.requests.length === 0) await delay(10);
    const abort = new AbortController();
    const waitedFor: string[] = [];
    // aborted only once it is waiting on the lock: an abort before would end it by another path
    const waiting = downloadModel('blob', { ...blob(), signal: abort.signal, onWaitingForDownload: (model) => { waitedFor.push(model); abort.abort(); } });
    expect((await rejection(waiting)).code).toBe('ERR_ABORTED');
    expect(waitedFor).toEqual(['blob']);
    server.release();
    expect(readFileSync(await first).equals(BLOB)).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it('a lock left by a process that died (not refreshed within the stale time) is taken over', async () => {
    const lock = join(dir, 'ggml-blob.bin.lock');
    mkdirSync(lock);
    const longAgo = new Date(Date.now() - 60_000);
    utimesSync(lock, longAgo, longAgo);
    expect(readFileSync(await downloadModel('blob', blob())).equals(BLOB)).toBe(true);
    expect(readdirSync(dir)).toEqual(['ggml-blob.bin']);
  });
});

describe('offline without the file', () => {
  it('download: false: ERR_MODEL_DOWNLOAD with the URL, the cache path and the command, and no request', async () => {
    const err = await rejection(Transcriber.load('blob', { ...blob(), download: false }));
    expect(err.code).toBe('ERR_MODEL_DOWNLOAD');
    expect(err.message).toContain(`${server.baseUrl}/ggml-blob.bin`);
    expect(err.message).toContain(join(dir, 'ggml-blob.bin'));
    expect(err.message).toContain('amanuensis models download blob');
    expect(server.requests).toEqual([]);
  });

  it('an unreachable server: ERR_MODEL_DOWNLOAD with the URL and where to put the file by hand', async () => {
    const options = blob();
    await server.close();
    const err = await rejection(downloadModel('blob', options));
    expect(err.code).toBe('ERR_MODEL_DOWNLOAD');
    expect(err.message).toContain('cannot reach the server (ECONNREFUSED)');
    expect(err.message).toContain(`download ${options.customModels[0]!.url} and save it as ${join(dir, 'ggml-blob.bin')}`);
  });
});

describe('quantized models', () => {
  it('a quantized name (tiny.en-q5_1) is downloaded once, then loads and transcribes as the file itself', async () => {
    const bytes = readFileSync(SYNTHETIC_MODEL_Q5_1);
    server.replace('/ggml-tiny.en-q5_1.bin', bytes);
    const options = { modelsDir: dir, modelsBaseUrl: server.baseUrl, threads: 2 };
    const named = await Transcriber.load('tiny.en-q5_1', options);
    const direct = await Transcriber.load(SYNTHETIC_MODEL_Q5_1, { threads: 2 });
    try {
      expect(readdirSync(dir)).toEqual(['ggml-tiny.en-q5_1.bin']);
      expect(readFileSync(join(dir, 'ggml-tiny.en-q5_1.bin')).equals(bytes)).toBe(true);
      expect(named.modelId).toBe(direct.modelId);
      const jfk = (await decodeAudioFile(JFK_WAV)).samples;
      const fast = { temperature: 0, sampleLen: 24 } as const;
      expect((await named.transcribe(jfk, fast)).text).toBe((await direct.transcribe(jfk, fast)).text);
    } finally {
      named.close();
      direct.close();
    }
    (await Transcriber.load('tiny.en-q5_1', { ...options, download: false })).close();
    expect(server.requests).toHaveLength(1);
  });

  it('a name that says a quantization the loader does not compute with is refused before any download; downloadModel still fetches it', async () => {
    server.replace('/ggml-mine-q3_0.bin', BLOB);
    const options = { modelsDir: dir, customModels: [{ name: 'mine-q3_0', url: `${server.baseUrl}/ggml-mine-q3_0.bin` }] };
    const refused = await rejection(Transcriber.load('mine-q3_0', options));
    expect(refused.code).toBe('ERR_MODEL_UNSUPPORTED_TENSOR_TYPE');
    expect(refused.message).toContain('quantized as q3_0, which amanuensis does not compute with');
    expect(server.requests).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);

    const path = await downloadModel('mine-q3_0', options);
    expect(readFileSync(path).equals(BLOB)).toBe(true);
    // cached, it is still refused by name, without reading it
    expect((await rejection(Transcriber.load('mine-q3_0', options))).code).toBe('ERR_MODEL_UNSUPPORTED_TENSOR_TYPE');
    expect(server.requests).toHaveLength(1);
  });
});

describe('names that are not models', () => {
  it('an unknown name: ERR_INVALID_ARGUMENT listing the close names', async () => {
    const typo = await rejection(Transcriber.load('base-en', { modelsDir: dir }));
    expect(typo.code).toBe('ERR_INVALID_ARGUMENT');
    expect(typo.message).toMatch(/Close names: base\.en\b/);
    expect((await rejection(Transcriber.load('large-v3turbo', { modelsDir: dir }))).message).toMatch(/Close names: large-v3-turbo\b/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a missing ggml-<name>.bin file: ERR_MODEL_NOT_FOUND naming the command that fetches it', async () => {
    const err = await rejection(Transcriber.load(join(dir, 'ggml-base.en.bin')));
    expect(err.code).toBe('ERR_MODEL_NOT_FOUND');
    expect(err.message).toContain('amanuensis models download base.en');
  });
});
