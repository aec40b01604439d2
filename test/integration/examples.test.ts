/**
 * The example servers, driven by real clients on localhost: the OpenAI-compatible HTTP
 * endpoint (fetch + multipart), the WebSocket streaming endpoint (the replayer client), and
 * the load test against the HTTP endpoint.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { FastifyInstance } from 'fastify';
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';

import { createHttpServer, type TranscriptionOutcome } from '../../examples/http-server.js';
import { runLevel } from '../../examples/load-test.js';
import { createStreamingServer } from '../../examples/streaming.js';
import { replay, type StreamedEvent } from '../../examples/streaming-replay.js';
import { toSrt, toVtt } from '../../src/formats/subtitles.js';
import { Transcriber } from '../../src/transcriber.js';
import type { TranscribeProgress } from '../../src/options.js';
import { FAKE_FFMPEG, M4A_3S } from '../helpers/audio-fixtures.js';
import { JFK_WAV, jfkSamplesReference, SYNTHETIC_MODEL } from '../helpers/shared.js';
import { repeated, wavBytes } from '../helpers/wav.js';

const decode = { temperature: 0, sampleLen: 24 } as const;
let t: Transcriber;
let app: FastifyInstance;
let base: string;
const jfkBytes = readFileSync(JFK_WAV);

beforeAll(async () => {
  t = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2, encoder: 'cpu' });
  app = await createHttpServer(t, { decode });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app.close();
});

type Fields = Record<string, string | readonly string[]>;

async function postTo(url: string, fields: Fields, file: Uint8Array | null = jfkBytes, signal?: AbortSignal): Promise<Response> {
  const form = new FormData();
  if (file !== null) form.set('file', new Blob([Uint8Array.from(file)]), 'jfk.wav');
  if (!('model' in fields)) form.set('model', 'whisper-1');
  for (const [k, v] of Object.entries(fields)) for (const value of typeof v === 'string' ? [v] : v) form.append(k, value);
  return fetch(`${url}/v1/audio/transcriptions`, { method: 'POST', body: form, ...(signal !== undefined && { signal }) });
}

const post = (fields: Fields, file: Uint8Array | null = jfkBytes): Promise<Response> => postTo(base, fields, file);

describe('examples/http-server.ts', () => {
  it('every response_format matches the library result for the same audio', async () => {
    const offline = await t.transcribe(jfkSamplesReference(), decode);
    const json = await post({ response_format: 'json' });
    expect(json.status).toBe(200);
    expect(await json.json()).toEqual({ text: offline.text });
    const text = await post({ response_format: 'text' });
    expect(await text.text()).toBe(offline.text.trim() + '\n');
    expect(await (await post({ response_format: 'srt' })).text()).toBe(toSrt(offline.segments));
    const vtt = await post({ response_format: 'vtt' });
    expect(vtt.headers.get('content-type')).toMatch(/^text\/vtt/);
    expect(await vtt.text()).toBe(toVtt(offline.segments));
    const verbose = await (await post({ response_format: 'verbose_json' })).json() as Record<string, unknown> & { segments: Record<string, unknown>[]; timings: Record<string, unknown> };
    expect(verbose).toMatchObject({ task: 'transcribe', language: 'english', duration: 11, text: offline.text });
    expect(verbose.segments.map((s) => s.text)).toEqual(offline.segments.map((s) => s.text));
    expect(Object.keys(verbose.segments[0]!)).toEqual(expect.arrayContaining(['avg_logprob', 'compression_ratio', 'no_speech_prob']));
    for (const k of ['melMs', 'encodeMs', 'decodeMs', 'totalMs']) expect(verbose.timings[k]).toBeGreaterThan(0);
  });

  it('bad requests get 400 with an OpenAI-style error carrying the typed code', async () => {
    const noFile = await post({}, null);
    expect(noFile.status).toBe(400);
    expect(await noFile.json()).toMatchObject({ error: { code: 'ERR_INVALID_ARGUMENT', type: 'invalid_request_error' } });
    const notAudio = await post({}, new TextEncoder().encode('not audio at all'));
    expect(notAudio.status).toBe(400);
    expect(await notAudio.json()).toMatchObject({ error: { code: 'ERR_AUDIO_DECODE' } });
    const badFormat = await post({ response_format: 'mp3' });
    expect(await badFormat.json()).toMatchObject({ error: { code: 'ERR_INVALID_ARGUMENT' } });
  });

  it('examples/load-test.ts: 4 concurrent clients all succeed', async () => {
    const level = await runLevel(base, jfkBytes, 'jfk.wav', 11, 4, 1);
    expect(level).toMatchObject({ clients: 4, requests: 4, succeeded: 4, successRate: 1, failures: {} });
    expect(level.p99Ms).toBeGreaterThanOrEqual(level.p50Ms);
  });
});

describe('examples/http-server.ts with the official openai client', () => {
  const client = (): OpenAI => new OpenAI({ baseURL: `${base}/v1`, apiKey: 'unused', maxRetries: 0 });
  const file = (): ReturnType<typeof toFile> => toFile(jfkBytes, 'jfk.wav');

  it('answers every response_format as the library transcribes the same audio', async () => {
    const offline = await t.transcribe(jfkSamplesReference(), decode);
    const transcriptions = client().audio.transcriptions;
    const json = await transcriptions.create({ file: await file(), model: 'whisper-1', response_format: 'json' });
    expect(json).toEqual({ text: offline.text });
    const text = await transcriptions.create({ file: await file(), model: 'whisper-1', response_format: 'text' });
    expect(text).toBe(offline.text.trim() + '\n');
    const srt = await transcriptions.create({ file: await file(), model: 'whisper-1', response_format: 'srt' });
    expect(srt).toBe(toSrt(offline.segments));
    const vtt = await transcriptions.create({ file: await file(), model: 'whisper-1', response_format: 'vtt' });
    expect(vtt).toBe(toVtt(offline.segments));
    const verbose = await transcriptions.create({ file: await file(), model: 'whisper-1', response_format: 'verbose_json', timestamp_granularities: ['segment'] });
    expect(verbose).toMatchObject({ language: 'english', duration: 11, text: offline.text });
    expect(verbose.segments!.map((s) => [s.id, s.start, s.end, s.text, s.tokens])).toEqual(offline.segments.map((s) => [s.id, s.start, s.end, s.text, s.tokens]));
    expect(verbose.segments!.map((s) => [s.avg_logprob, s.compression_ratio, s.no_speech_prob, s.temperature]))
      .toEqual(offline.segments.map((s) => [s.avgLogprob, s.compressionRatio, s.noSpeechProb, s.temperature]));
  });

  it("timestamp_granularities[] 'word': OpenAI's words array, the library's word timestamps", async () => {
    const offline = await t.transcribe(jfkSamplesReference(), { ...decode, wordTimestamps: true });
    const verbose = await client().audio.transcriptions.create({ file: await file(), model: 'whisper-1', response_format: 'verbose_json', timestamp_granularities: ['word', 'segment'] });
    const words = offline.segments.flatMap((s) => s.words!);
    expect(words.length).toBeGreaterThan(0);
    expect(verbose.words).toEqual(words.map((w) => ({ word: w.word.trim(), start: w.start, end: w.end })));
    expect(verbose.segments!.map((s) => [s.start, s.end, s.text])).toEqual(offline.segments.map((s) => [s.start, s.end, s.text]));
  });
});

describe('examples/http-server.ts request fields', () => {
  it('language: an ISO-639-1 code; unknown ones and ones the English-only model cannot do are 400s on `language`', async () => {
    const english = await post({ language: 'en' });
    expect(english.status).toBe(200);
    expect(await english.json()).toEqual({ text: (await t.transcribe(jfkSamplesReference(), { ...decode, language: 'en' })).text });
    for (const language of ['xx', 'english', '']) {
      const r = await post({ language });
      expect(r.status).toBe(400);
      expect(await r.json()).toEqual({ error: { message: expect.stringContaining('ISO-639-1'), type: 'invalid_request_error', param: 'language', code: 'ERR_INVALID_ARGUMENT' } });
    }
    const german = await post({ language: 'de' });
    expect(german.status).toBe(400);
    expect(await german.json()).toMatchObject({ error: { param: 'language', message: expect.stringContaining('English-only') } });
  });

  it('prompt is the initial prompt of the transcription', async () => {
    const prompt = 'Ask not what your country can do for you.';
    const r = await post({ prompt });
    expect(r.status).toBe(200);
    const prompted = await t.transcribe(jfkSamplesReference(), { ...decode, initialPrompt: prompt });
    const unprompted = await t.transcribe(jfkSamplesReference(), decode);
    expect(prompted.text).not.toBe(unprompted.text);
    expect(await r.json()).toEqual({ text: prompted.text });
  });

  it('temperature above 0 is the one sampling temperature; 0 keeps the server default; outside 0–1 is a 400', async () => {
    const settled = new Map<string, TranscriptionOutcome>();
    const server = await createHttpServer(t, { decode, onSettled: (id, outcome) => settled.set(id, outcome) });
    const url = await server.listen({ port: 0, host: '127.0.0.1' });
    try {
      const temperaturesOf = async (temperature: string): Promise<number[][]> => {
        const before = new Set(settled.keys());
        expect((await postTo(url, { temperature })).status).toBe(200);
        const outcome = [...settled].find(([id]) => !before.has(id))![1];
        if (!outcome.ok) throw outcome.error;
        return outcome.result.timings.windows.map((w) => [...w.temperatures]);
      };
      expect(await temperaturesOf('0.4')).toEqual([[0.4]]);
      expect(await temperaturesOf('0')).toEqual([[0]]);
      for (const temperature of ['1.5', '-0.1', 'hot', '']) {
        const r = await postTo(url, { temperature });
        expect(r.status).toBe(400);
        expect(await r.json()).toMatchObject({ error: { param: 'temperature', code: 'ERR_INVALID_ARGUMENT' } });
      }
    } finally {
      await server.close();
    }
  });

  it('timestamp_granularities[] need verbose_json; unknown fields, a missing model and stream=true are 400s naming the field', async () => {
    const cases: [Fields, string][] = [
      [{ 'timestamp_granularities[]': 'segment' }, 'timestamp_granularities[]'],
      [{ response_format: 'verbose_json', 'timestamp_granularities[]': 'sentence' }, 'timestamp_granularities[]'],
      [{ translate: 'true' }, 'translate'],
      [{ model: '' }, 'model'],
      [{ stream: 'true' }, 'stream'],
      [{ response_format: ['json', 'text'] }, 'response_format'],
      [{ response_format: 'mp3' }, 'response_format'],
    ];
    for (const [fields, param] of cases) {
      const r = await post(fields);
      expect(r.status, JSON.stringify(fields)).toBe(400);
      expect(await r.json()).toMatchObject({ error: { param, type: 'invalid_request_error', code: 'ERR_INVALID_ARGUMENT' } });
    }
    const segments = await post({ response_format: 'verbose_json', 'timestamp_granularities[]': 'segment' });
    expect(segments.status).toBe(200);
    expect((await segments.json() as { segments: unknown[] }).segments.length).toBeGreaterThan(0);
  });

  it('an upload over maxFileBytes is a 413 on `file`; a body that is not multipart is a 415', async () => {
    const server = await createHttpServer(t, { decode, maxFileBytes: 100_000 });
    const url = await server.listen({ port: 0, host: '127.0.0.1' });
    try {
      const tooLarge = await postTo(url, {});
      expect(jfkBytes.length).toBeGreaterThan(100_000);
      expect(tooLarge.status).toBe(413);
      expect(await tooLarge.json()).toEqual({ error: { message: expect.stringContaining('100000 bytes'), type: 'invalid_request_error', param: 'file', code: 'ERR_INVALID_ARGUMENT' } });
      const small = await postTo(url, {}, wavBytes(jfkSamplesReference().subarray(0, 16_000)));
      expect(small.status).toBe(200);
      const json = await fetch(`${url}/v1/audio/transcriptions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":"whisper-1"}' });
      expect(json.status).toBe(415);
      expect(await json.json()).toMatchObject({ error: { code: 'ERR_INVALID_ARGUMENT', type: 'invalid_request_error' } });
    } finally {
      await server.close();
    }
    await expect(createHttpServer(t, { maxFileBytes: 0 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(createHttpServer(t, { requestTimeoutMs: -1 })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
  });

  it('a format only ffmpeg decodes, on a server without ffmpeg, is a 415 naming the format; the client is not told to install anything', async () => {
    const saved = process.env.AMANUENSIS_FFMPEG;
    process.env.AMANUENSIS_FFMPEG = join(tmpdir(), 'no-such-dir', 'ffmpeg');
    try {
      const m4a = await post({}, readFileSync(M4A_3S));
      expect(m4a.status).toBe(415);
      expect(await m4a.json()).toEqual({ error: {
        message: 'unsupported media type: this server cannot decode MP4/M4A (AAC)', type: 'invalid_request_error', param: 'file', code: 'ERR_AUDIO_DECODE',
      } });
      // bytes no bundled decoder recognises were for ffmpeg to try: the same answer
      const unknown = await post({}, new TextEncoder().encode('bytes of no format a bundled decoder knows'));
      expect(unknown.status).toBe(415);
      expect(await unknown.json()).toMatchObject({ error: { message: 'unsupported media type: this server cannot decode unrecognised format', code: 'ERR_AUDIO_DECODE' } });
    } finally {
      if (saved === undefined) delete process.env.AMANUENSIS_FFMPEG;
      else process.env.AMANUENSIS_FFMPEG = saved;
    }
  });
});

describe('examples/http-server.ts cancellation, timeout and overload', () => {
  // one running call, one waiting, the next refused: a held slot shows in the answers
  let t1: Transcriber;
  /** Five minutes of speech (jfk.wav 27 times): ten windows, seconds of work. */
  const longWav = wavBytes(repeated(jfkSamplesReference(), 27));

  beforeAll(async () => {
    t1 = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2, encoder: 'cpu', queue: { concurrency: 1, maxQueue: 1, overflow: 'reject' } });
  });
  afterAll(() => t1.close());

  /** A server on t1 that records each request's progress and outcome. */
  async function observedServer(requestTimeoutMs?: number) {
    const progress = new Map<string, TranscribeProgress[]>();
    const outcomes = new Map<string, TranscriptionOutcome>();
    const listeners: (() => void)[] = [];
    const notify = (): void => { for (const l of listeners.splice(0)) l(); };
    const server = await createHttpServer(t1, {
      decode,
      ...(requestTimeoutMs !== undefined && { requestTimeoutMs }),
      onProgress: (id, p) => { progress.set(id, [...(progress.get(id) ?? []), p]); notify(); },
      onSettled: (id, outcome) => { outcomes.set(id, outcome); notify(); },
    });
    const url = await server.listen({ port: 0, host: '127.0.0.1' });
    /** Resolves once `condition` holds, re-checked at every progress or outcome. */
    const until = async <T>(condition: () => T | undefined): Promise<T> => {
      for (;;) {
        const value = condition();
        if (value !== undefined) return value;
        await new Promise<void>((resolve) => listeners.push(resolve));
      }
    };
    return { server, url, progress, outcomes, until };
  }

  it('a client that hangs up mid-transcription cancels it: the work stops, its slot is free for the next request', async () => {
    const { server, url, progress, outcomes, until } = await observedServer();
    try {
      const hangUp = new AbortController();
      const abandoned = postTo(url, {}, longWav, hangUp.signal);
      const id = await until(() => [...progress.keys()][0]);
      hangUp.abort();
      await expect(abandoned).rejects.toMatchObject({ name: 'AbortError' });
      const outcome = await until(() => outcomes.get(id));
      expect(outcome).toMatchObject({ ok: false, error: { code: 'ERR_ABORTED', status: 499 } });
      expect(t1.queue.stats).toMatchObject({ running: 0, queued: 0 });
      const windowsDone = progress.get(id)!.length;
      expect(progress.get(id)![windowsDone - 1]!.fraction).toBeLessThan(1);

      const next = await postTo(url, {});
      expect(next.status).toBe(200);
      expect(await next.json()).toEqual({ text: (await t.transcribe(jfkSamplesReference(), decode)).text });
      // nothing of the cancelled call ran after it settled
      expect(progress.get(id)!.length).toBe(windowsDone);
    } finally {
      await server.close();
    }
  });

  it('a full queue is a 503 with Retry-After and ERR_QUEUE_FULL; the request that waited then succeeds', async () => {
    const { server, url } = await observedServer();
    let release!: () => void;
    const held = t1.queue.run(() => new Promise<void>((resolve) => { release = resolve; }));
    try {
      const waiting = postTo(url, {});
      await vi.waitFor(() => expect(t1.queue.stats.queued).toBe(1), { timeout: 60_000, interval: 5 });
      const refused = await postTo(url, {});
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(await refused.json()).toMatchObject({ error: { code: 'ERR_QUEUE_FULL', type: 'server_error' } });
      release();
      expect((await waiting).status).toBe(200);
    } finally {
      release();
      await held;
      await server.close();
    }
  });

  it('a request whose upload ffmpeg never finishes decoding is answered 504 and that ffmpeg is killed', async () => {
    const { server, url, outcomes, until } = await observedServer(300);
    const dir = mkdtempSync(join(tmpdir(), 'amanuensis-http-ffmpeg-'));
    const log = join(dir, 'ffmpeg.json');
    const saved = { ffmpeg: process.env.AMANUENSIS_FFMPEG, log: process.env.FAKE_FFMPEG_LOG };
    // the stand-in stalls on input starting with HANG (and ignores SIGTERM), and logs its pid
    process.env.AMANUENSIS_FFMPEG = FAKE_FFMPEG;
    process.env.FAKE_FFMPEG_LOG = log;
    try {
      const r = await postTo(url, {}, new TextEncoder().encode('HANG: bytes only ffmpeg could try'));
      expect(r.status).toBe(504);
      // settled once the decode has stopped: the stand-in is gone by then
      const outcome = await until(() => [...outcomes.values()][0]);
      expect(outcome).toMatchObject({ ok: false, error: { code: 'ERR_ABORTED', status: 504 } });
      const stalled = JSON.parse(readFileSync(log, 'utf8')) as { pid: number; gaveUp?: true };
      // killed, not left to give up after a minute
      expect(stalled.gaveUp).toBeUndefined();
      expect(() => process.kill(stalled.pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
    } finally {
      for (const [key, value] of [['AMANUENSIS_FFMPEG', saved.ffmpeg], ['FAKE_FFMPEG_LOG', saved.log]] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a request that outlives requestTimeoutMs is answered 504 and its transcription is cancelled', async () => {
    const { server, url, outcomes, until } = await observedServer(200);
    let release!: () => void;
    // the only slot is held until the answer has come: the request cannot finish in time
    const held = t1.queue.run(() => new Promise<void>((resolve) => { release = resolve; }));
    try {
      const r = await postTo(url, {});
      expect(r.status).toBe(504);
      expect(await r.json()).toEqual({ error: { message: expect.stringContaining('200 ms'), type: 'server_error', param: null, code: 'ERR_ABORTED' } });
      const outcome = await until(() => [...outcomes.values()][0]);
      expect(outcome).toMatchObject({ ok: false, error: { code: 'ERR_ABORTED', status: 504 } });
      // it left the queue: nothing is waiting for the slot
      expect(t1.queue.stats.queued).toBe(0);
    } finally {
      release();
      await held;
      await server.close();
    }
  });
});

describe('examples/streaming.ts with the replayer client', () => {
  it('streams partial, word and segment events back; the words and the segments concatenate to the offline text', async () => {
    // the energy gate: the Silero gate would transcribe each stretch of speech on its own, not the offline audio
    const server = await createStreamingServer(t, { port: 0, session: { ...decode, vad: 'energy' } });
    try {
      const audio = jfkSamplesReference();
      const events = await replay(`ws://127.0.0.1:${server.port}`, audio, { chunkMs: 100, realTime: false });
      expect(events[events.length - 1]).toEqual({ type: 'done' });
      const segments = events.filter((e) => e.type === 'segment');
      expect(segments.length).toBeGreaterThan(0);
      // sessions confirm by words (the default): each window is transcribed with word timestamps, on its own
      const offline = await t.transcribe(audio, { ...decode, wordTimestamps: true, conditionOnPreviousText: false });
      expect(segments.map((s) => s.text).join('').trim()).toBe(offline.text.trim());
      expect(events.filter((e) => e.type === 'word').map((e) => e.word).join('')).toBe(segments.map((s) => s.text).join(''));
      expect(events.some((e) => e.type === 'partial')).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('int16 PCM with ?format=s16 works too', async () => {
    const server = await createStreamingServer(t, { port: 0, session: decode });
    try {
      const audio = jfkSamplesReference().subarray(0, 3 * 16000);
      const s16 = Int16Array.from(audio, (v) => Math.round(v * 32767));
      // the replayer sends float32 bytes; reinterpret the int16 bytes as that payload
      const payload = new Float32Array(s16.buffer, 0, s16.length / 2);
      const events = await replay(`ws://127.0.0.1:${server.port}/?format=s16`, payload, { chunkMs: 200, realTime: false });
      expect(events[events.length - 1]).toEqual({ type: 'done' });
      expect(events.filter((e) => e.type === 'segment').length).toBeGreaterThan(0);
    } finally {
      await server.close();
    }
  });
});

describe('examples/streaming.ts options and refusals', () => {
  /** Connects, sends `messages` (text, or float32 samples or raw bytes as binary), and collects the events and the close code. */
  async function exchange(url: string, messages: readonly (string | Float32Array | Uint8Array)[]): Promise<{ events: StreamedEvent[]; code: number }> {
    const socket = new WebSocket(url);
    const events: StreamedEvent[] = [];
    socket.on('message', (data) => events.push(JSON.parse(data.toString()) as StreamedEvent));
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => { socket.once('open', () => resolve()); socket.once('error', reject); });
    for (const message of messages) {
      if (socket.readyState !== socket.OPEN) break;
      socket.send(typeof message === 'string' ? message : Buffer.from(message.buffer, message.byteOffset, message.byteLength));
    }
    return { events, code: await closed };
  }

  const audio = jfkSamplesReference();
  /** jfk.wav in 1 s chunks, then 'end'. */
  const speech = (): (string | Float32Array)[] => [...Array.from({ length: Math.ceil(audio.length / 16000) }, (_, i) => audio.slice(i * 16000, (i + 1) * 16000)), 'end'];

  let server: Awaited<ReturnType<typeof createStreamingServer>>;
  let url: string;
  beforeAll(async () => {
    // the energy gate, whose level vadThreshold sets (and whose text for jfk.wav is the offline text)
    server = await createStreamingServer(t, { port: 0, session: { ...decode, vad: 'energy' } });
    url = `ws://127.0.0.1:${server.port}`;
  });
  afterAll(() => server.close());

  it('options in the query take effect: a voice gate above any level hears only silence', async () => {
    const gated = await exchange(`${url}/?vadThreshold=10&language=en&prompt=Ask%20not`, speech());
    expect(gated).toEqual({ events: [{ type: 'done' }], code: 1000 });
    const open = await exchange(`${url}/?vadThreshold=0.01&language=en`, speech());
    expect(open.code).toBe(1000);
    expect(open.events.filter((e) => e.type === 'segment').length).toBeGreaterThan(0);
  });

  it('options in a first JSON message take effect and override the query', async () => {
    const gated = await exchange(`${url}/?vadThreshold=0.01`, [JSON.stringify({ vadThreshold: 10 }), ...speech()]);
    expect(gated).toEqual({ events: [{ type: 'done' }], code: 1000 });
    // one step only, at the end: no partial results, and the same text as the library's for the whole audio
    const oneStep = await exchange(url, [JSON.stringify({ stepMs: 30_000, temperature: [0], initialPrompt: '' }), ...speech()]);
    expect(oneStep.code).toBe(1000);
    expect(oneStep.events.some((e) => e.type === 'partial')).toBe(false);
    const offline = await t.transcribe(audio, { ...decode, wordTimestamps: true, conditionOnPreviousText: false });
    expect(oneStep.events.filter((e) => e.type === 'segment').map((e) => e.text).join('')).toBe(offline.text);
    // and by segments, as asked: the window's own segments, transcribed without word timestamps
    const bySegments = await exchange(url, [JSON.stringify({ stepMs: 30_000, granularity: 'segment' }), ...speech()]);
    expect(bySegments.events.some((e) => e.type === 'word')).toBe(false);
    expect(bySegments.events.filter((e) => e.type === 'segment').map((e) => e.text).join('')).toBe((await t.transcribe(audio, decode)).text);
  });

  it('bad options are an error event and close 1008; unusable text 1003; options after audio 1008', async () => {
    const refusals: [string, (string | Float32Array)[], number][] = [
      ['/?temperature=hot', speech(), 1008],
      ['/?language=xx', speech(), 1008],
      ['/?language=de', speech(), 1008],
      ['/?stepMs=5', speech(), 1008],
      ['/?beamSize=2.5', speech(), 1008],
      ['/?vadThreshold=-1', speech(), 1008],
      ['/?format=u8', speech(), 1008],
      ['/?bogus=1', speech(), 1008],
      ['/?language=en&language=en', speech(), 1008],
      ['/', [JSON.stringify({ beamSize: '5' }), ...speech()], 1008],
      ['/', [JSON.stringify({ temperature: [] }), ...speech()], 1008],
      ['/', [JSON.stringify(['en']), ...speech()], 1008],
      ['/', ['hello', ...speech()], 1003],
      ['/', [audio.slice(0, 16000), JSON.stringify({ language: 'en' }), 'end'], 1008],
    ];
    for (const [path, messages, code] of refusals) {
      const { events, code: closeCode } = await exchange(url + path, messages);
      expect(closeCode, path + ' ' + String(messages[0])).toBe(code);
      expect(events).toEqual([{ type: 'error', code: 'ERR_INVALID_ARGUMENT', message: expect.any(String) }]);
    }
  });

  it('int16 audio split inside samples (odd byte counts) reaches the session sample for sample; a stream cut inside a sample is closed 1007', async () => {
    // the session's pushes are recorded through a Transcriber whose sessions report what they are given
    const received: Float32Array[] = [];
    const recording = new Proxy(t, {
      get(target, prop) {
        if (prop === 'createSession') {
          return (options: Parameters<Transcriber['createSession']>[0]) => {
            const session = target.createSession(options);
            const push = session.push.bind(session);
            session.push = (chunk: Float32Array) => { received.push(chunk.slice()); push(chunk); };
            return session;
          };
        }
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const recorded = await createStreamingServer(recording, { port: 0, session: decode });
    try {
      const s16 = Int16Array.from(audio.subarray(0, 4 * 16000), (v) => Math.round(v * 32767));
      const bytes = new Uint8Array(s16.buffer);
      // 100 ms messages, each cut one byte off a sample boundary
      const messages: (string | Uint8Array)[] = [];
      const sizes = [3201, 3199];
      for (let at = 0, i = 0; at < bytes.length; at += sizes[i++ % 2]!) messages.push(bytes.slice(at, at + sizes[i % 2]!));
      const done = await exchange(`ws://127.0.0.1:${recorded.port}/?format=s16`, [...messages, 'end']);
      expect(done.code).toBe(1000);
      expect(done.events.filter((e) => e.type === 'segment').length).toBeGreaterThan(0);
      const samples = new Float32Array(received.reduce((n, c) => n + c.length, 0));
      received.reduce((at, c) => (samples.set(c, at), at + c.length), 0);
      expect(samples).toEqual(Float32Array.from(s16, (v) => v / 32768));
      const cut = await exchange(`ws://127.0.0.1:${recorded.port}/?format=s16`, [bytes.slice(0, 3201), 'end']);
      expect(cut).toEqual({ events: [{ type: 'error', code: 'ERR_AUDIO_DECODE', message: expect.stringMatching(/ended inside a sample/) }], code: 1007 });
    } finally {
      await recorded.close();
    }
  });
});
