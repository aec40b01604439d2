/**
 * Model dimensions as stored in a GGML file header.
 * @module
 */
import { AmanuensisError } from '../errors.js';

/**
 * The 11 hyperparameters of a whisper.cpp GGML file, in file order (as openai/whisper
 * `model.py` ModelDimensions, plus whisper.cpp's `ftype`).
 */
export interface ModelDimensions {
  /** Vocabulary size including special and timestamp tokens (English-only or multilingual: see `tokenizer/vocabulary.ts`). */
  readonly nVocab: number;
  /** Encoder output positions per 30 s window (1500). */
  readonly nAudioCtx: number;
  /** Encoder width. */
  readonly nAudioState: number;
  /** Encoder attention heads. */
  readonly nAudioHead: number;
  /** Encoder blocks. */
  readonly nAudioLayer: number;
  /** Decoder context in tokens (448). */
  readonly nTextCtx: number;
  /** Decoder width. */
  readonly nTextState: number;
  /** Decoder attention heads. */
  readonly nTextHead: number;
  /** Decoder blocks. */
  readonly nTextLayer: number;
  /** Mel bands of the log-mel spectrogram (80, or 128 for large-v3). */
  readonly nMels: number;
  /** whisper.cpp file type: 0 f32, 1 f16, 2 q4_0, 3 q4_1, 7 q8_0, 8 q5_0, 9 q5_1 (quantization version removed). */
  readonly ftype: number;
}

/** Field names in file order. @internal */
export const HPARAM_FIELDS = [
  'nVocab', 'nAudioCtx', 'nAudioState', 'nAudioHead', 'nAudioLayer',
  'nTextCtx', 'nTextState', 'nTextHead', 'nTextLayer', 'nMels', 'ftype',
] as const satisfies readonly (keyof ModelDimensions)[];

/** Upper bounds far above any published Whisper model, to refuse garbage before allocating. */
const LIMITS: Record<Exclude<keyof ModelDimensions, 'ftype'>, number> = {
  nVocab: 1_000_000,
  nAudioCtx: 65_536,
  nAudioState: 16_384,
  nAudioHead: 1_024,
  nAudioLayer: 1_024,
  nTextCtx: 65_536,
  nTextState: 16_384,
  nTextHead: 1_024,
  nTextLayer: 1_024,
  nMels: 1_024,
};

/**
 * Refuses absurd or inconsistent dimensions.
 * @throws {@link AmanuensisError} `ERR_MODEL_BAD_HPARAMS`
 */
export function validateDimensions(d: ModelDimensions): void {
  for (const [key, max] of Object.entries(LIMITS) as [keyof typeof LIMITS, number][]) {
    const v = d[key];
    if (!Number.isInteger(v) || v < 1 || v > max) {
      throw new AmanuensisError('ERR_MODEL_BAD_HPARAMS', `hparam ${key} = ${v} is outside [1, ${max}]`);
    }
  }
  if (d.nAudioState % d.nAudioHead !== 0 || d.nTextState % d.nTextHead !== 0) {
    throw new AmanuensisError('ERR_MODEL_BAD_HPARAMS', 'the model width is not divisible by its number of heads');
  }
  if (d.nAudioState !== d.nTextState) {
    throw new AmanuensisError('ERR_MODEL_BAD_HPARAMS',
      `encoder width ${d.nAudioState} differs from decoder width ${d.nTextState}; no Whisper model does that`);
  }
  if (d.ftype < 0) {
    throw new AmanuensisError('ERR_MODEL_BAD_HPARAMS', `ftype ${d.ftype} is negative`);
  }
}
