/**
 * The native CPU decoder: token embedding and positional embedding, causal self-attention
 * with a KV cache, cross-attention whose keys and values are computed once per window,
 * logits tied to the token embedding (openai/whisper model.py TextDecoder). Its token loop
 * runs natively too ({@link CpuDecoder.decodeLoop}), unless turned off.
 * @module
 */
import { TIME_PRECISION } from '../constants.js';
import { AmanuensisError, throwIfAborted } from '../errors.js';
import type { ModelDimensions } from '../model/hparams.js';
import type { NativeDecoderHandle, NativeLoopResult, NativeModelHandle } from '../native/binding.js';
import { followAbort } from '../utils/abort-followers.js';
import type { AlignmentPassRequest, AlignmentPassResult, Decoder, DecoderSession, TokenLoopOutcome, TokenLoopRequest } from './decoder.js';
import type { DecoderStepBatcher } from './step-batcher.js';

/** How the CPU decoder runs token loops natively. */
export interface NativeLoopSettings {
  /** Most sequences of concurrent windows stepped as one batch (1: no batching). */
  readonly maxBatchSequences: number;
}

/** {@link Decoder} running in the native module on a loaded model. */
export class CpuDecoder implements Decoder {
  readonly nVocab: number;
  readonly nTextCtx: number;
  /** Present unless the native token loop was turned off: see {@link Decoder.decodeLoop}. */
  readonly decodeLoop?: (features: Float32Array, request: TokenLoopRequest) => Promise<TokenLoopOutcome>;
  private readonly featureLength: number;
  /**
   * Windows kept by {@link CpuDecoder.retainFeatures}: a one-sequence decoder holding each, the
   * heads whose keys it keeps in f32 (`layer * nTextHead + head`), and its holders.
   */
  private readonly retained = new Map<Float32Array, { readonly window: Promise<NativeDecoderHandle>; readonly f32Heads: ReadonlySet<number>; holders: number }>();
  private readonly nTextHead: number;

  /**
   * @param model - native model handle
   * @param dims - its dimensions
   * @param threads - threads per step
   * @param batcher - when given, every step of {@link CpuDecoder.session} goes through it and is batched
   *   with the steps of the model's other concurrent sessions; otherwise each session steps alone
   * @param loop - how {@link CpuDecoder.decodeLoop} batches windows, or false to have no native loop
   *   (the TypeScript loop then steps through {@link CpuDecoder.session}). Default: batches of up to 64 sequences.
   */
  constructor(private readonly model: NativeModelHandle, dims: ModelDimensions, private readonly threads: number,
    private readonly batcher?: DecoderStepBatcher, loop: NativeLoopSettings | false = { maxBatchSequences: 64 }) {
    this.nVocab = dims.nVocab;
    this.nTextCtx = dims.nTextCtx;
    this.featureLength = dims.nAudioCtx * dims.nAudioState;
    this.nTextHead = dims.nTextHead;
    if (loop !== false) this.decodeLoop = (features, request) => this.nativeLoop(features, request, loop);
  }

  async session(features: Float32Array, nSeq: number): Promise<DecoderSession> {
    const native = await this.decoderWith(features, nSeq);
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

  async retainFeatures(features: Float32Array, alignmentHeads: readonly (readonly [number, number])[] = []): Promise<{ release(): void }> {
    this.checkFeatures(features);
    let entry = this.retained.get(features);
    if (entry === undefined) {
      const native = this.model.createDecoder({ nSeq: 1 });
      const keepF32Heads = Int32Array.from(alignmentHeads.flat());
      const window = native.setFeatures(features, { threads: this.threads, keepF32Heads }).then(() => native, (err: unknown) => {
        native.release();
        throw err;
      });
      entry = { window, f32Heads: new Set(alignmentHeads.map(([layer, head]) => layer * this.nTextHead + head)), holders: 0 };
      this.retained.set(features, entry);
    }
    entry.holders++;
    const held = entry;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      if (--held.holders > 0) return;
      if (this.retained.get(features) === held) this.retained.delete(features);
      held.window.then((native) => native.release(), () => undefined);
    };
    try {
      await held.window;
    } catch (err) {
      release();
      throw err;
    }
    return { release };
  }

