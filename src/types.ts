/**
 * Result records of decoding and transcription.
 * @module
 */

/** One decoded 30 s window, as openai/whisper `decoding.py` DecodingResult. */
export interface DecodingResult {
  /** Sampled tokens, timestamps included, without the SOT sequence and without EOT. */
  readonly tokens: readonly number[];
  /** Decoded text of `tokens`, trimmed. */
  readonly text: string;
  /** Language code the window was decoded in. */
  readonly language: string;
  /** Sum of the tokens' log-probabilities divided by (tokens + 1), EOT counted. */
  readonly avgLogprob: number;
  /** Probability of `<|nospeech|>` at the SOT position, from the first step's logits. */
  readonly noSpeechProb: number;
  /** Sampling temperature (0 = greedy or beam search). */
  readonly temperature: number;
  /** UTF-8 length of `text` over its zlib-compressed length: high means repetitive. */
  readonly compressionRatio: number;
}

/**
 * A stretch of the input, in seconds and in samples of the 16 kHz input: where a window's or a
 * segment's audio was taken from when a VAD cut the silences out (`transcribe(…, { vad })`) or
 * windows were transcribed at once (`batchSize`).
 */
export interface SourceRange {
  /** Start in seconds from the start of the input. */
  readonly start: number;
  /** End (exclusive) in seconds. */
  readonly end: number;
  /** Start in samples of the input. */
  readonly startSample: number;
  /** End (exclusive) in samples of the input. */
  readonly endSample: number;
}

/** A word with its times on the audio's timeline, as every result reports it. */
export interface Word {
  /** Text, with its leading space as Whisper writes it. */
  readonly word: string;
  /**
   * Start in seconds from the start of the audio, rounded to 0.01 s on the window's timeline
   * (with a VAD or batching, then mapped to the input exactly, in samples: not rounded).
   */
  readonly start: number;
  /** End in seconds, as `start`. */
  readonly end: number;
  /** Mean probability of its tokens (0 to 1). */
  readonly probability: number;
  /** Its token ids, punctuation merged in. */
  readonly tokens: readonly number[];
}

/** A span of transcribed speech. */
export interface Segment {
  /** Index in the result's segment list. */
  readonly id: number;
  /** Frame offset (10 ms units) of the window this segment was decoded in. */
  readonly seek: number;
  /** Start time in seconds from the start of the audio. */
  readonly start: number;
  /** End time in seconds. */
  readonly end: number;
  /** Decoded text of the segment (leading space kept, as Whisper emits it). */
  readonly text: string;
  /** Tokens of the segment, timestamp tokens included. */
  readonly tokens: readonly number[];
  /** Temperature of the decode this segment comes from. */
  readonly temperature: number;
  /** Average log-probability per token of the window's decode (natural log). */
  readonly avgLogprob: number;
  /** Compression ratio of the window's decoded text (see {@link DecodingResult.compressionRatio}). */
  readonly compressionRatio: number;
  /** Probability of no speech in the window, 0 to 1. */
  readonly noSpeechProb: number;
  /**
   * With a VAD or batching only: the stretches of the input this segment's audio was cut from,
   * in order. `start` and `end` are the first range's start and the last one's end; more than one
   * range means the segment's audio joined speech across a silence that was cut out (the
   * silence between them was never transcribed).
   */
  readonly sourceRanges?: readonly SourceRange[];
  /** Its words, with `wordTimestamps: true` (openai/whisper's `segment["words"]`). */
  readonly words?: readonly Word[];
}

/** Where the time of one 30 s window went. */
export interface WindowTiming {
  /** Frame offset of the window (10 ms units). */
  readonly seek: number;
  /** Frames of real audio in the window (up to 3000). */
  readonly frames: number;
  /** Why the window produced no decode, if it did not. */
  readonly skipped?: 'silence' | 'no-speech';
  /** Encoder time in milliseconds (0 when skipped; the cache lookup only when cached). */
  readonly encodeMs: number;
  /** The audio features came from the EncoderCache: the encoder did not run. */
  readonly cached?: boolean;
  /** Decoder time in milliseconds over all temperatures tried. */
  readonly decodeMs: number;
  /** Temperatures tried, in order (the last one was kept). */
  readonly temperatures: readonly number[];
  /** Name of the encoder that ran (e.g. `'cpu'`). */
  readonly encoder?: string;
  /**
   * With a VAD or batching only: the stretches of the input this window's audio was cut from,
   * in order, concatenated (`seek` is then the frame of the first one's start, `frames` the
   * window's own length).
   */
  readonly sourceRanges?: readonly SourceRange[];
  /** With word timestamps: milliseconds of the window's alignment (teacher-forced pass, DTW, word rules). */
  readonly wordsMs?: number;
}

/**
 * Per-stage timing of a transcription, in milliseconds (as whisper.cpp's t_mel_us, t_encode_us,
 * t_decode_us), from the call's PerformanceProfiler paths `total`, `total.mel`, `total.encode`, `total.decode`.
 */
export interface TranscriptionTimings {
  /** Log-mel spectrogram of the whole input. */
  readonly melMs: number;
  /** Encoder (or cache lookups) over all windows. */
  readonly encodeMs: number;
  /** Decoder over all windows and temperatures, language detection included. */
  readonly decodeMs: number;
  /** Wall time of the whole call. */
  readonly totalMs: number;
  /** With `vad`: the voice activity detection of the whole input (probabilities and segments). */
  readonly vadMs?: number;
  /** One entry per decoded window (per 30 s window, or per pass of the seek loop inside a VAD window), in order. */
  readonly windows: readonly WindowTiming[];
  /**
   * Set when `encoder: 'auto'` runs on the CPU: why the NPU could not (the reason `listBackends()`
   * gives, e.g. no device bound to amdxdna). Absent when the encoder is the one asked for.
   */
  readonly encoderFallbackReason?: string;
}

/** What {@link Transcriber.transcribe} returns. */
export interface TranscriptionResult {
  /** All segment texts joined. */
  readonly text: string;
  /** Timed segments, in order, without empty ones. */
  readonly segments: readonly Segment[];
  /** Language code (given, detected, or `'en'` for English-only models). */
  readonly language: string;
  /** Input duration in seconds. */
  readonly durationS: number;
  /** Where the time went, per stage and per window. */
  readonly timings: TranscriptionTimings;
  /** Processing time over audio duration: below 1 is faster than real time. */
  readonly realtimeFactor: number;
  /**
   * With `wordTimestamps: true`: the alignment heads used — an openai preset's name, `'default'`
   * (every head of the top half of the decoder layers) or `'custom'` (pairs given).
   */
  readonly alignmentHeads?: string;
}
