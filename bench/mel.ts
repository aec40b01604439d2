/**
 * Log-mel benchmark: 30 s of audio (jfk.wav repeated) with Whisper's 30 s of padding, native
 * (the Transcriber's default) and TypeScript (fft.js), median of 21 runs (native) and 9 (TypeScript) after warm-up.
 *
 * Run: npx tsx bench/mel.ts [--threads 2]
 */
import { parseArgs } from 'node:util';

import { decodeAudioFile } from '../src/audio/audio-file.js';
import { N_SAMPLES } from '../src/constants.js';
import { Transcriber } from '../src/transcriber.js';
import { writeRecord } from './record.js';
import { fmt, timeRuns } from './stats.js';

const { values } = parseArgs({ options: { threads: { type: 'string', default: '2' } } });
const t = await Transcriber.load('../shared/models/synthetic/ggml-tiny.en-random-seed0.bin', { threads: Number(values.threads) });
const jfk = (await decodeAudioFile('../shared/audio/jfk.wav')).samples;
const audio = Float32Array.from({ length: N_SAMPLES }, (_, i) => jfk[i % jfk.length]!);
const native = await timeRuns(() => t.frontend.computeAsync!(audio, { paddingSamples: N_SAMPLES }), 21, 3);
const ts = await timeRuns(async () => t.frontend.compute(audio, { paddingSamples: N_SAMPLES }), 9);
console.log(`log-mel, 30 s of audio + 30 s padding, ${values.threads} threads`);
console.log(`  native (DFT as GEMM):   ${fmt(native)}`);
console.log(`  TypeScript (fft.js):    ${fmt(ts)}`);
console.log('  reference: whisper.cpp native build 24-29 ms (issue #4); target <= 10 ms');
writeRecord('mel', { threads: Number(values.threads), audioSeconds: 30, nativeMs: native, typescriptMs: ts });
