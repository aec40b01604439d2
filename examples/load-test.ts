/**
 * The multi-stream load test: 4, 8, 16 and 32 concurrent clients, each posting an audio file
 * to the HTTP example (examples/http-server.ts) `requests` times; prints throughput (audio
 * seconds per wall second), latency p50/p95/p99 and the success rate per level.
 *
 *   npx tsx examples/load-test.ts http://127.0.0.1:8080 jfk.wav [--requests 2] [--levels 4,8,16,32] [--temperature 0]
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';

import { decodeAudio } from '../src/index.js';

/** The figures of one concurrency level. */
export interface LoadLevel {
  readonly clients: number;
  readonly requests: number;
  readonly succeeded: number;
  readonly successRate: number;
  /** Audio seconds transcribed per wall-clock second. */
  readonly throughput: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  /** Error codes of the failed requests, with counts. */
  readonly failures: Record<string, number>;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * Runs `clients` concurrent clients, each sending `requests` requests one after another.
 * `fields` are extra form fields of every request (e.g. `temperature`).
 */
export async function runLevel(url: string, file: Uint8Array, fileName: string, durationS: number, clients: number, requests: number,
  fields: Readonly<Record<string, string>> = {}): Promise<LoadLevel> {
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  const t0 = performance.now();
  await Promise.all(Array.from({ length: clients }, async () => {
    for (let i = 0; i < requests; i++) {
      const form = new FormData();
      form.set('file', new Blob([Uint8Array.from(file)]), fileName);
      form.set('model', 'whisper-1');
      form.set('response_format', 'json');
      for (const [name, value] of Object.entries(fields)) form.set(name, value);
      const start = performance.now();
      try {
        const response = await fetch(`${url}/v1/audio/transcriptions`, { method: 'POST', body: form });
        const body = await response.json() as { text?: string; error?: { code?: string } };
        if (response.ok && typeof body.text === 'string') latencies.push(performance.now() - start);
        else failures[body.error?.code ?? `HTTP ${response.status}`] = (failures[body.error?.code ?? `HTTP ${response.status}`] ?? 0) + 1;
      } catch (err) {
        const code = (err as { cause?: { code?: string } }).cause?.code ?? 'network';
        failures[code] = (failures[code] ?? 0) + 1;
      }
    }
  }));
  const wallS = (performance.now() - t0) / 1000;
  const sorted = [...latencies].sort((a, b) => a - b);
  const total = clients * requests;
  return {
    clients, requests: total, succeeded: latencies.length, successRate: latencies.length / total,
    throughput: (latencies.length * durationS) / wallS,
    p50Ms: percentile(sorted, 50), p95Ms: percentile(sorted, 95), p99Ms: percentile(sorted, 99), failures,
  };
}

/** One line per level, as printed by the command. */
export function formatLevel(l: LoadLevel): string {
  return `${String(l.clients).padStart(3)} clients: ${l.succeeded}/${l.requests} ok (${(100 * l.successRate).toFixed(0)}%), ` +
    `${l.throughput.toFixed(2)} audio s/s, latency p50 ${l.p50Ms.toFixed(0)} ms, p95 ${l.p95Ms.toFixed(0)} ms, p99 ${l.p99Ms.toFixed(0)} ms` +
    (Object.keys(l.failures).length > 0 ? `, failures ${JSON.stringify(l.failures)}` : '');
}

const isMain = process.argv[1] !== undefined && /load-test\.ts$/.test(process.argv[1]);
if (isMain) {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      requests: { type: 'string', default: '2' },
      levels: { type: 'string', default: '4,8,16,32' },
      // OpenAI's meaning: above 0, the one sampling temperature of these requests (no fallback);
      // 0, the server's own temperatures (start the server with --temperature 0 for greedy without fallback)
      temperature: { type: 'string' },
    },
  });
  const [url, audioPath] = positionals;
  if (url === undefined || audioPath === undefined) {
    console.error('usage: load-test.ts <http://host:port> <audio> [--requests N] [--levels 4,8,16,32] [--temperature T]');
    process.exit(2);
  }
  const file = await readFile(audioPath);
  const { durationS } = await decodeAudio(file);
  for (const clients of values.levels.split(',').map(Number)) {
    const fields: Record<string, string> = values.temperature === undefined ? {} : { temperature: values.temperature };
    console.log(formatLevel(await runLevel(url, file, basename(audioPath), durationS, clients, Number(values.requests), fields)));
  }
}
