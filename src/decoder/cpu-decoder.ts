/**
 * The native CPU decoder: token embedding and positional embedding, causal self-attention
 * with a KV cache, cross-attention whose keys and values are computed once per window,
 * logits tied to the token embedding (openai/whisper model.py TextDecoder).
 * @module
 */
import { AmanuensisError } from '../errors.js';
import type { ModelDimensions } from '../model/hparams.js';
import type { NativeModelHandle } from '../native/binding.js';
import type { Decoder, DecoderSession } from './decoder.js';
import type { DecoderStepBatcher } from './step-batcher.js';

/** {@link Decoder} running in the native module on a loaded model. */
export class CpuDecoder implements Decoder {
  readonly nVocab: number;
  readonly nTextCtx: number;
  private readonly featureLength: number;

  /**
   * @param model - native model handle
   * @param dims - its dimensions
   * @param threads - threads per step
   * @param batcher - when given, every step goes through it and is batched with the steps of the
   *   model's other concurrent sessions; otherwise each session steps alone
   */
  constructor(private readonly model: NativeModelHandle, dims: ModelDimensions, private readonly threads: number,
    private readonly batcher?: DecoderStepBatcher) {
    this.nVocab = dims.nVocab;
    this.nTextCtx = dims.nTextCtx;
    this.featureLength = dims.nAudioCtx * dims.nAudioState;
  }

  async session(features: Float32Array, nSeq: number): Promise<DecoderSession> {
    if (!(features instanceof Float32Array) || features.length !== this.featureLength) {
      throw new AmanuensisError('ERR_INVALID_ARGUMENT', `audio features must be a Float32Array of ${this.featureLength} values`);
    }
    const native = this.model.createDecoder({ nSeq });
    await native.setFeatures(features, { threads: this.threads });
    const threads = this.threads;
    const batcher = this.batcher;
    // one-position steps (all but the first) reuse one logits array instead of allocating per step
    const stepLogits = new Float32Array(nSeq * this.nVocab);
    return {
      nSeq,
      step(tokens, nNew, positions) {
        const out = positions.length === 1 ? stepLogits : undefined;
        const entry = { decoder: native, tokens, nNew, positions, ...(out !== undefined && { out }) };
        return batcher !== undefined ? batcher.step(entry, nSeq) : native.step(tokens, { nNew, positions, threads, ...(out !== undefined && { out }) });
      },
      reorder: (source) => native.reorder(source),
      close: () => native.release(),
    };
  }

  async logits(tokens: readonly number[] | Int32Array, features: Float32Array): Promise<Float32Array> {
    const ids = Int32Array.from(tokens);
    if (ids.length === 0) throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'logits() needs at least one token');
    const s = await this.session(features, 1);
    try {
      return await s.step(ids, ids.length, Int32Array.from(ids.keys()));
    } finally {
      s.close?.();
    }
  }
}
