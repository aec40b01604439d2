/**
 * RingBuffer against repeated Float32Array concatenation for 60 s of audio arriving in 10 ms
 * chunks (160 samples at 16 kHz), with a consumer keeping the last 30 s as a streaming
 * session does. Reports time and peak heap growth; each variant runs in a fresh child process
 * so their garbage does not mix.
 *
 * Run: npx tsx bench/ring-buffer.ts
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { RingBuffer } from '../src/utils/ring-buffer.js';

const CHUNK = 160;
const CHUNKS = 6000; // 60 s
const KEEP = 30 * 16000;

function runRing(): number {
  const rb = new RingBuffer({ capacity: KEEP + CHUNK, overflow: 'error' });
  const chunk = new Float32Array(CHUNK).fill(0.1);
  let sink = 0;
  for (let i = 0; i < CHUNKS; i++) {
    rb.append(chunk);
    if (rb.length > KEEP) rb.consume(rb.length - KEEP);
    sink += rb.length;
  }
  return sink;
}

function runConcat(): number {
  let buf = new Float32Array(0);
  const chunk = new Float32Array(CHUNK).fill(0.1);
  let sink = 0;
  for (let i = 0; i < CHUNKS; i++) {
    const next = new Float32Array(buf.length + chunk.length);
    next.set(buf);
    next.set(chunk, buf.length);
    buf = next.length > KEEP ? next.slice(next.length - KEEP) : next;
    sink += buf.length;
  }
  return sink;
}

function medianMs(fn: () => number): number {
  fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    if (fn() < 0) throw new Error('unreachable');
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[2]!;
}

const variant = process.argv[2];
if (variant === 'ring' || variant === 'concat' || variant === 'idle') {
  const ms = variant === 'idle' ? 0 : medianMs(variant === 'ring' ? runRing : runConcat);
  console.log(JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
} else {
  const self = fileURLToPath(import.meta.url);
  const run = (v: string): { ms: number; maxRssMb: number } =>
    JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', self, v], { encoding: 'utf8' }).trim().split('\n').pop()!);
  const idle = run('idle');
  const ring = run('ring');
  const concat = run('concat');
  const extra = (r: { maxRssMb: number }): string => `${(r.maxRssMb - idle.maxRssMb).toFixed(1)} MB above an idle process`;
  console.log('60 s of 10 ms chunks (160 samples), keeping the last 30 s; median of 5 runs, each variant in its own process');
  console.log(`  RingBuffer:                 ${ring.ms.toFixed(2)} ms, peak RSS ${extra(ring)}`);
  console.log(`  Float32Array concatenation: ${concat.ms.toFixed(1)} ms, peak RSS ${extra(concat)}`);
  console.log(`  RingBuffer is ${(concat.ms / ring.ms).toFixed(0)}x faster`);
}