  async alignmentPass(features: Float32Array, tokens: readonly number[], request: AlignmentPassRequest): Promise<AlignmentPassResult> {
    this.checkFeatures(features);
    const retained = this.retained.get(features);
    const held = retained !== undefined && request.heads.every(([layer, head]) => retained.f32Heads.has(layer * this.nTextHead + head))
      ? retained : undefined;
    const native = this.model.createDecoder({ nSeq: 1 });
    try {
      // a retained window with these heads' f32 keys is shared, not recomputed; otherwise the pass sets the features itself
      if (held !== undefined) native.shareFeatures(await held.window);
      return await native.align(Int32Array.from(tokens), {
        ...(held === undefined && { features }), heads: Int32Array.from(request.heads.flat()), nPositions: request.nPositions, textVocabEnd: request.textVocabEnd,
        ...(request.matrixRows !== undefined && { matrixRows: Int32Array.from(request.matrixRows) }), threads: this.threads,
      });
    } finally {
      native.release();
    }
  }

  private checkFeatures(features: Float32Array): void {
    if (!(features instanceof Float32Array) || features.length !== this.featureLength) {
      throw new AmanuensisError('ERR_INVALID_ARGUMENT', `audio features must be a Float32Array of ${this.featureLength} values`);
    }
  }

  /** A native decoder of `nSeq` sequences over `features` (a retained window's shared, not recomputed). */
  private async decoderWith(features: Float32Array, nSeq: number): Promise<NativeDecoderHandle> {
    this.checkFeatures(features);
    const held = this.retained.get(features);
    const native = this.model.createDecoder({ nSeq });
    try {
      if (held !== undefined) native.shareFeatures(await held.window);
      else await native.setFeatures(features, { threads: this.threads });
    } catch (err) {
      native.release();
      throw err;
    }
    return native;
  }

  /**
   * The whole token loop in the native module: the logits stay there, and the loops of concurrent
   * windows of this model take their steps together. Makes the decisions of the TypeScript loop.
   */
  private async nativeLoop(features: Float32Array, r: TokenLoopRequest, settings: NativeLoopSettings): Promise<TokenLoopOutcome> {
    throwIfAborted(r.signal);
    const native = await this.decoderWith(features, r.nSeq);
    const abort = this.model.createAbortFlag();
    const unfollow = r.signal === undefined ? undefined : followAbort(r.signal, () => abort.abort());
    // a listener added to a signal that fired meanwhile (while the features were set) never runs
    if (r.signal?.aborted === true) abort.abort();
    // a throwing progress callback stops the loop and is what the call rejects with, as in the TypeScript loop
    let callbackError: { error: unknown } | undefined;
    const onStep = r.onStep;
    try {
      const run = (): Promise<NativeLoopResult> => native.runLoop({
        initial: Int32Array.from(r.initial),
        sotIndex: r.sotIndex,
        temperature: r.temperature,
        beamSize: r.beamSize ?? 0,
        patience: r.patience,
        sampleLen: r.sampleLen,
        eot: r.special.eot,
        noSpeech: r.special.noSpeech,
        noTimestamps: r.special.noTimestamps,
        timestampBegin: r.special.timestampBegin,
        suppressBlank: r.suppressBlank,
        blankTokens: Int32Array.from(r.blankTokens),
        // ids outside the vocabulary suppress nothing, as in the TypeScript filter (an Int32Array would wrap them)
        suppressTokens: Int32Array.from(r.suppressTokens.filter((t) => t >= 0 && t < this.nVocab)),
        timestamps: r.timestamps,
        maxInitialTimestampIndex: r.maxInitialTimestamp === undefined ? -1 : Math.round(r.maxInitialTimestamp / TIME_PRECISION),
        requireInitialTimestamp: r.requireInitialTimestamp ?? true,
        randomState: r.random.state,
        threads: this.threads,
        maxBatchSequences: settings.maxBatchSequences,
        abort,
        ...(onStep !== undefined && {
          onStep: (tokens: number, latestTimestamp: number) => {
            // a step reported after an abort (the next one was already under way) is not news
            if (callbackError !== undefined || r.signal?.aborted === true) return;
            try {
              onStep({ tokens, decodedS: latestTimestamp * TIME_PRECISION });
            } catch (error) {
              callbackError = { error };
              abort.abort();
            }
          },
        }),
      });
      // the whole loop is one `loop` span: its steps never come back to JavaScript to be timed
      const out = await (r.profiler === undefined ? run() : r.profiler.measure('loop', run));
      if (callbackError !== undefined) throw callbackError.error;
      r.random.state = out.randomState;
      return { candidates: out.candidates.map((c) => Array.from(c)), sumLogprobs: Array.from(out.sumLogprobs), noSpeechProb: out.noSpeechProb };
    } catch (err) {
      if (callbackError !== undefined && err !== callbackError.error) throw callbackError.error;
      // the signal's own reason, as everywhere else
      throwIfAborted(r.signal);
      throw err;
    } finally {
      unfollow?.();
      native.release();
    }
  }
}
