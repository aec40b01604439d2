/**
 * Streaming transcription: audio pushed in chunks of any size into a {@link RingBuffer},
 * re-transcribed every `stepMs` of new audio, confirmed by LocalAgreement and consumed from
 * the buffer once confirmed (the whisper_streaming scheme, with segment-level agreement).
 * @module
 */
import { EventEmitter } from 'node:events';

import { assertAudio } from '../audio/validate-audio.js';
import { N_SAMPLES, SAMPLE_RATE } from '../constants.js';
import { AmanuensisError, toAmanuensisError } from '../errors.js';
import { type TranscribeOptions, resolveTranscribeOptions } from '../options.js';
import type { TranscriptionResult } from '../types.js';
import { RingBuffer } from '../utils/ring-buffer.js';
import { agreedPrefix, type HypothesisSegment } from './local-agreement.js';
import type { PartialEvent, SegmentEvent, SessionEvent } from './session-events.js';
import { hasVoice } from './voice-activity.js';

/** Options of {@link Transcriber.createSession}. */
export interface SessionOptions extends Omit<TranscribeOptions, 'signal' | 'onProgress' | 'initialPrompt' | 'conditionOnPreviousText'> {
  /** Re-transcribe after this many milliseconds of new audio. Default 1000. */
  readonly stepMs?: number;
  /** RMS below which audio is silence for the voice activity gate. Default 0.01 (≈ −40 dBFS). */
  readonly vadThreshold?: number;
  /** Prompt for the first window; later windows are prompted with the confirmed text. */
  readonly initialPrompt?: string;
  /** Closes the session with `ERR_ABORTED`. */
  readonly signal?: AbortSignal;
}

/** What a session needs from a Transcriber. @internal */
export interface SessionEngine {
  /** Transcribes the session's own copy of pushed audio, which `push()` has checked already. */
  transcribe(audio: Float32Array, options: TranscribeOptions): Promise<TranscriptionResult>;
  /** Whether the engine has been closed: the session then refuses new audio with `ERR_CLOSED`. */
  readonly closed?: () => boolean;
}

const MAX_WINDOW = N_SAMPLES; // 30 s: one Whisper window

/**
 * A live transcription fed by `push()`. Emits `'partial'` and `'segment'` events (also
 * available through `for await (const event of session)`), and `'error'` if a step fails.
 * Create it with {@link Transcriber.createSession}.
 */
export class TranscriptionSession extends EventEmitter implements AsyncIterable<SessionEvent> {
  /** The audio not yet confirmed, at most 30 s of it transcribed per step. */
  readonly buffer = new RingBuffer({ capacity: MAX_WINDOW, overflow: 'grow', maxCapacity: 64 * MAX_WINDOW });
  private readonly stepSamples: number;
  private readonly vadThreshold: number;
  private readonly decodeOptions: TranscribeOptions;
  /** Session sample index of the buffer's first sample. */
  private offset = 0;
  /** Session sample index up to which the last step transcribed. */
  private processedTo = 0;
  private pushedTo = 0;
  private previous: HypothesisSegment[] = [];
  private prompt: string;
  private nextId = 0;
  private voiceInBuffer = false;
  private running: Promise<void> | undefined;
  private closed = false;
  private failure: AmanuensisError | undefined;
  /** (session sample index at the end of a push, wall time of the push) */
  private readonly pushTimes: { end: number; at: number }[] = [];
  private readonly queue: SessionEvent[] = [];
  private readonly waiters: ((r: IteratorResult<SessionEvent>) => void)[] = [];
  private readonly onAbort = (): void => this.fail(new AmanuensisError('ERR_ABORTED', 'the session was aborted'));

