/**
 * The dimensions of every official Whisper model, as openai/whisper's checkpoints store them
 * (`ModelDimensions`) and whisper.cpp's converter writes them into a GGML header. Every model has
 * n_audio_ctx 1500 and n_text_ctx 448, the same width and head count in encoder and decoder, and
 * an MLP four times as wide. whisper.cpp names the size by the encoder's layer count (4 tiny,
 * 6 base, 12 small, 24 medium, 32 large).
 */

/** One official model's shape. */
export interface WhisperShape {
  /** 51864 English-only, 51865 multilingual (tiny to large-v2), 51866 large-v3 and turbo (Cantonese added). */
  readonly nVocab: 51864 | 51865 | 51866;
  /** 80, or 128 from large-v3 on (openai's `mel_128` filterbank). */
  readonly nMels: 80 | 128;
  /** n_audio_state = n_text_state. */
  readonly nState: number;
  /** n_audio_head = n_text_head. */
  readonly nHead: number;
  readonly nAudioLayer: number;
  readonly nTextLayer: number;
}

const en = 51864;
const multi = 51865;

/** Every official model name (whisper.cpp's `ggml-<name>.bin`) with its shape. */
export const WHISPER_SHAPES = {
  'tiny.en': { nVocab: en, nMels: 80, nState: 384, nHead: 6, nAudioLayer: 4, nTextLayer: 4 },
  tiny: { nVocab: multi, nMels: 80, nState: 384, nHead: 6, nAudioLayer: 4, nTextLayer: 4 },
  'base.en': { nVocab: en, nMels: 80, nState: 512, nHead: 8, nAudioLayer: 6, nTextLayer: 6 },
  base: { nVocab: multi, nMels: 80, nState: 512, nHead: 8, nAudioLayer: 6, nTextLayer: 6 },
  'small.en': { nVocab: en, nMels: 80, nState: 768, nHead: 12, nAudioLayer: 12, nTextLayer: 12 },
  small: { nVocab: multi, nMels: 80, nState: 768, nHead: 12, nAudioLayer: 12, nTextLayer: 12 },
  'medium.en': { nVocab: en, nMels: 80, nState: 1024, nHead: 16, nAudioLayer: 24, nTextLayer: 24 },
  medium: { nVocab: multi, nMels: 80, nState: 1024, nHead: 16, nAudioLayer: 24, nTextLayer: 24 },
  'large-v1': { nVocab: multi, nMels: 80, nState: 1280, nHead: 20, nAudioLayer: 32, nTextLayer: 32 },
  'large-v2': { nVocab: multi, nMels: 80, nState: 1280, nHead: 20, nAudioLayer: 32, nTextLayer: 32 },
  'large-v3': { nVocab: 51866, nMels: 128, nState: 1280, nHead: 20, nAudioLayer: 32, nTextLayer: 32 },
  'large-v3-turbo': { nVocab: 51866, nMels: 128, nState: 1280, nHead: 20, nAudioLayer: 32, nTextLayer: 4 },
} as const satisfies Record<string, WhisperShape>;

export type WhisperShapeName = keyof typeof WHISPER_SHAPES;
