/**
 * Cross-request batching of decoder steps: the steps that concurrent decoders of one model
 * ask for while a step is running are run together as one native step, so every weight
 * matrix (the 51864-row token embedding above all) is read once for all of them.
 * @module
 */
import { AmanuensisError } from '../errors.js';
import type { NativeAddon, NativeStepEntry } from '../native/binding.js';

/** How decoder steps are batched. */
export interface DecoderBatchingOptions {
  /**
   * Most sequences in one batch (beams and best-of candidates count one each); steps past it wait
   * for the next batch. Default 64.
   */
  readonly maxSequences?: number;
}

/** Counters of a {@link DecoderStepBatcher}. */
export interface DecoderBatchStats {
  /** Native steps run. */
  readonly batches: number;
  /** Decoder steps served (a batch serves one or more). */
  readonly steps: number;
  /** Most decoder steps served by one batch. */
  readonly largestBatch: number;
}

interface PendingStep {
  readonly entry: NativeStepEntry;
  readonly nSeq: number;
  readonly resolve: (logits: Float32Array) => void;
  readonly reject: (err: AmanuensisError) => void;
}

/**
 * Collects decoder steps and runs them as batched native steps, one batch at a time.
 *
 * A step submitted while nothing runs starts on the next turn of the event loop (so steps
 * submitted in the same turn share it); a step submitted while a batch runs joins the next
 * batch, which starts once the running one has settled and its callers have submitted their
 * following steps. One decoder alone therefore runs exactly as unbatched.
 */
export class DecoderStepBatcher {
  private readonly maxSequences: number;
  private readonly pending: PendingStep[] = [];
  private running = false;
  private scheduled = false;
  private counters = { batches: 0, steps: 0, largestBatch: 0 };

  /**
   * @param addon - the native module
   * @param threads - threads per batch
   * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` when `maxSequences` is not an integer from 1 to 4096
   */
  constructor(private readonly addon: NativeAddon, private readonly threads: number, options: DecoderBatchingOptions = {}) {
    this.maxSequences = options.maxSequences ?? 64;
    if (!Number.isInteger(this.maxSequences) || this.maxSequences < 1 || this.maxSequences > 4096) {
      throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'maxSequences must be an integer from 1 to 4096');
    }
  }

  /** What has been batched so far. */
  get stats(): DecoderBatchStats {
    return { ...this.counters };
  }

  /**
   * Steps one decoder as part of the next batch.
   * @param entry - the decoder and its step
   * @param nSeq - its sequence count (for the batch bound)
   * @returns its logits `[nSeq, positions.length, nVocab]` (`entry.out` when given)
   * @throws {@link AmanuensisError} whatever the native step refuses this entry with (`ERR_CONTEXT_OVERFLOW`,
   *   `ERR_INVALID_ARGUMENT`, `ERR_DECODER_BUSY`, `ERR_CLOSED`); other entries of its batch are unaffected
   */
  step(entry: NativeStepEntry, nSeq: number): Promise<Float32Array> {
    return new Promise<Float32Array>((resolve, reject) => {
      this.pending.push({ entry, nSeq, resolve, reject });
      if (!this.running) this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate runs after the promise continuations of the batch that just settled, so
    // the decoders it served have submitted their next steps by then
    setImmediate(() => {
      this.scheduled = false;
      this.dispatch();
    });
  }

  private dispatch(): void {
    if (this.running || this.pending.length === 0) return;
    const batch: PendingStep[] = [this.pending.shift()!];
    let sequences = batch[0]!.nSeq;
    while (this.pending.length > 0 && sequences + this.pending[0]!.nSeq <= this.maxSequences) {
      sequences += this.pending[0]!.nSeq;
      batch.push(this.pending.shift()!);
    }
    this.running = true;
    this.counters.batches++;
    this.counters.steps += batch.length;
    this.counters.largestBatch = Math.max(this.counters.largestBatch, batch.length);
    let results: Promise<(Float32Array | AmanuensisError)[]>;
    try {
      if (batch.length === 1) {
        // alone: the plain step, without the per-entry result array
        const { decoder, tokens, nNew, positions, out } = batch[0]!.entry;
        results = decoder.step(tokens, { nNew, positions, threads: this.threads, ...(out !== undefined && { out }) })
          .then((r) => [r], (err: AmanuensisError) => [err]);
      } else {
        results = this.addon.stepDecoders(batch.map((p) => p.entry), { threads: this.threads });
      }
    } catch (err) {
      results = Promise.reject(err);
    }
    results.then(
      (settled) => batch.forEach((p, i) => {
        const r = settled[i];
        if (r instanceof Float32Array) p.resolve(r);
        else p.reject(r!);
      }),
      // the addon throws and rejects with AmanuensisError only (it was handed the class at load)
      (err: AmanuensisError) => batch.forEach((p) => p.reject(err)),
    ).finally(() => {
      this.running = false;
      if (this.pending.length > 0) this.schedule();
    });
  }
}
