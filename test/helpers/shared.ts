/** Paths of the shared test data (`../shared` beside the repository) and readers for it. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const shared = (rel: string): string => fileURLToPath(new URL(`../../../shared/${rel}`, import.meta.url));

export const SYNTHETIC_MODEL = shared('models/synthetic/ggml-tiny.en-random-seed0.bin');
/** The synthetic model quantized by whisper.cpp's own quantize tool (header ftype 2007 and 2009). */
export const SYNTHETIC_MODEL_Q8_0 = shared('models/synthetic/ggml-tiny.en-random-seed0-q8_0.bin');
export const SYNTHETIC_MODEL_Q5_1 = shared('models/synthetic/ggml-tiny.en-random-seed0-q5_1.bin');
export const HEADER_ONLY_EN = shared('models/ggml-for-tests/for-tests-ggml-tiny.en.bin');
export const HEADER_ONLY_MULTI = shared('models/ggml-for-tests/for-tests-ggml-tiny.bin');
/** openai/whisper's exact filterbanks, `mel_80` and `mel_128`, each (n_mels, 201) float32. */
export const MEL_FILTERS_NPZ = shared('models/openai-whisper-assets/mel_filters.npz');
export const GPT2_TIKTOKEN = shared('models/openai-whisper-assets/gpt2.tiktoken');
export const MULTILINGUAL_TIKTOKEN = shared('models/openai-whisper-assets/multilingual.tiktoken');
export const HF_TOKENIZER_DIR = shared('models/whisper-tiny.en-hf-tokenizer');
export const JFK_WAV = shared('audio/jfk.wav');
/** Silero VAD v6.2.0 in whisper.cpp's GGML format (see its README). */
export const SILERO_VAD_MODEL = shared('models/silero-vad/ggml-silero-v6.2.0.bin');
/** The float64 reference of Silero VAD on jfk.wav: probs.f32 and meta.json (see ../shared/golden/README.md). */
export const SILERO_GOLDEN_DIR = shared('golden/silero-v6.2-jfk');
export const JFK_FLAC = shared('audio/jfk.flac');
export const STEREO_WAV = shared('audio/faster-whisper/stereo_diarization.wav');
export const MULTILINGUAL_MP3 = shared('audio/faster-whisper/multilingual.mp3');
export const LIBRISPEECH_DIR = shared('audio/librispeech-test-clean');

/**
 * Which golden set: the f16 synthetic model's (`''`) or a quantized file's (`'-q8_0'`, `'-q5_1'`),
 * each the float64 reference run on that file's weights.
 */
export type GoldenSet = '' | '-q8_0' | '-q5_1';

const goldenDir = (set: GoldenSet): string => `golden/tiny.en-random-seed0${set}-jfk/`;

/** A little-endian float32 file of a golden set (the f16 model's unless `set` says otherwise). */
export function goldenF32(name: 'mel.f32' | 'mel30.f32' | 'encoder.f32' | 'logits.f32', set: GoldenSet = ''): Float32Array {
  const b = readFileSync(shared(goldenDir(set) + name));
  const out = new Float32Array(b.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = b.readFloatLE(i * 4);
  return out;
}

export interface GoldenMeta {
  readonly forced_tokens: number[];
  readonly greedy_tokens: number[];
  readonly greedy_top1_minus_top2: number[];
  readonly shapes: Record<string, [number, number]>;
}

export function goldenMeta(set: GoldenSet = ''): GoldenMeta {
  return JSON.parse(readFileSync(shared(goldenDir(set) + 'meta.json'), 'utf8')) as GoldenMeta;
}

/** jfk.wav as openai/whisper and the golden reference read it: int16 / 32768, parsed here from the RIFF layout. */
export function jfkSamplesReference(): Float32Array {
  const b = readFileSync(JFK_WAV);
  // find the 'data' chunk; jfk.wav is PCM s16le mono 16 kHz
  let at = 12;
  while (at + 8 <= b.length) {
    const id = b.toString('ascii', at, at + 4);
    const size = b.readUInt32LE(at + 4);
    if (id === 'data') {
      const out = new Float32Array(size / 2);
      for (let i = 0; i < out.length; i++) out[i] = b.readInt16LE(at + 8 + 2 * i) / 32768;
      return out;
    }
    at += 8 + size + (size & 1);
  }
  throw new Error('no data chunk in jfk.wav');
}

/** A folder of the word-timestamps goldens (see ../shared/golden/words-tiny.en-seed0-jfk/README.md). */
export type WordsGoldenCase = 'jfk-text-heads-default' | 'greedy20';

/** words.json, alignment.json and matrix.f32 of a word-timestamps golden folder. */
export function wordsGolden(name: WordsGoldenCase): {
  words: { words: { word: string; tokens: number[]; start: number; end: number; probability: number }[]; text_tokens: number[]; tokens: number[];
    token_probabilities: number[]; alignment_raw: { word: string; tokens: number[]; start: number; end: number; probability: number }[];
    num_frames: number; audio_positions: number; median_duration: number; max_duration: number; text: string;
    segment_in: { start: number; end: number }; segment_out: { start: number; end: number } };
  alignment: { text_indices: number[]; time_indices: number[]; jump_times: number[] };
  matrix: Float32Array;
} {
  const dir = `golden/words-tiny.en-seed0-jfk/${name}/`;
  const b = readFileSync(shared(dir + 'matrix.f32'));
  const matrix = new Float32Array(b.length / 4);
  for (let i = 0; i < matrix.length; i++) matrix[i] = b.readFloatLE(i * 4);
  return {
    words: JSON.parse(readFileSync(shared(dir + 'words.json'), 'utf8')),
    alignment: JSON.parse(readFileSync(shared(dir + 'alignment.json'), 'utf8')),
    matrix,
  };
}

/** Max and mean absolute difference. */
export function diffStats(a: ArrayLike<number>, b: ArrayLike<number>): { max: number; mean: number } {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= max)) max = Number.isNaN(d) ? Infinity : d;
    sum += d;
  }
  return { max, mean: sum / a.length };
}
