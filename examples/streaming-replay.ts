/**
 * Replays an audio file into the streaming example as if it were live: 100 ms chunks at
 * real-time pace (or as fast as possible with --fast), printing events as they come.
 *
 *   npx tsx examples/streaming-replay.ts ws://127.0.0.1:8081 jfk.wav [--fast]
 */
import { WebSocket } from 'ws';

import { decodeAudioFile } from '../src/index.js';

/** A streaming event as the server sends it. */
export interface StreamedEvent {
  readonly type: 'partial' | 'word' | 'segment' | 'speechstart' | 'speechend' | 'done' | 'error';
  readonly text?: string;
  /** A `'word'` event's word. */
  readonly word?: string;
  readonly start?: number;
  readonly end?: number;
  readonly latencyMs?: number;
  readonly code?: string;
}

/** Sends `samples` (16 kHz mono) in `chunkMs` chunks and resolves with every event received, through 'done'. */
export async function replay(url: string, samples: Float32Array, options: { chunkMs?: number; realTime?: boolean; onEvent?: (e: StreamedEvent) => void } = {}): Promise<StreamedEvent[]> {
  const socket = new WebSocket(url);
  const events: StreamedEvent[] = [];
  const finished = new Promise<StreamedEvent[]>((resolve, reject) => {
    socket.on('message', (data) => {
      const event = JSON.parse(data.toString()) as StreamedEvent;
      events.push(event);
      options.onEvent?.(event);
    });
    socket.on('close', () => resolve(events));
    socket.on('error', reject);
  });
  await new Promise<void>((resolve, reject) => { socket.once('open', () => resolve()); socket.once('error', reject); });
  const chunkMs = options.chunkMs ?? 100;
  const chunk = Math.round(16 * chunkMs);
  for (let at = 0; at < samples.length; at += chunk) {
    const part = samples.slice(at, Math.min(samples.length, at + chunk));
    socket.send(Buffer.from(part.buffer));
    if (options.realTime ?? true) await new Promise((r) => setTimeout(r, chunkMs));
  }
  socket.send('end');
  return finished;
}

const isMain = process.argv[1] !== undefined && /streaming-replay\.ts$/.test(process.argv[1]);
if (isMain) {
  const [url, audioPath] = process.argv.slice(2);
  if (url === undefined || audioPath === undefined) {
    console.error('usage: streaming-replay.ts <ws://host:port> <audio> [--fast]');
    process.exit(2);
  }
  const { samples } = await decodeAudioFile(audioPath);
  await replay(url, samples, {
    realTime: !process.argv.includes('--fast'),
    onEvent: (e) => {
      if (e.type === 'segment') console.log(`[${e.start!.toFixed(2)} -> ${e.end!.toFixed(2)}] ${e.text!.trim()}   (${e.latencyMs!.toFixed(0)} ms)`);
      else if (e.type === 'partial') process.stderr.write(`\r… ${e.text!.trim().slice(-70)}`);
      else if (e.type === 'error') console.error(`\n${e.code}`);
    },
  });
  process.stderr.write('\n');
}
