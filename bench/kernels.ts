/**
 * The kernels alone: GEMM throughput on every linear-layer shape of the tiny.en and base
 * encoders (f16 weights, as in the model files) with the AVX2 micro-kernel and, where the CPU has
 * it, the AVX-512 one, each against this machine's FMA peak at the same vector width; and the
 * machine's read bandwidth on buffers the size of a decoder step's working set and larger.
 *
 * Run: npx tsx bench/kernels.ts [--threads 2]
 */
import { parseArgs } from 'node:util';

import { loadNativeAddon } from '../src/native/binding.js';
import { writeRecord } from './record.js';

const { values } = parseArgs({ options: { threads: { type: 'string', default: '2' } } });
const threads = Number(values.threads);
const addon = loadNativeAddon();
const widths = addon.cpuInfo().avx512Kernels ? [false, true] : [false];
const peaks: Record<string, number> = {};
const gemm: { kernel: string; d: number; name: string; M: number; N: number; K: number; ms: number; gflops: number; fractionOfPeak: number }[] = [];
for (const avx512 of widths) {
const kernel = avx512 ? 'avx512' : 'avx2';
const peak = await addon.benchFmaPeak({ threads, seconds: 1.0, avx512 });
peaks[kernel] = peak;
console.log(`${kernel}: machine FMA peak at ${threads} threads: ${peak.toFixed(1)} GFLOP/s`);
console.log(`${kernel}: GEMM, C[M, N] = A[M, K] W^T with f16 W, median of 9:`);
for (const d of [384, 512]) {
  const shapes: [string, number, number, number][] = [
    ['conv1 (im2col)', 3000, d, 240], ['conv2 (im2col)', 1500, d, 3 * d], ['qkv', 1500, 3 * d, d],
    ['attn out', 1500, d, d], ['mlp.0', 1500, 4 * d, d], ['mlp.2', 1500, d, 4 * d],
  ];
  for (const [name, M, N, K] of shapes) {
    const ms = await addon.benchLinear({ m: M, n: N, k: K, f16: true, threads, runs: 9, avx512 });
    const gflops = (2 * M * N * K) / (ms / 1000) / 1e9;
    gemm.push({ kernel, d, name, M, N, K, ms, gflops, fractionOfPeak: gflops / peak });
    console.log(`  d=${d} ${name.padEnd(15)} [${M} x ${K}] x [${K} x ${N}]: ${ms.toFixed(2).padStart(7)} ms, ${gflops.toFixed(1).padStart(6)} GFLOP/s, ${(100 * gflops / peak).toFixed(0)}% of peak`);
  }
}
}
console.log('read bandwidth:');
const bandwidth: { megabytes: number; threads: number; gbPerS: number }[] = [];
for (const mb of [16, 64, 256]) {
  for (const t of [1, threads]) {
    const gbPerS = await addon.benchReadBandwidth({ threads: t, megabytes: mb });
    bandwidth.push({ megabytes: mb, threads: t, gbPerS });
    console.log(`  ${String(mb).padStart(3)} MB, ${t} thread(s): ${gbPerS.toFixed(1)} GB/s`);
  }
}
writeRecord('kernels', { threads, fmaPeakGflops: peaks, gemm, bandwidth });
