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

const t = await Transcriber.load(values.model, { threads });
const audio = (await decodeAudioFile(values.audio)).samples;
const input = melWindow(t.frontend.compute(audio, { paddingSamples: N_SAMPLES }), 0);

const ours = await timeRuns(() => t.encoder.encode(input), runs);
const gflop = encoderFlops(t.dims) / 1e9;
const peak = await loadNativeAddon().benchFmaPeak(threads, 1.0);
const achieved = gflop / (ours.median / 1000);

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
  `  machine FMA peak at ${threads} threads (measured): ${peak.toFixed(1)} GFLOP/s -> ${(100 * achieved / peak).toFixed(1)}% of peak`,
];
if (whisperCpp !== undefined) {
  lines.push(`  whisper.cpp (@fugood/whisper.node prebuilt): ${fmt(whisperCpp)}`);
  lines.push(`  ratio whisper.cpp prebuilt / amanuensis: ${(whisperCpp.median / ours.median).toFixed(2)}x`);
}
if (t.dims.nAudioState === 384 && t.dims.nAudioLayer === 4) {
  lines.push('  reference: a native AVX2/FMA build of whisper.cpp takes 716-836 ms for this window on this machine kind (issue #2)');
}
console.log(lines.join('\n'));

writeRecord('encoder', {
  threads, model: values.model, dims: t.dims, gflop, amanuensisMs: ours, whisperCppPrebuiltMs: whisperCpp, achievedGflops: achieved, fmaPeakGflops: peak,
});
