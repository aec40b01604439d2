/**
 * Bytes one decoder step reads, from a model file's own tensor table: the decoder's weight
 * matrices as the file stores them (f16 or quantized blocks; a step never reads the cross-attention
 * key and value projections) and the token embedding once, the cross-attention K/V (f16) once per
 * window, the self-attention K/V (f16) of `context` positions per sequence.
 */
import type { GgmlModelFile } from '../src/model/ggml-loader.js';

export function decoderStepBytes(file: GgmlModelFile, context: number, sequences = 1, windows = 1): number {
  const d = file.dims;
  const s = d.nTextState;
  const weights = file.tensors
    .filter((t) => t.ne.length === 2 && (t.name === 'decoder.token_embedding.weight' ||
      (t.name.startsWith('decoder.blocks.') && !/cross_attn\.(key|value)\./.test(t.name))))
    .reduce((n, t) => n + t.nbytes, 0);
  return weights + d.nTextLayer * (2 * d.nAudioCtx * s * 2 * windows + 2 * context * s * 2 * sequences);
}
