/**
 * The pluggable third stage of a Transcriber: the text decoder that turns audio features
 * and a token prefix into next-token logits.
 * @module
 */
import type { PerformanceProfiler } from '../utils/performance-profiler.js';
import type { SeededRandom } from '../utils/random.js';

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

/** How far one window's decode has got, after each sampled token. */
export interface DecodeStepProgress {
  /** Tokens sampled so far in this decode (per sequence). */
  readonly tokens: number;
  /**
   * The latest timestamp token sampled so far in any sequence, in seconds from the window's
   * start (timestamp tokens count 0.02 s each), or 0 before the first: the audio decoded so far.
   */
  readonly decodedS: number;
}

/**
 * One window's token loop at one temperature, every choice resolved: what openai/whisper
 * decoding.py DecodingTask runs (`_main_loop` with its logit filters and token decoder).
 */
export interface TokenLoopRequest {
  /** Initial tokens: the previous-text prompt, the SOT sequence (and `<|notimestamps|>`); sampling starts after them. */
  readonly initial: readonly number[];
  /** Index of `<|startoftranscript|>` in `initial` (its logits give the no-speech probability). */
  readonly sotIndex: number;
  /** Sequences decoded together: beams, best-of candidates, or 1. */
  readonly nSeq: number;
  /** 0: argmax, or beam search with `beamSize`; above 0: sampling from softmax(logits / temperature). */
  readonly temperature: number;
  /** Beam width (temperature 0, equal to `nSeq`); undefined for greedy decoding or sampling. */
  readonly beamSize?: number;
  /** Beam search patience: finished candidates = round(beamSize × patience). */
  readonly patience: number;
  /** Most tokens sampled. */
  readonly sampleLen: number;
  /** The special tokens the rules use. */
  readonly special: { readonly eot: number; readonly noSpeech: number; readonly noTimestamps: number; readonly timestampBegin: number };
  /** SuppressBlank: no blank or EOT as the first sampled token. */
  readonly suppressBlank: boolean;
  /** What a lone space encodes to (SuppressBlank's tokens). */
  readonly blankTokens: readonly number[];
  /** Tokens never sampled (SuppressTokens). */
  readonly suppressTokens: readonly number[];
  /** ApplyTimestampRules (false: text only, `<|notimestamps|>` in `initial`). */
  readonly timestamps: boolean;
  /** Latest first timestamp in seconds, or undefined for no limit. */
  readonly maxInitialTimestamp?: number;
  /** The first sampled token must be a timestamp (openai/whisper); false reproduces whisper.cpp. Default true. */
  readonly requireInitialTimestamp?: boolean;
  /** The call's sampler: the loop draws from it and leaves it where it stopped. */
  readonly random: SeededRandom;
  /** Stops the loop between steps (`ERR_ABORTED`). */
  readonly signal?: AbortSignal;
  /** Records the loop: each step as a `step` span where it steps through JavaScript, the whole loop as one `loop` span where it runs natively. */
  readonly profiler?: PerformanceProfiler;
  /** Called after sampled tokens (every step, or for a native loop as often as the main thread takes them). */
  readonly onStep?: (progress: DecodeStepProgress) => void;
}

/** The finished candidates of a token loop. */
export interface TokenLoopOutcome {
  /** Each candidate's sampled tokens, up to EOT (without it). */
  readonly candidates: readonly (readonly number[])[];
  /** Each candidate's summed log-probability. */
  readonly sumLogprobs: readonly number[];
  /** softmax(logits at `<|startoftranscript|>`)[`<|nospeech|>`] of the first sequence. */
  readonly noSpeechProb: number;
}

/** What the teacher-forced pass of word alignment needs: see {@link Decoder.alignmentPass}. */
export interface AlignmentPassRequest {
  /** `(layer, head)` pairs whose cross-attention weights are returned, in this order. */
  readonly heads: readonly (readonly [number, number])[];
  /** Audio positions of the window (`num_frames // 2`, 1 to nAudioCtx): the softmax covers only these. */
  readonly nPositions: number;
  /** Probabilities are a softmax over ids below this (openai: `<|endoftext|>`, the text tokens). */
  readonly textVocabEnd: number;
  /**
   * Optional: token rows `[first, last)` of the DTW's matrix, which a decoder may then return
   * computed as `alignmentMatrix` computes it, instead of the weights (the native decoder does:
   * the median filter costs milliseconds in JavaScript, and the weights are megabytes).
   */
  readonly matrixRows?: readonly [number, number];
}

/** What {@link Decoder.alignmentPass} returns. */
export interface AlignmentPassResult {
  /**
   * `[heads, tokens, nPositions]`: each row a softmax over the window's audio positions of the
   * scaled scores. Present unless `matrix` is.
   */
  readonly weights?: Float32Array;
  /** `[tokens − 1]`: row i's softmax over text ids at `tokens[i + 1]` (0 where that is not a text id). */
  readonly probabilities: Float32Array;
  /** `[last − first, nPositions]` for `matrixRows` `[first, last)`, exactly `alignmentMatrix`'s; may be absent, and is then computed from `weights`. */
  readonly matrix?: Float64Array;
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
  /**
   * Optional: runs a window's whole token loop itself (the native CPU decoder does, so its logits
   * never reach JavaScript). It must make the decisions of the step-by-step loop over
   * {@link Decoder.session} that runs when it is absent.
   * @param features - audio features `[nAudioCtx, nAudioState]` row-major
   * @throws {@link AmanuensisError} `ERR_ABORTED` when `request.signal` fires, or what the decoder throws
   */
  decodeLoop?(features: Float32Array, request: TokenLoopRequest): Promise<TokenLoopOutcome>;
  /**
   * Optional (word timestamps need it): teacher-forces `tokens` over `features` and returns the
   * chosen heads' cross-attention weights and each next token's text probability, as
   * openai/whisper timing.py `find_alignment` reads them from the model.
   * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` (heads, positions, tokens), `ERR_CONTEXT_OVERFLOW`, `ERR_NUMERIC`
   */
  alignmentPass?(features: Float32Array, tokens: readonly number[], request: AlignmentPassRequest): Promise<AlignmentPassResult>;
  /**
   * Optional: keeps what the decoder derives from `features` (the native decoder: the window's
   * cross-attention keys and values, and the keys of `alignmentHeads` in f32 as well) for its
   * sessions, token loops and alignment passes over the same array until `release()`, so a
   * window decoded and then aligned computes them once. Calls may overlap; each must be
   * released. While a window is retained, later calls share it as it was first kept: an
   * alignment pass over heads whose f32 keys it lacks computes the window again.
   * @param alignmentHeads - `(layer, head)` pairs the alignment passes will capture (default: none)
   */
  retainFeatures?(features: Float32Array, alignmentHeads?: readonly (readonly [number, number])[]): Promise<{ release(): void }>;
}
