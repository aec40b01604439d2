/** Floating-point work of the Whisper encoder for one 30 s window, counted per operation. */
import type { ModelDimensions } from '../src/model/hparams.js';

/** Multiply-adds count 2 flops; only the products are counted (norms, softmax and GELU are < 1%). */
export function encoderFlops(d: ModelDimensions): number {
  const ctx = d.nAudioCtx;
  const frames = 2 * ctx;
  const s = d.nAudioState;
  const conv1 = 2 * frames * (3 * d.nMels) * s;
  const conv2 = 2 * ctx * (3 * s) * s;
  const qkv = 2 * ctx * s * 3 * s;
  const attention = 2 * 2 * ctx * ctx * s; // QK^T and PV
  const out = 2 * ctx * s * s;
  const mlp = 2 * 2 * ctx * s * 4 * s;
  return conv1 + conv2 + d.nAudioLayer * (qkv + attention + out + mlp);
}
