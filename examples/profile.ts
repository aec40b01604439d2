/**
 * Where does the time go? Transcribe a file with native per-layer profiling and print the
 * breakdown table, the bar chart and the Prometheus exposition.
 *
 *   npx tsx examples/profile.ts <audio file: WAV, FLAC, MP3, Ogg, WebM; others with ffmpeg> <ggml-model.bin>
 */
import { Transcriber, decodeAudioFile } from '../src/index.js';

const [audioPath, modelPath] = process.argv.slice(2);
if (audioPath === undefined || modelPath === undefined) {
  console.error('usage: profile.ts <audio> <model.bin>');
  process.exit(2);
}

const transcriber = await Transcriber.load(modelPath, { profile: true, cache: false });
const { samples } = await decodeAudioFile(audioPath);
await transcriber.transcribe(samples, { temperature: 0 }); // warm-up: first-touch of weights and buffers
transcriber.profiler.reset();
for (let i = 0; i < 3; i++) await transcriber.transcribe(samples, { temperature: 0 });

const p = transcriber.profiler;
console.log('path'.padEnd(28), 'count', '    mean ms', '  median', '     p95', '     p99', '    total');
for (const s of p.allStats()) {
  console.log(s.path.padEnd(28), String(s.count).padStart(5), ...[s.mean, s.median, s.p95, s.p99, s.total].map((v) => v.toFixed(2).padStart(8)));
}
console.log('\n' + p.toBarChart());
console.log(p.toPrometheus());
transcriber.close();
