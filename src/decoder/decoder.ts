/**
 * The pluggable third stage of a Transcriber: the text decoder that turns audio features
 * and a token prefix into next-token logits.
 * @module
 */

/**
 * Incremental decoding of `nSeq` sequences over one window's audio features; the
 * sequences advance together (beams, best-of candidates). Not safe for concurrent calls:
 * await each operation before the next.
 */
export interface DecoderSession {
  /** Sequences decoded together. */
  readonly nSeq: number;
  /**
   * Appends `nNew` tokens to every sequence and returns next-token logits at the given
   * positions of the appended block.
   * @param tokens - `[nSeq, nNew]` row-major
   * @param positions - indices into the appended block, each in [0, nNew)
   * @returns `[nSeq, positions.length, nVocab]` row-major; implementations may reuse the array for the
   *   next call, so copy what must outlive it
   * @throws {@link AmanuensisError} `ERR_CONTEXT_OVERFLOW` past nTextCtx tokens, `ERR_INVALID_ARGUMENT`
   */
  step(tokens: Int32Array, nNew: number, positions: Int32Array): Promise<Float32Array>;
  /** Sequence i continues from the state of sequence `source[i]` (beam search). */
  reorder(source: Int32Array): void;
  /** Frees the session's memory now; later calls reject with `ERR_CLOSED`. Optional for custom decoders. */
  close?(): void;
}

/** A text decoder: openai/whisper model.py TextDecoder behind an incremental interface. */
export interface Decoder {
  /** Vocabulary size of the logits. */
  readonly nVocab: number;
  /** Longest token sequence (nTextCtx). */
  readonly nTextCtx: number;
  /**
   * Opens a session over one window.
   * @param features - audio features `[nAudioCtx, nAudioState]` row-major
   * @param nSeq - sequences decoded together (1 to 64)
   */
  session(features: Float32Array, nSeq: number): Promise<DecoderSession>;
  /**
   * Teacher-forced logits of a whole token sequence.
   * @param tokens - token ids, e.g. an SOT sequence followed by text tokens
   * @param features - audio features `[nAudioCtx, nAudioState]` row-major
   * @returns logits `[tokens.length, nVocab]` row-major: row i predicts token i + 1
   */
  logits(tokens: readonly number[] | Int32Array, features: Float32Array): Promise<Float32Array>;
}
