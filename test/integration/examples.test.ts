/**
 * The example servers, driven by real clients on localhost: the OpenAI-compatible HTTP
 * endpoint (fetch + multipart), the WebSocket streaming endpoint (the replayer client), and
 * the load test against the HTTP endpoint.
 */
import { readFileSync } from 'node:fs';

import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createHttpServer } from '../../examples/http-server.js';
import { runLevel } from '../../examples/load-test.js';
import { createStreamingServer } from '../../examples/streaming.js';
import { replay } from '../../examples/streaming-replay.js';
import { toSrt, toVtt } from '../../src/formats/subtitles.js';
import { Transcriber } from '../../src/transcriber.js';
import { JFK_WAV, jfkSamplesReference, SYNTHETIC_MODEL } from '../helpers/shared.js';

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

async function post(fields: Record<string, string>, file: Uint8Array | null = jfkBytes): Promise<Response> {
  const form = new FormData();
  if (file !== null) form.set('file', new Blob([Uint8Array.from(file)]), 'jfk.wav');
  form.set('model', 'whisper-1');
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  return fetch(`${base}/v1/audio/transcriptions`, { method: 'POST', body: form });
}

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
    expect(verbose).toMatchObject({ task: 'transcribe', language: 'en', duration: 11, text: offline.text });
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

describe('examples/streaming.ts with the replayer client', () => {
  it('streams partial and segment events back; the segments concatenate to the offline text', async () => {
    const server = await createStreamingServer(t, { port: 0, session: decode });
    try {
      const audio = jfkSamplesReference();
      const events = await replay(`ws://127.0.0.1:${server.port}`, audio, { chunkMs: 100, realTime: false });
      expect(events[events.length - 1]).toEqual({ type: 'done' });
      const segments = events.filter((e) => e.type === 'segment');
      expect(segments.length).toBeGreaterThan(0);
      const offline = await t.transcribe(audio, decode);
      expect(segments.map((s) => s.text).join('').trim()).toBe(offline.text.trim());
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
