/**
 * Live transcription over a WebSocket (ws): the client sends 16 kHz mono PCM as binary
 * messages (float32 little-endian, or int16 with ?format=s16) and the text message "end"
 * when its audio is over; the server sends back JSON events: {type: "partial"|"segment", …},
 * then {type: "done"} and closes. Each connection is one TranscriptionSession on a shared
 * Transcriber.
 *
 *   npx tsx examples/streaming.ts <ggml-model.bin> [port]
 *   npx tsx examples/streaming-replay.ts ws://127.0.0.1:8081 jfk.wav
 */
import type { AddressInfo } from 'node:net';

import { WebSocketServer, type RawData, type WebSocket } from 'ws';

import { type SessionOptions, Transcriber } from '../src/index.js';

/** Options of {@link createStreamingServer}. */
export interface StreamingServerOptions {
  /** Port; 0 picks a free one. Default 8081. */
  readonly port?: number;
  /** Session options for every connection (step, voice gate threshold, decoding). */
  readonly session?: SessionOptions;
}

function toSamples(data: RawData, format: string): Float32Array {
  const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
  if (format === 's16') {
    const out = new Float32Array(Math.floor(bytes.length / 2));
    for (let i = 0; i < out.length; i++) out[i] = bytes.readInt16LE(2 * i) / 32768;
    return out;
  }
  // copy: the message buffer may not be 4-byte aligned
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length - (bytes.length % 4)));
}

function serve(transcriber: Transcriber, socket: WebSocket, format: string, options: SessionOptions): void {
  const controller = new AbortController();
  const session = transcriber.createSession({ ...options, signal: controller.signal });
  const send = (event: object): void => { if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(event)); };
  session.on('partial', send);
  session.on('segment', send);
  session.on('error', (err: Error & { code?: string }) => { send({ type: 'error', code: err.code, message: err.message }); socket.close(1011); });
  socket.on('message', (data, isBinary) => {
    try {
      if (isBinary) session.push(toSamples(data, format));
      else if (data.toString() === 'end') {
        session.close().then(() => { send({ type: 'done' }); socket.close(1000); }, () => undefined);
      }
    } catch (err) {
      const e = err as Error & { code?: string };
      send({ type: 'error', code: e.code, message: e.message });
      socket.close(1007);
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
    const format = new URL(request.url ?? '/', 'http://localhost').searchParams.get('format') ?? 'f32';
    serve(transcriber, socket, format, options.session ?? {});
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
