import { Transcriber, decodeAudioFile } from './src/index.js';
import { melWindow } from './src/audio/mel-frontend.js';
const jfk = (await decodeAudioFile('../shared/audio/jfk.wav')).samples;
const t = await Transcriber.load('../shared/models/synthetic/ggml-tiny.en-random-seed0.bin', { threads: 2, cache: false, encoder: 'cpu' });
const w = melWindow(t.frontend.compute(jfk, { paddingSamples: 480000 }), 0);
for (let i = 0; i < 12; i++) await t.encoder.encode(w);
