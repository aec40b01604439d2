/**
 * Live transcription over a WebSocket (ws): the client sends 16 kHz mono PCM as binary
 * messages (float32 little-endian, or int16 with ?format=s16) and the text message "end"
 * when its audio is over; the server sends back JSON events: {type: "partial"|"word"|"segment", …},
 * then {type: "done"} and closes. Each connection is one TranscriptionSession on a shared
 * Transcriber.
 *
 * Session options (language, task, temperature, prompt, beamSize, bestOf, patience, sampleLen,
 * stepMs, granularity ("word" or "segment"), the voice gate's vadThreshold, silenceThreshold
 * and the decoding thresholds) come in the URL query, `?language=en&vadThreshold=0.02&temperature=0,0.2,0.4`, or as a JSON object
 * sent as the first message, `{"language": "en", "vadThreshold": 0.02}` (which overrides the
 * query). Bad options are answered {type: "error", code, message} and the socket is closed with
 * 1008 (policy violation); a text message that is neither JSON nor "end" with 1003 (unsupported
 * data); audio that is not audio, or that ends inside a sample, with 1007. Messages may split the
 * audio anywhere, even inside a sample.
 *
 *   npx tsx examples/streaming.ts <ggml-model.bin> [port]
 *   npx tsx examples/streaming-replay.ts ws://127.0.0.1:8081 jfk.wav
 */
import type { AddressInfo } from 'node:net';

import { WebSocketServer, type RawData, type WebSocket } from 'ws';

import { AmanuensisError, PcmChunkDecoder, type SessionOptions, Transcriber, type TranscriptionSession } from '../src/index.js';
import { type PcmFormat, type StreamingRequest, streamingRequestFromMessage, streamingRequestFromQuery } from './streaming-options.js';

/** Options of {@link createStreamingServer}. */
export interface StreamingServerOptions {
  /** Port; 0 picks a free one. Default 8081. */
  readonly port?: number;
  /** Default session options of every connection (step, voice gate threshold, decoding); a client's own override them. */
  readonly session?: SessionOptions;
}

/** WebSocket close codes (RFC 6455 §7.4.1) the server ends a connection with. */
const CLOSE = {
  normal: 1000,
  /** A text message the protocol has no use for. */
  unsupportedData: 1003,
  /** Binary data that is not audio. */
  invalidPayload: 1007,
  /** Options the server refuses. */
  policyViolation: 1008,
  /** The transcription failed. */
  internalError: 1011,
} as const;

/** A binary message's bytes (ws hands a Buffer, an ArrayBuffer or fragments, by its binaryType). */
function messageBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

/**
 * The decoder of a connection's PCM: a client may split its messages anywhere, even inside a
 * sample, so the bytes of a cut sample are carried over to the next message.
 */
function pcmDecoder(format: PcmFormat): PcmChunkDecoder {
  return new PcmChunkDecoder({ encoding: format === 's16' ? 's16le' : 'f32le' });
}

/**
 * One connection: options from the query, maybe completed by a first JSON message; the session
 * is created at that message or at the first audio, whichever comes first.
 */
function serve(transcriber: Transcriber, socket: WebSocket, query: URLSearchParams, defaults: SessionOptions): void {
  const controller = new AbortController();
  const send = (event: object): void => { if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(event)); };
  const refuse = (err: unknown, code: number): void => {
    const e = err as Error & { code?: string };
    send({ type: 'error', code: e.code, message: e.message });
    socket.close(code);
  };
  let request: StreamingRequest;
  try {
    request = streamingRequestFromQuery(query);
  } catch (err) {
    refuse(err, CLOSE.policyViolation);
    return;
  }
  let session: TranscriptionSession | undefined;
  let format: PcmFormat = request.format ?? 'f32';
  let pcm: PcmChunkDecoder | undefined;

  /** The session of the connection, created with `extra` over the query's options; false once refused. */
  const startSession = (extra?: StreamingRequest): TranscriptionSession | false => {
    try {
      session = transcriber.createSession({ ...defaults, ...request.session, ...extra?.session, signal: controller.signal });
    } catch (err) {
      refuse(err, CLOSE.policyViolation);
      return false;
    }
    format = extra?.format ?? format;
    pcm = pcmDecoder(format);
    session.on('partial', send);
    session.on('word', send);
    session.on('segment', send);
    // the Silero gate's speech start and end (the default gate)
    session.on('speechstart', send);
    session.on('speechend', send);
    session.on('error', (err: Error & { code?: string }) => { send({ type: 'error', code: err.code, message: err.message }); socket.close(CLOSE.internalError); });
    return session;
  };

  socket.on('message', (data, isBinary) => {
    if (socket.readyState !== socket.OPEN) return;
    if (!isBinary) {
      const text = data.toString();
      if (text === 'end') {
        const s = session ?? startSession();
        if (s === false) return;
        try {
          // audio that stops inside a sample lost bytes on the way: no text is given for it
          pcm?.flush();
        } catch (err) {
          refuse(err, CLOSE.invalidPayload);
          return;
        }
        s.close().then(() => { send({ type: 'done' }); socket.close(CLOSE.normal); }, () => undefined);
        return;
      }
      let options: StreamingRequest | undefined;
      try {
        options = streamingRequestFromMessage(text);
      } catch (err) {
        refuse(err, CLOSE.policyViolation);
        return;
      }
      if (options === undefined) refuse(new AmanuensisError('ERR_INVALID_ARGUMENT', "a text message is a JSON options object (before any audio) or 'end'"), CLOSE.unsupportedData);
      else if (session !== undefined) refuse(new AmanuensisError('ERR_INVALID_ARGUMENT', 'options must come before the audio, in the first message'), CLOSE.policyViolation);
      else startSession(options);
      return;
    }
    const s = session ?? startSession();
    if (s === false) return;
    try {
      s.push(pcm!.push(messageBytes(data)));
    } catch (err) {
      refuse(err, CLOSE.invalidPayload);
    }
  });
  // a client that goes away frees its session
  socket.on('close', () => controller.abort());
}

/** Starts the server; resolves once it listens. */
export async function createStreamingServer(transcriber: Transcriber, options: StreamingServerOptions = {}): Promise<{ port: number; close(): Promise<void> }> {
  const wss = new WebSocketServer({ port: options.port ?? 8081, host: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => { wss.once('listening', resolve); wss.once('error', reject); });
  wss.on('connection', (socket, request) => {
    serve(transcriber, socket, new URL(request.url ?? '/', 'http://localhost').searchParams, options.session ?? {});
  });
  return {
    port: (wss.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      for (const client of wss.clients) client.terminate();
      wss.close(() => resolve());
    }),
  };
}

const isMain = process.argv[1] !== undefined && /streaming\.ts$/.test(process.argv[1]);
if (isMain) {
  const [modelPath, port = '8081'] = process.argv.slice(2);
  if (modelPath === undefined) {
    console.error('usage: streaming.ts <model.bin> [port]');
    process.exit(2);
  }
  const transcriber = await Transcriber.load(modelPath);
  const server = await createStreamingServer(transcriber, { port: Number(port) });
  console.log(`listening on ws://127.0.0.1:${server.port}`);
}
