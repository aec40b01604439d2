import { Transcriber } from './src/transcriber.ts';
import { goldenF32 } from './test/helpers/shared.ts';
const t = await Transcriber.load('/work/shared/models/synthetic/ggml-tiny.en-random-seed0.bin', { threads: 2 });
const s = await t.decoder.session(goldenF32('encoder.f32'), 1);
await s.step(new Int32Array(49).fill(220), 49, Int32Array.of(48));
const t0 = performance.now();
for (let i = 0; i < 300; i++) await s.step(Int32Array.of(220), 1, Int32Array.of(0));
console.log('per step', (performance.now() - t0) / 300);
