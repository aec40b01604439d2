/**
 * Encoder benchmark: one 30 s window of jfk.wav through the CPU encoder at 2 threads, median
 * of 7 runs after a warm-up, the GFLOP/s it implies and the fraction of this machine's FMA peak
 * (measured here), beside whisper.cpp's encoder on the same model file and thread count as
 * shipped to Node users (@fugood/whisper.node, its `bench()`).
 *
 * Run: npm run bench:encoder [-- --runs 7 --threads 2 --model path]
 */
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

import { decodeAudioFile } from '../src/audio/audio-file.js';
import { melWindow } from '../src/audio/mel-frontend.js';
import { N_SAMPLES } from '../src/constants.js';
import { loadNativeAddon } from '../src/native/binding.js';
import { Transcriber } from '../src/transcriber.js';
import { encoderFlops } from './flops.js';
import { writeRecord } from './record.js';
import { fmt, summarize, timeRuns } from './stats.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    threads: { type: 'string', default: '2' },
    model: { type: 'string', default: '../shared/models/synthetic/ggml-tiny.en-random-seed0.bin' },
    audio: { type: 'string', default: '../shared/audio/jfk.wav' },
    'skip-whisper-cpp': { type: 'boolean', default: false },
  },
});
const runs = Number(values.runs);
const threads = Number(values.threads);

const addon = loadNativeAddon();
const avx512 = addon.cpuInfo().avx512Kernels;
const t = await Transcriber.load(values.model, { threads, encoder: 'cpu' });
const audio = (await decodeAudioFile(values.audio)).samples;
const input = melWindow(t.frontend.compute(audio, { paddingSamples: N_SAMPLES }), 0);

const ours = await timeRuns(() => t.encoder.encode(input), runs);
const gflop = encoderFlops(t.dims) / 1e9;
// the peak at the vector width the GEMM runs at
const peak = await addon.benchFmaPeak({ threads, seconds: 1.0, avx512 });
const achieved = gflop / (ours.median / 1000);
// the AVX2 kernels alone, where the default is the AVX-512 GEMM
const avx2 = avx512 ? await Transcriber.load(values.model, { threads, encoder: 'cpu', avx512: false }) : undefined;
const oursAvx2 = avx2 === undefined ? undefined : await timeRuns(() => avx2.encoder.encode(input), runs);
const peakAvx2 = avx2 === undefined ? undefined : await addon.benchFmaPeak({ threads, seconds: 1.0, avx512: false });

let whisperCpp: ReturnType<typeof summarize> | undefined;
if (!values['skip-whisper-cpp']) {
  // whisper.cpp as Node users get it: the prebuilt in @fugood/whisper.node; its bench() runs whisper_encode on a 30 s window
  const whisper = createRequire(import.meta.url)('@fugood/whisper.node') as {
    initWhisper(o: object): Promise<{ bench(n: number): Promise<{ encodeMs: number }>; release(): Promise<void> }>;
  };
  const ctx = await whisper.initWhisper({ filePath: values.model, useGpu: false });
  await ctx.bench(threads); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < 3; i++) samples.push((await ctx.bench(threads)).encodeMs);
  whisperCpp = summarize(samples);
  await ctx.release();
}

const lines = [
  `encoder, one 30 s window, ${t.dims.nAudioLayer} layers x ${t.dims.nAudioState} wide, ${threads} threads`,
  `  amanuensis (${t.encoder.name} encoder):  ${fmt(ours)}`,
  `  work: ${gflop.toFixed(2)} GFLOP -> ${achieved.toFixed(1)} GFLOP/s`,
  `  machine FMA peak at ${threads} threads (measured, ${avx512 ? 'AVX-512' : 'AVX2'}): ${peak.toFixed(1)} GFLOP/s -> ${(100 * achieved / peak).toFixed(1)}% of peak`,
];
if (oursAvx2 !== undefined && peakAvx2 !== undefined) {
  const a = gflop / (oursAvx2.median / 1000);
  lines.push(`  with the AVX2 GEMM kernel only: ${fmt(oursAvx2)} -> ${a.toFixed(1)} GFLOP/s, ${(100 * a / peakAvx2).toFixed(1)}% of the AVX2 peak (${peakAvx2.toFixed(1)} GFLOP/s)`);
}
if (whisperCpp !== undefined) {
  lines.push(`  whisper.cpp (@fugood/whisper.node prebuilt): ${fmt(whisperCpp)}`);
  lines.push(`  ratio whisper.cpp prebuilt / amanuensis: ${(whisperCpp.median / ours.median).toFixed(2)}x`);
}
if (t.dims.nAudioState === 384 && t.dims.nAudioLayer === 4) {
  lines.push('  reference: a native build of whisper.cpp, measured beside amanuensis by bench/native-reference.ts');
}
console.log(lines.join('\n'));

writeRecord('encoder', {
  threads, model: values.model, dims: t.dims, gflop, amanuensisMs: ours, avx2KernelMs: oursAvx2, fmaPeakAvx2Gflops: peakAvx2,
  whisperCppPrebuiltMs: whisperCpp, achievedGflops: achieved, fmaPeakGflops: peak,
});
