/** WAV files made in tests (wavefile writes them). */
import wavefile from 'wavefile';

/** `samples` (mono, in [-1, 1]) as a 16-bit PCM WAV file; samples that are multiples of 1/32768 round-trip exactly. */
export function wavBytes(samples: Float32Array, sampleRate = 16_000): Uint8Array {
  const pcm = Int16Array.from(samples, (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32768))));
  const wav = new wavefile.WaveFile();
  wav.fromScratch(1, sampleRate, '16', pcm);
  return wav.toBuffer();
}

/** `samples` played `times` times in a row. */
export function repeated(samples: Float32Array, times: number): Float32Array {
  const out = new Float32Array(samples.length * times);
  for (let i = 0; i < times; i++) out.set(samples, i * samples.length);
  return out;
}
