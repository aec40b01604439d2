/**
 * Transcribe one audio file and print each segment with its times, then where the time went.
 *
 *   npx tsx examples/transcribe-file.ts <audio file: WAV, FLAC, MP3, Ogg, WebM; others with ffmpeg> <ggml-model.bin>
 */
import { Transcriber, decodeAudioFile } from '../src/index.js';

const [audioPath, modelPath] = process.argv.slice(2);
if (audioPath === undefined || modelPath === undefined) {
  console.error('usage: transcribe-file.ts <audio> <model.bin>');
  process.exit(2);
}

const transcriber = await Transcriber.load(modelPath);
const { samples, durationS } = await decodeAudioFile(audioPath);
const result = await transcriber.transcribe(samples, {
  onProgress: (p) => process.stderr.write(`\r${(100 * p.fraction).toFixed(0)}%`),
});
process.stderr.write('\n');

for (const s of result.segments) console.log(`[${s.start.toFixed(2)} -> ${s.end.toFixed(2)}] ${s.text.trim()}`);
const t = result.timings;
console.log(`\n${durationS.toFixed(1)} s of audio: mel ${t.melMs.toFixed(0)} ms, encode ${t.encodeMs.toFixed(0)} ms, ` +
  `decode ${t.decodeMs.toFixed(0)} ms, total ${t.totalMs.toFixed(0)} ms (real-time factor ${result.realtimeFactor.toFixed(3)})`);
transcriber.close();
