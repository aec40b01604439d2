/**
 * Streams over a {@link Vad}: probabilities, and speech events, for audio arriving in chunks
 * of any size. Each stream carries the model's state (LSTM h and c, the last 64 samples) from
 * call to call and keeps the samples of an unfinished frame, so chunking never changes a result.
 * @module
 */
import { assertAudio } from '../audio/validate-audio.js';
import { type SpeechEvent, type SpeechEventOptions, SpeechEventTracker } from './speech-events.js';
import { VAD_FRAME_SAMPLES } from './vad-constants.js';
import type { Vad } from './vad.js';

/**
 * Per-frame speech probabilities of a stream ({@link Vad.probabilityStream}). Calls run one
 * after another in the order they were made; each resolves to the probabilities of the frames
 * its chunk completed.
 */
export class VadProbabilityStream {
  private state: Float32Array | undefined;
  private pending = new Float32Array(0);
  private tail: Promise<unknown> = Promise.resolve();
  private failure: unknown;
  private pushed = 0;

  /** @internal */
  constructor(private readonly vad: Vad) {}

  /** Samples pushed since the stream began (or since the last {@link flush}). */
  get samples(): number {
    return this.pushed;
  }

  /**
   * Adds samples; resolves to the probabilities of the 512-sample frames they complete (none
   * while a frame is unfinished). The chunk is copied at once: the caller may reuse it.
   * @param chunk - 16 kHz mono samples, any length
   * @throws {@link AmanuensisError} `ERR_INVALID_AUDIO`; rejects with `ERR_CLOSED`, `ERR_ABORTED`
   *   (the stream cannot go on after a failed call: later calls reject with the same error)
   */
  push(chunk: Float32Array, options: { readonly signal?: AbortSignal } = {}): Promise<Float32Array> {
    assertAudio(chunk, 'chunk');
    this.pushed += chunk.length;
    const total = this.pending.length + chunk.length;
    const whole = total - (total % VAD_FRAME_SAMPLES);
    const frames = new Float32Array(whole);
    const fromChunk = whole - this.pending.length;
    if (whole > 0) {
      frames.set(this.pending);
      frames.set(chunk.subarray(0, fromChunk), this.pending.length);
      this.pending = chunk.slice(fromChunk);
    } else {
      const rest = new Float32Array(total);
      rest.set(this.pending);
      rest.set(chunk, this.pending.length);
      this.pending = rest;
    }
    return this.enqueue(frames, options.signal);
  }

  /**
   * Ends the stream: resolves to the probability of the unfinished frame, zero-padded (none when
   * the samples pushed fill whole frames), as for the last frame of a whole file. The stream then
   * starts over (zero state, no samples).
   */
  flush(options: { readonly signal?: AbortSignal } = {}): Promise<Float32Array> {
    const rest = this.pending;
    this.pending = new Float32Array(0);
    const result = this.enqueue(rest, options.signal);
    this.tail = result.then(() => {
      this.state = undefined;
    }, () => undefined);
    this.pushed = 0;
    return result;
  }

  private enqueue(frames: Float32Array, signal: AbortSignal | undefined): Promise<Float32Array> {
    const result = this.tail.then(async () => {
      if (this.failure !== undefined) throw this.failure;
      if (frames.length === 0) return new Float32Array(0);
      try {
        const out = await this.vad.run(frames, this.state, signal);
        this.state = out.state;
        return out.probabilities;
      } catch (err) {
        this.failure = err;
        throw err;
      }
    });
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/**
 * Speech start and end events of a stream ({@link Vad.stream}): Silero's `VADIterator` over
 * chunks of any size. Times are in samples and seconds from the start of the stream.
 */
export class VadStream {
  private readonly probabilities: VadProbabilityStream;
  private readonly tracker: SpeechEventTracker;

  /** @internal */
  constructor(vad: Vad, options: SpeechEventOptions) {
    this.tracker = new SpeechEventTracker(options);
    this.probabilities = vad.probabilityStream();
  }

  /** Whether speech has started and not yet ended (as of the chunks whose events have resolved). */
  get inSpeech(): boolean {
    return this.tracker.inSpeech;
  }

  /**
   * Adds samples; resolves to the events of the frames they complete, in order.
   * @throws {@link AmanuensisError} as {@link VadProbabilityStream.push}
   */
  async push(chunk: Float32Array, options: { readonly signal?: AbortSignal } = {}): Promise<SpeechEvent[]> {
    return this.track(await this.probabilities.push(chunk, options));
  }

  /**
   * Ends the stream: the events of the zero-padded unfinished frame, then an end at the last
   * sample if speech is still open. The stream then starts over.
   */
  async end(options: { readonly signal?: AbortSignal } = {}): Promise<SpeechEvent[]> {
    const total = this.probabilities.samples;
    const events = this.track(await this.probabilities.flush(options));
    const last = this.tracker.finish(total);
    return last === undefined ? events : [...events, last];
  }

  private track(probabilities: Float32Array): SpeechEvent[] {
    const events: SpeechEvent[] = [];
    for (const p of probabilities) {
      const event = this.tracker.push(p);
      if (event !== undefined) events.push(event);
    }
    return events;
  }
}
