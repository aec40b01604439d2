/**
 * Silero VAD throughput: the probabilities of one hour of 16 kHz speech (the shared speech files
 * with 2 s of silence after each, repeated), in seconds of audio per second of compute, median
 * of the runs after one warm-up; and the cost of the streaming call path (one call per 512-sample frame).
 *
 * Run: npx tsx bench/vad.ts [--threads 2] [--runs 5] [--seconds 3600]
 */
import { readdirSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { decodeAudioFile } from '../src/audio/audio-file.js';
import { Vad } from '../src/vad/vad.js';
import { writeRecord } from './record.js';
import { fmt, timeRuns } from './stats.js';

const { values } = parseArgs({
  options: { threads: { type: 'string', default: '2' }, runs: { type: 'string', default: '5' }, seconds: { type: 'string', default: '3600' } },
});
const threads = Number(values.threads);
const seconds = Number(values.seconds);
const RATE = 16000;

const librispeech = '../shared/audio/librispeech-test-clean';
const files = ['../shared/audio/jfk.wav', '../shared/audio/faster-whisper/multilingual.mp3',
  ...readdirSync(librispeech).filter((f) => f.endsWith('.flac')).map((f) => `${librispeech}/${f}`)];
const speech: Float32Array[] = [];
for (const f of files) speech.push((await decodeAudioFile(f)).samples);

const audio = new Float32Array(seconds * RATE);
for (let at = 0, i = 0; at < audio.length; i++) {
  const piece = speech[i % speech.length]!.subarray(0, audio.length - at);
  audio.set(piece, at);
  at += piece.length + 2 * RATE;  // 2 s of silence after each file
}

const vad = await Vad.load(undefined, { threads });
const whole = await timeRuns(() => vad.probabilities(audio), Number(values.runs), 1);
const ratio = seconds / (whole.median / 1000);
console.log(`Silero VAD v${vad.version}, ${seconds} s of speech and silence, ${threads} threads`);
console.log(`  probabilities of the whole file: ${fmt(whole)} = ${ratio.toFixed(0)}x real time`);

// streaming: one call per frame through a probability stream, 60 s of audio
const minute = audio.subarray(0, 60 * RATE);
const perFrame = await timeRuns(async () => {
  const stream = vad.probabilityStream();
  for (let at = 0; at < minute.length; at += 512) await stream.push(minute.subarray(at, at + 512));
}, 3, 1);
const msPerCall = perFrame.median / (minute.length / 512);
console.log(`  streaming, one 512-sample push at a time: ${(msPerCall * 1000).toFixed(1)} us per frame (${(32 / msPerCall).toFixed(0)}x real time)`);
writeRecord('vad', { threads, audioSeconds: seconds, wholeFileMs: whole, realTimeFactor: ratio, streamingUsPerFrame: msPerCall * 1000 });
vad.close();