  /**
   * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for bad options, decoding options included;
   *   `ERR_ABORTED` when the signal has fired
   * @internal
   */
  constructor(private readonly engine: SessionEngine, private readonly options: SessionOptions = {}) {
    super();
    const stepMs = options.stepMs ?? 1000;
    if (!(Number.isFinite(stepMs) && stepMs >= 10 && stepMs <= 30000)) {
      throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'stepMs must be between 10 and 30000');
    }
    this.stepSamples = Math.round((stepMs / 1000) * SAMPLE_RATE);
    this.vadThreshold = options.vadThreshold ?? 0.01;
    if (!(this.vadThreshold >= 0)) throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'vadThreshold must be a non-negative RMS');
    const { stepMs: _s, vadThreshold: _v, initialPrompt, signal, ...decode } = options;
    // checked now as every step would check them: a bad option throws here, instead of
    // surfacing later as an 'error' event of the first step
    resolveTranscribeOptions({ ...decode, ...(initialPrompt !== undefined && { initialPrompt }), ...(signal !== undefined && { signal }) });
    this.decodeOptions = decode;
    this.prompt = initialPrompt ?? '';
    if (signal?.aborted) throw new AmanuensisError('ERR_ABORTED', 'the session was aborted');
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Seconds of audio pushed so far. */
  get pushedSeconds(): number {
    return this.pushedTo / SAMPLE_RATE;
  }

  /**
   * Appends 16 kHz mono samples (any chunk size). Transcription runs in the background every
   * `stepMs` of new audio.
   * @throws {@link AmanuensisError} `ERR_CLOSED` after `close()` or a failure, `ERR_INVALID_AUDIO`
   */
  push(chunk: Float32Array): void {
    if (this.closed) throw this.failure ?? new AmanuensisError('ERR_CLOSED', 'this session is closed');
    if (this.engine.closed?.() === true) throw new AmanuensisError('ERR_CLOSED', 'the Transcriber of this session has been closed');
    assertAudio(chunk, 'chunk');
    if (chunk.length === 0) return;
    this.buffer.append(chunk);
    this.pushedTo += chunk.length;
    this.pushTimes.push({ end: this.pushedTo, at: performance.now() });
    if (hasVoice(chunk, this.vadThreshold)) this.voiceInBuffer = true;
    this.schedule();
  }

  /**
   * Transcribes everything buffered and confirms it all (call at the end of the audio).
   * Resolves when the last `'segment'` event has been emitted.
   * @throws {@link AmanuensisError} what a step failed with, `ERR_ABORTED`
   */
  async flush(): Promise<void> {
    await this.idle();
    if (this.failure !== undefined) throw this.failure;
    while (this.buffer.length > 0 && this.failure === undefined) {
      this.running = this.step(true);
      await this.running;
      this.running = undefined;
    }
    if (this.failure !== undefined) throw this.failure;
  }

  /** Flushes, then ends the event stream (the async iterator finishes). */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.flush();
    } finally {
      this.finish();
    }
  }

  /** Every event in order of emission; ends after `close()`, throws the error that ended the session. */
  [Symbol.asyncIterator](): AsyncIterator<SessionEvent> {
    return {
      next: () => {
        const event = this.queue.shift();
        if (event !== undefined) return Promise.resolve({ value: event, done: false });
        if (this.failure !== undefined) return Promise.reject(this.failure);
        if (this.closed) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => {
          this.waiters.push((r) => (this.failure !== undefined && r.done === true ? reject(this.failure) : resolve(r)));
        });
      },
      return: () => Promise.resolve({ value: undefined, done: true }),
    };
  }

  private schedule(): void {
    if (this.running !== undefined || this.closed) return;
    if (this.pushedTo - this.processedTo < this.stepSamples) return;
    this.running = this.step(false).finally(() => {
      this.running = undefined;
      this.schedule();
    });
  }

  private async idle(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  /** One re-transcription of (up to 30 s of) the buffer; `final` confirms everything. */
  private async step(final: boolean): Promise<void> {
    try {
      const n = Math.min(this.buffer.length, MAX_WINDOW);
      this.processedTo = this.offset + this.buffer.length;
      if (n === 0) return;
      if (!this.voiceInBuffer) {
        // silence: no decoder work, no events; the audio is dropped from the buffer
        this.advance(n);
        this.previous = [];
        return;
      }
      const audio = this.buffer.peek(n);
      const result = await this.engine.transcribe(audio, {
        ...this.decodeOptions,
        conditionOnPreviousText: false,
        ...(this.prompt !== '' && { initialPrompt: this.prompt }),
        ...(this.options.signal !== undefined && { signal: this.options.signal }),
      });
      if (this.closed) return;
      const start = this.offset / SAMPLE_RATE;
      const hypothesis: HypothesisSegment[] = result.segments.map((s) => ({ text: s.text, start: start + s.start, end: start + s.end, tokens: s.tokens }));
      // a window that cannot grow by another step before reaching 30 s must shed audio now
      const full = n > MAX_WINDOW - this.stepSamples;
      let confirmed = agreedPrefix(this.previous, hypothesis);
      if (final) confirmed = hypothesis.length;
      else if (full) confirmed = Math.max(confirmed, hypothesis.length > 1 ? hypothesis.length - 1 : hypothesis.length);
      for (const s of hypothesis.slice(0, confirmed)) this.emitEvent(this.segmentEvent(s));
      // consumed up to the end of the last confirmed segment; all of it when everything is confirmed at the end or in a full window
      const everything = final || (full && confirmed === hypothesis.length);
      const consumedTo = everything ? this.offset + n
        : confirmed > 0 ? Math.round(hypothesis[confirmed - 1]!.end * SAMPLE_RATE) : this.offset;
      if (confirmed > 0) this.prompt = (this.prompt + hypothesis.slice(0, confirmed).map((s) => s.text).join('')).slice(-1000);
      this.advance(Math.max(0, Math.min(consumedTo - this.offset, this.buffer.length)));
      this.previous = hypothesis.slice(confirmed);
      if (!final) {
        const tail = this.previous;
        const partial: PartialEvent = {
          type: 'partial',
          text: tail.map((s) => s.text).join(''),
          start: tail[0]?.start ?? this.offset / SAMPLE_RATE,
          end: this.processedTo / SAMPLE_RATE,
          latencyMs: this.latency(this.processedTo),
        };
        this.emitEvent(partial);
      }
    } catch (err) {
      this.fail(toAmanuensisError(err));
    }
  }

  private advance(samples: number): void {
    this.buffer.consume(samples);
    this.offset += samples;
    if (this.buffer.length === 0) this.voiceInBuffer = false;
    while (this.pushTimes.length > 1 && this.pushTimes[0]!.end <= this.offset) this.pushTimes.shift();
  }

  private segmentEvent(s: HypothesisSegment): SegmentEvent {
    return { type: 'segment', id: this.nextId++, text: s.text, start: s.start, end: s.end, tokens: s.tokens, latencyMs: this.latency(Math.round(s.end * SAMPLE_RATE)) };
  }

  /** Milliseconds since the push that delivered session sample `end`. */
  private latency(end: number): number {
    const push = this.pushTimes.find((p) => p.end >= end) ?? this.pushTimes[this.pushTimes.length - 1];
    return push === undefined ? 0 : performance.now() - push.at;
  }

  private emitEvent(event: SessionEvent): void {
    const waiter = this.waiters.shift();
    if (waiter !== undefined) waiter({ value: event, done: false });
    else this.queue.push(event);
    this.emit(event.type, event);
  }

  private fail(err: AmanuensisError): void {
    if (this.failure !== undefined || this.closed) return;
    this.failure = err;
    if (this.listenerCount('error') > 0) this.emit('error', err);
    this.finish();
  }

  private finish(): void {
    this.closed = true;
    this.options.signal?.removeEventListener('abort', this.onAbort);
    for (const waiter of this.waiters.splice(0)) waiter({ value: undefined, done: true });
  }
}
