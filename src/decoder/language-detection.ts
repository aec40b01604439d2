/**
 * Spoken language identification from one window's audio features, as openai/whisper
 * `decoding.py` detect_language: one decoder step on `<|startoftranscript|>`, the logits
 * restricted to the language tokens, softmax.
 * @module
 */
import type { Tokenizer } from '../tokenizer/tokenizer.js';
import type { Decoder } from './decoder.js';

/** Language identification result. */
export interface LanguageDetection {
  /** Most probable language code. */
  readonly language: string;
  /** Probability of every language the model knows, by code; they sum to 1. */
  readonly probabilities: Readonly<Record<string, number>>;
}

/**
 * The language of a window, from its audio features.
 * @param decoder - the model's decoder
 * @param tokenizer - the model's tokenizer, which must be multilingual (it has the language tokens)
 * @param features - audio features `[nAudioCtx, nAudioState]` row-major
 * @throws {@link AmanuensisError} what the decoder throws
 */
export async function detectLanguageFromFeatures(decoder: Decoder, tokenizer: Tokenizer, features: Float32Array): Promise<LanguageDetection> {
  const session = await decoder.session(features, 1);
  let logits: Float32Array;
  try {
    logits = await session.step(Int32Array.of(tokenizer.special.sot), 1, Int32Array.of(0));
  } finally {
    session.close?.();
  }
  const codes = tokenizer.languageCodes;
  const scores = codes.map((c) => logits[tokenizer.languageToken(c)!]!);
  const max = Math.max(...scores);
  const exp = scores.map((s) => Math.exp(s - max));
  const total = exp.reduce((a, b) => a + b, 0);
  const probabilities = Object.fromEntries(codes.map((c, i) => [c, exp[i]! / total]));
  return { language: codes[scores.indexOf(max)]!, probabilities };
}
