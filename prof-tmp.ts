import { Transcriber, decodeAudioFile } from './src/index.js';
import { melWindow } from './src/audio/mel-frontend.js';
const jfk = (await decodeAudioFile('../shared/audio/jfk.wav')).samples;
for (const avx512 of [false, true, false, true]) {
  const t = await Transcriber.load('../shared/models/synthetic/ggml-tiny.en-random-seed0.bin', { threads: 2, cache: false, encoder: 'cpu', avx512 });
  const w = melWindow(t.frontend.compute(jfk, { paddingSamples: 480000 }), 0);
  await t.encoder.encode(w);
  const times: number[] = [];
  for (let i = 0; i < 5; i++) { const t0 = performance.now(); await t.encoder.encode(w); times.push(performance.now() - t0); }
  times.sort((a, b) => a - b);
  const e: number[] = [];
  for (let i = 0; i < 3; i++) { const t0 = performance.now(); await t.transcribe(jfk, { temperature: 0, language: 'en', sampleLen: 11 }); e.push(performance.now() - t0); }
  e.sort((a, b) => a - b);
  console.log(`avx512 ${avx512} (${(t as any).decoder?.model?.info?.().kernels ?? ''}): encoder median ${times[2]!.toFixed(1)} ms; e2e 11 steps ${e[1]!.toFixed(0)} ms`);
}
