/**
 * An OpenAI-compatible transcription endpoint on fastify:
 *   POST /v1/audio/transcriptions   multipart: file, model, language?, prompt?, temperature?,
 *                                   response_format = json | text | srt | vtt | verbose_json
 * verbose_json carries the per-stage timings of the request. Overload is answered with 503
 * when the Transcriber's queue is configured to reject.
 *
 *   npx tsx examples/http-server.ts <ggml-model.bin> [port]
 *   curl -F file=@jfk.wav -F model=whisper-1 -F response_format=verbose_json localhost:8080/v1/audio/transcriptions
 */
import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance } from 'fastify';

import { AmanuensisError, type TranscribeOptions, Transcriber, type TranscriptionResult, decodeAudio, toSrt, toVtt } from '../src/index.js';

const FORMATS = ['json', 'text', 'srt', 'vtt', 'verbose_json'] as const;
type ResponseFormat = (typeof FORMATS)[number];

/** Options of {@link createHttpServer}. */
export interface HttpServerOptions {
  /** Decoding options applied to every request (request fields override language, prompt, temperature). */
  readonly decode?: TranscribeOptions;
  /** Largest upload in bytes. Default 100 MB. */
  readonly maxFileBytes?: number;
}

function httpStatus(err: AmanuensisError): number {
  if (err.code === 'ERR_QUEUE_FULL') return 503;
  if (err.code.startsWith('ERR_INVALID') || err.code === 'ERR_AUDIO_DECODE') return 400;
  return 500;
}

function verboseJson(result: TranscriptionResult, task: string): object {
  return {
    task,
    language: result.language,
    duration: result.durationS,
    text: result.text,
    segments: result.segments.map((s) => ({
      id: s.id, seek: s.seek, start: s.start, end: s.end, text: s.text, tokens: s.tokens, temperature: s.temperature,
      avg_logprob: s.avgLogprob, compression_ratio: s.compressionRatio, no_speech_prob: s.noSpeechProb,
    })),
    // not in OpenAI's schema: where this request's time went, in milliseconds
    timings: result.timings,
  };
}

/** A fastify instance serving `transcriber` (call `listen()` on it). */
export async function createHttpServer(transcriber: Transcriber, options: HttpServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(multipart, { limits: { fileSize: options.maxFileBytes ?? 100 * 1024 * 1024, files: 1 } });

  app.setErrorHandler((err: Error, _request, reply) => {
    const e = err instanceof AmanuensisError ? err : undefined;
    const status = e !== undefined ? httpStatus(e) : (err as { statusCode?: number }).statusCode ?? 500;
    void reply.status(status).send({ error: { message: err.message, type: status < 500 ? 'invalid_request_error' : 'server_error', code: e?.code ?? null } });
  });

  app.post('/v1/audio/transcriptions', async (request, reply) => {
    let bytes: Buffer | undefined;
    const fields: Record<string, string> = {};
    for await (const part of request.parts()) {
      if (part.type === 'file') bytes = await part.toBuffer();
      else fields[part.fieldname] = String(part.value);
    }
    if (bytes === undefined) throw new AmanuensisError('ERR_INVALID_ARGUMENT', "the multipart field 'file' is required");
    const format = (fields.response_format ?? 'json') as ResponseFormat;
    if (!FORMATS.includes(format)) throw new AmanuensisError('ERR_INVALID_ARGUMENT', `response_format must be one of ${FORMATS.join(', ')}`);
    const temperature = fields.temperature === undefined ? undefined : Number(fields.temperature);
    const audio = await decodeAudio(bytes);
    const controller = new AbortController();
    // a client that hangs up cancels its queued or running call
    request.raw.on('close', () => { if (!reply.sent) controller.abort(); });
    const result = await transcriber.transcribe(audio.samples, {
      ...options.decode,
      ...(fields.language !== undefined && { language: fields.language }),
      ...(fields.prompt !== undefined && { initialPrompt: fields.prompt }),
      ...(temperature !== undefined && { temperature }),
      signal: controller.signal,
    });
    switch (format) {
      case 'text': return reply.type('text/plain; charset=utf-8').send(result.text.trim() + '\n');
      case 'srt': return reply.type('application/x-subrip; charset=utf-8').send(toSrt(result.segments));
      case 'vtt': return reply.type('text/vtt; charset=utf-8').send(toVtt(result.segments));
      case 'verbose_json': return verboseJson(result, options.decode?.task ?? 'transcribe');
      default: return { text: result.text };
    }
  });
  return app;
}

const isMain = process.argv[1] !== undefined && /http-server\.ts$/.test(process.argv[1]);
if (isMain) {
  const [modelPath, port = '8080'] = process.argv.slice(2);
  if (modelPath === undefined) {
    console.error('usage: http-server.ts <model.bin> [port]');
    process.exit(2);
  }
  const transcriber = await Transcriber.load(modelPath);
  const app = await createHttpServer(transcriber);
  console.log(`listening on ${await app.listen({ port: Number(port), host: '127.0.0.1' })}`);
}
