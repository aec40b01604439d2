/**
 * The tensors a Whisper model file must contain and their shapes, derived from the
 * hyperparameters (names as whisper.cpp's converter writes them; shapes in ggml order,
 * `ne[0]` varying fastest).
 * @module
 */
import type { ModelDimensions } from './hparams.js';

/** One or more accepted shapes of a tensor. */
export type ShapeSpec = readonly (readonly number[])[];

/** Expected shape(s) of every tensor, by name. */
export function expectedTensorShapes(d: ModelDimensions): Map<string, ShapeSpec> {
  const spec = new Map<string, ShapeSpec>();
  const vec = (n: number): ShapeSpec => [[n]];
  // converters store conv biases as (n, 1): ggml [1, n]
  const convBias = (n: number): ShapeSpec => [[1, n], [n]];
  const linear = (prefix: string, out: number, inp: number, bias = true): void => {
    spec.set(`${prefix}.weight`, [[inp, out]]);
    if (bias) spec.set(`${prefix}.bias`, vec(out));
  };
  const norm = (prefix: string, n: number): void => {
    spec.set(`${prefix}.weight`, vec(n));
    spec.set(`${prefix}.bias`, vec(n));
  };
  const attention = (prefix: string, n: number): void => {
    linear(`${prefix}.query`, n, n);
    linear(`${prefix}.key`, n, n, false);
    linear(`${prefix}.value`, n, n);
    linear(`${prefix}.out`, n, n);
  };
  const mlp = (prefix: string, n: number): void => {
    linear(`${prefix}.mlp.0`, 4 * n, n);
    linear(`${prefix}.mlp.2`, n, 4 * n);
    norm(`${prefix}.mlp_ln`, n);
  };

  const sa = d.nAudioState;
  spec.set('encoder.positional_embedding', [[sa, d.nAudioCtx]]);
  spec.set('encoder.conv1.weight', [[3, d.nMels, sa]]);
  spec.set('encoder.conv1.bias', convBias(sa));
  spec.set('encoder.conv2.weight', [[3, sa, sa]]);
  spec.set('encoder.conv2.bias', convBias(sa));
  norm('encoder.ln_post', sa);
  for (let i = 0; i < d.nAudioLayer; i++) {
    const p = `encoder.blocks.${i}`;
    norm(`${p}.attn_ln`, sa);
    attention(`${p}.attn`, sa);
    mlp(p, sa);
  }

  const st = d.nTextState;
  spec.set('decoder.positional_embedding', [[st, d.nTextCtx]]);
  spec.set('decoder.token_embedding.weight', [[st, d.nVocab]]);
  norm('decoder.ln', st);
  for (let i = 0; i < d.nTextLayer; i++) {
    const p = `decoder.blocks.${i}`;
    norm(`${p}.attn_ln`, st);
    attention(`${p}.attn`, st);
    norm(`${p}.cross_attn_ln`, st);
    attention(`${p}.cross_attn`, st);
    mlp(p, st);
  }
  return spec;
}
