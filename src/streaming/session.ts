/**
 * Streaming transcription: audio pushed in chunks of any size into a {@link RingBuffer},
 * re-transcribed every `stepMs` of new audio, confirmed by LocalAgreement and consumed from
 * the buffer once confirmed (the whisper_streaming scheme, with word-level or segment-level
 * agreement); gated by the Silero VAD, whose end of speech finalises the text (whisper_streaming's VAC).
 * @module
 */
import { EventEmitter } from 'node:events';

import { assertAudio } from '../audio/validate-audio.js';
import { N_SAMPLES, SAMPLE_RATE } from '../constants.js';
import { AmanuensisError, toAmanuensisError } from '../errors.js';
import { type TranscribeOptions, resolveTranscribeOptions } from '../options.js';
import type { TranscriptionResult } from '../types.js';
import { followAbort } from '../utils/abort-followers.js';
import { RingBuffer } from '../utils/ring-buffer.js';
import type { SpeechEvent, SpeechEventOptions } from '../vad/speech-events.js';
import { resolveSpeechSegmentOptions } from '../vad/speech-segment-options.js';
import { VAD_FRAME_SAMPLES } from '../vad/vad-constants.js';
import type { VadStream } from '../vad/vad-stream.js';
import { Vad } from '../vad/vad.js';
import { agreedPrefix, type HypothesisSegment } from './local-agreement.js';
import type { SegmentEvent, SessionEvent } from './session-events.js';
import { hasVoice } from './voice-activity.js';
import { WordConfirmation, type WordStepMode, type WordStepOutcome } from './word-confirmation.js';

/** Options of {@link Transcriber.createSession}. */
export interface SessionOptions extends Omit<TranscribeOptions, 'signal' | 'onProgress' | 'initialPrompt' | 'conditionOnPreviousText' | 'vad' | 'batchSize'> {
  /** Re-transcribe after this many milliseconds of new audio. Default 1000. */
  readonly stepMs?: number;
  /**
   * What LocalAgreement confirms (Macháček et al., whisper_streaming). `'word'` (default): each
   * step transcribes the buffer with word timestamps (`wordTimestamps` is implied), and a word is
   * confirmed as soon as two successive hypotheses agree on it (the longest common prefix of their
   * words, after the words already confirmed), as whisper_streaming's `HypothesisBuffer`: each one
   * is a `'word'` event with its times from the word timestamps; the buffer is trimmed at the end
   * of the last confirmed sentence or segment; `'segment'` events are made of confirmed words.
   * `'segment'`: whole segments are confirmed when two hypotheses agree on them (never the last
   * one of a hypothesis) and the buffer is trimmed at their end; no `'word'` events. Word
   * confirmation costs each step the alignment's teacher-forced pass, and confirms text sooner.
   */
  readonly granularity?: 'word' | 'segment';
  /**
   * The gate in front of the decoder. `'silero'` (default): the Silero VAD (Silero's `VADIterator`
   * over the pushed audio, with {@link vadOptions}): only speech is transcribed, speech start and
   * end are `'speechstart'` and `'speechend'` events, and the end of speech finalises the pending
   * text at once (whisper_streaming's VAC policy) instead of waiting for agreement with later audio.
   * `'energy'`: audio whose RMS stays below {@link vadThreshold} is dropped, the rest is
   * transcribed, no speech events. `false`: everything is transcribed. `true` is `'silero'` (as
   * `transcribe`'s `vad: true`).
   */
  readonly vad?: 'silero' | 'energy' | boolean;
  /**
   * Parameters of the Silero gate. Default: whisper_streaming's VAC (threshold 0.5,
   * minSilenceDurationMs 500: a pause of half a second ends speech, speechPadMs 100).
   */
  readonly vadOptions?: SpeechEventOptions;
  /** RMS below which audio is silence for the energy gate (`vad: 'energy'`). Default 0.01 (≈ −40 dBFS). */
  readonly vadThreshold?: number;
  /**
   * Prompt for the first window; later windows are prompted with it followed by the confirmed text
   * whose audio has left the buffer (the last 1000 characters of all that).
   */
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
  /**
   * The Silero VAD of `model` (the bundled one when undefined), kept by the engine. Without it, a
   * session with the Silero gate loads its own and closes it when it ends.
   */
  readonly vad?: (model: string | undefined) => Promise<Vad>;
}

/** The Silero gate's defaults: whisper_streaming's VAC (`FixedVADIterator` with its defaults). */
export const SESSION_VAD_DEFAULTS = Object.freeze({ threshold: 0.5, minSilenceDurationMs: 500, speechPadMs: 100 });

const MAX_WINDOW = N_SAMPLES; // 30 s: one Whisper window
/** The prompt keeps the last this many characters of confirmed text. */
const MAX_PROMPT_CHARS = 1000;

/**
 * A live transcription fed by `push()`. Emits `'partial'`, `'word'` (with `granularity: 'word'`,
 * the default) and `'segment'` events, `'speechstart'` and `'speechend'` with the Silero gate
 * (also available through `for await (const event of session)`), and `'error'` if a step fails.
 * Create it with {@link Transcriber.createSession}.
 */
export class TranscriptionSession extends EventEmitter implements AsyncIterable<SessionEvent> {
  /**
   * The audio not yet done with, at most 30 s of it transcribed per step: with segment granularity
   * the audio after the last confirmed segment; with word granularity it may also hold confirmed
   * words of a sentence and segment not yet over, transcribed again as context (and not repeated).
   */
  readonly buffer = new RingBuffer({ capacity: MAX_WINDOW, overflow: 'grow', maxCapacity: 64 * MAX_WINDOW });
  private readonly stepSamples: number;
  private readonly vadThreshold: number;
  private readonly gate: 'silero' | 'energy' | false;
  private readonly gateOptions: SpeechEventOptions;
  /** The Silero gate's stream, created at the first push. */
  private gateStream: Promise<VadStream> | undefined;
  /** The Vad the session loaded itself (when the engine keeps none), closed when the session ends. */
  private ownVad: Promise<Vad> | undefined;
  /** The gate's work (VAD calls, then what their events cause), one chunk after another. */
  private gateWork: Promise<void> = Promise.resolve();
  /** Session samples handed to the gate, and the session sample at which its current stream began. */
  private gated = 0;
  private gateBase = 0;
  /** Between the gate's speech start and end. */
  private speaking = false;
  private readonly decodeOptions: TranscribeOptions;
  /** Session sample index of the buffer's first sample. */
  private offset = 0;
  /** Session sample index up to which the last step transcribed. */
  private processedTo = 0;
  private pushedTo = 0;
  /** Segment granularity: the unconfirmed segments of the last hypothesis. */
  private previous: HypothesisSegment[] = [];
  /** Word granularity: the agreement's state; undefined with segment granularity. */
  private readonly words: WordConfirmation | undefined;
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
  /** Stops following the caller's signal (sessions sharing one signal share one listener on it). */
  private unfollowSignal: (() => void) | undefined;

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
    const gate = options.vad === undefined || options.vad === true ? 'silero' : options.vad;
    if (gate !== 'silero' && gate !== 'energy' && gate !== false) {
      throw new AmanuensisError('ERR_INVALID_ARGUMENT', `vad must be 'silero', 'energy', true or false; got ${String(options.vad)}`);
    }
    this.gate = gate;
    if (options.vadOptions !== undefined && (typeof options.vadOptions !== 'object' || options.vadOptions === null)) {
      throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'vadOptions must be an object of speech event options');
    }
    this.gateOptions = { ...SESSION_VAD_DEFAULTS, ...Object.fromEntries(Object.entries(options.vadOptions ?? {}).filter(([, v]) => v !== undefined)) };
    // checked now, not at the first push
    resolveSpeechSegmentOptions(this.gateOptions);
    if (options.vadModel !== undefined && (typeof options.vadModel !== 'string' || options.vadModel.length === 0)) {
      throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'vadModel must be the path of a Silero VAD model file');
    }
    const granularity = options.granularity ?? 'word';
    if (granularity !== 'word' && granularity !== 'segment') {
      throw new AmanuensisError('ERR_INVALID_ARGUMENT', `granularity must be 'word' or 'segment'; got ${String(options.granularity)}`);
    }
    if (granularity === 'word' && options.wordTimestamps === false) {
      throw new AmanuensisError('ERR_INVALID_ARGUMENT', "granularity 'word' needs word timestamps: wordTimestamps false contradicts it");
    }
    if (granularity === 'word') this.words = new WordConfirmation();
    const { stepMs: _s, vadThreshold: _v, vad: _g, vadOptions: _o, vadModel: _m, granularity: _w, initialPrompt, signal, ...decode } = options;
    // checked now as every step would check them: a bad option throws here, instead of
    // surfacing later as an 'error' event of the first step
    resolveTranscribeOptions({
      ...decode, ...(granularity === 'word' && { wordTimestamps: true }), ...(initialPrompt !== undefined && { initialPrompt }), ...(signal !== undefined && { signal }),
    });
    this.decodeOptions = decode;
    this.prompt = initialPrompt ?? '';
    if (signal?.aborted) throw new AmanuensisError('ERR_ABORTED', 'the session was aborted');
    if (signal !== undefined) this.unfollowSignal = followAbort(signal, () => this.fail(new AmanuensisError('ERR_ABORTED', 'the session was aborted')));
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
    if (this.gate === false || (this.gate === 'energy' && hasVoice(chunk, this.vadThreshold))) this.voiceInBuffer = true;
    if (this.gate === 'silero') {
      // a copy: the gate reads it later, and the caller may reuse its array at once
      const copy = chunk.slice();
      this.gateWork = this.gateWork.then(() => this.gateChunk(copy));
    }
    this.schedule();
  }

  /**
   * Transcribes everything buffered and confirms it all (call at the end of the audio).
   * Resolves when the last `'segment'` event has been emitted.
   * @throws {@link AmanuensisError} what a step failed with, `ERR_ABORTED`
   */
  async flush(): Promise<void> {
    if (this.gate === 'silero') {
      // the gate's pending chunks, then its end: speech still open ends at the last sample
      this.gateWork = this.gateWork.then(() => this.gateEnd());
      await this.gateWork;
    }
    await this.idle();
    if (this.failure !== undefined) throw this.failure;
    while (this.buffer.length > 0 && this.failure === undefined) {
      this.running = this.step(true);
      await this.running;
      this.running = undefined;
    }
    if (this.failure !== undefined) throw this.failure;
  }

  /**
   * Resolves once the session has done all it will do with the audio pushed so far until more
   * arrives: the gate has seen every chunk and acted on its speech events, and the step it started,
   * and any step that one led to, have finished and emitted their events. Pushing a chunk and
   * awaiting this replays a recording as if transcription took no time (whisper_streaming's
   * "computationally unaware" simulation): the same steps at the same points of the audio on any
   * machine. A live source need not call it.
   * @throws {@link AmanuensisError} what a step failed with, `ERR_ABORTED`
   */
  async settle(): Promise<void> {
    for (;;) {
      const gateWork = this.gateWork;
      await gateWork;
      await this.idle();
      if (this.gateWork === gateWork && this.running === undefined) break;
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

  /** The gate's stream (the Vad loaded at the first push, from the engine or the session's own). */
  private stream(): Promise<VadStream> {
    if (this.gateStream === undefined) {
      const model = this.options.vadModel;
      const vad = this.engine.vad !== undefined ? this.engine.vad(model) : (this.ownVad = Vad.load(model));
      this.gateStream = vad.then((v) => v.stream(this.gateOptions));
    }
    return this.gateStream;
  }

  /** Runs one pushed chunk through the Silero gate and acts on its events; out of speech, drops what no start can reach back to. */
  private async gateChunk(chunk: Float32Array): Promise<void> {
    if (this.closed) return;
    try {
      const events = await (await this.stream()).push(chunk, this.signalOption());
      this.gated += chunk.length;
      for (const event of events) await this.onSpeechEvent(event);
      if (!this.speaking && this.running === undefined) {
        // a start reaches back at most its padding and one frame before the frames the gate has seen
        const frames = this.gateBase + Math.floor((this.gated - this.gateBase) / VAD_FRAME_SAMPLES) * VAD_FRAME_SAMPLES;
        const keepFrom = frames - VAD_FRAME_SAMPLES - Math.ceil(((this.gateOptions.speechPadMs ?? 0) * SAMPLE_RATE) / 1000);
        this.advance(Math.max(0, Math.min(keepFrom - this.offset, this.buffer.length)));
        this.processedTo = Math.max(this.processedTo, this.offset);
        this.skipWords();
      }
    } catch (err) {
      this.fail(toAmanuensisError(err));
    }
  }

  /** Ends the gate's stream (at a flush): its last events; the next push starts a new stream there. */
  private async gateEnd(): Promise<void> {
    if (this.closed || this.gateStream === undefined) return;
    try {
      const events = await (await this.gateStream).end(this.signalOption());
      for (const event of events) await this.onSpeechEvent(event);
      this.gateBase = this.gated;
    } catch (err) {
      this.fail(toAmanuensisError(err));
    }
  }

  /** Speech start: the audio before it is dropped and steps begin. Speech end: its audio is transcribed and all confirmed now. */
  private async onSpeechEvent(event: SpeechEvent): Promise<void> {
    if ('startSample' in event) {
      const at = this.gateBase + event.startSample;
      await this.idle();
      this.advance(Math.max(0, Math.min(at - this.offset, this.buffer.length)));
      this.processedTo = Math.max(this.processedTo, this.offset);
      this.skipWords();
      this.speaking = true;
      this.voiceInBuffer = true;
      this.emitEvent({ type: 'speechstart', start: at / SAMPLE_RATE });
      this.schedule();
      return;
    }
    const at = this.gateBase + event.endSample;
    await this.idle();
    // whisper_streaming's VAC: the end of speech finalises the text before it
    while (this.failure === undefined && !this.closed && at - this.offset > 0 && this.buffer.length > 0) {
      this.running = this.step(true, at - this.offset);
      await this.running;
      this.running = undefined;
    }
    this.speaking = false;
    this.voiceInBuffer = false;
    if (!this.closed) this.emitEvent({ type: 'speechend', end: at / SAMPLE_RATE });
  }

  private signalOption(): { signal?: AbortSignal } {
    return this.options.signal === undefined ? {} : { signal: this.options.signal };
  }

  private schedule(): void {
    if (this.running !== undefined || this.closed) return;
    // the Silero gate transcribes only between a start and an end
    if (this.gate === 'silero' && !this.speaking) return;
    if (this.pushedTo - this.processedTo < this.stepSamples) return;
    this.running = this.step(false).finally(() => {
      this.running = undefined;
      this.schedule();
    });
  }

  private async idle(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  /** One re-transcription of (up to 30 s of, and at most `limit` samples of) the buffer; `final` confirms everything. */
  private async step(final: boolean, limit = Infinity): Promise<void> {
    try {
      const n = Math.min(this.buffer.length, MAX_WINDOW, limit);
      this.processedTo = this.offset + (limit === Infinity ? this.buffer.length : n);
      if (n === 0) return;
      if (!this.voiceInBuffer) {
        // silence: no decoder work, no events; the audio is dropped from the buffer
        this.advance(n);
        this.previous = [];
        this.skipWords();
        return;
      }
      const audio = this.buffer.peek(n);
      const result = await this.engine.transcribe(audio, {
        ...this.decodeOptions,
        conditionOnPreviousText: false,
        ...(this.words !== undefined && { wordTimestamps: true }),
        ...(this.prompt !== '' && { initialPrompt: this.prompt }),
        ...(this.options.signal !== undefined && { signal: this.options.signal }),
      });
      if (this.closed) return;
      // a window that cannot grow by another step before reaching 30 s must shed audio now
      const full = n > MAX_WINDOW - this.stepSamples;
      if (this.words !== undefined) this.confirmWords(this.words, result, n, final ? 'final' : full ? 'full' : 'agree');
      else this.confirmSegments(result, n, final, full);
    } catch (err) {
      this.fail(toAmanuensisError(err));
    }
  }

  /** Segment granularity: LocalAgreement over the hypothesis' segments. */
  private confirmSegments(result: TranscriptionResult, n: number, final: boolean, full: boolean): void {
    const start = this.offset / SAMPLE_RATE;
    const hypothesis: HypothesisSegment[] = result.segments.map((s) => ({ text: s.text, start: start + s.start, end: start + s.end, tokens: s.tokens }));
    let confirmed = agreedPrefix(this.previous, hypothesis);
    if (final) confirmed = hypothesis.length;
    else if (full) confirmed = Math.max(confirmed, hypothesis.length > 1 ? hypothesis.length - 1 : hypothesis.length);
    for (const s of hypothesis.slice(0, confirmed)) this.emitEvent(this.segmentEvent(s));
    // consumed up to the end of the last confirmed segment; all of it when everything is confirmed at the end or in a full window
    const everything = final || (full && confirmed === hypothesis.length);
    const consumedTo = everything ? this.offset + n
      : confirmed > 0 ? Math.round(hypothesis[confirmed - 1]!.end * SAMPLE_RATE) : this.offset;
    if (confirmed > 0) this.prompt = (this.prompt + hypothesis.slice(0, confirmed).map((s) => s.text).join('')).slice(-MAX_PROMPT_CHARS);
    this.advance(Math.max(0, Math.min(consumedTo - this.offset, this.buffer.length)));
    this.previous = hypothesis.slice(confirmed);
    if (!final) {
      const tail = this.previous;
      this.emitPartial(tail.map((s) => s.text).join(''), tail[0]?.start ?? this.offset / SAMPLE_RATE);
    }
  }

  /** Word granularity: LocalAgreement over the hypothesis' words (see {@link WordConfirmation}). */
  private confirmWords(words: WordConfirmation, result: TranscriptionResult, n: number, mode: WordStepMode): void {
    const windowStart = this.offset / SAMPLE_RATE;
    const outcome = words.step({
      words: result.segments.flatMap((s, segment) => (s.words ?? []).map((w) => ({
        word: w.word, start: windowStart + w.start, end: windowStart + w.end, probability: w.probability, tokens: w.tokens, segment,
      }))),
      segmentEnds: result.segments.map((s) => windowStart + s.end),
      windowStart,
      windowEnd: (this.offset + n) / SAMPLE_RATE,
    }, mode, this.stepSamples / SAMPLE_RATE);
    this.applyWordOutcome(outcome);
    if (mode !== 'final') {
      const pending = outcome.pending;
      this.emitPartial(pending.map((w) => w.word).join(''), pending[0]?.start ?? Math.max(this.offset / SAMPLE_RATE, words.confirmedUntil));
    }
  }

  /** Emits a word step's words and segments, prompts with the words that leave the buffer, and trims it. */
  private applyWordOutcome(outcome: WordStepOutcome): void {
    for (const event of outcome.events) {
      if ('word' in event) {
        const { word, start, end, probability } = event.word;
        this.emitEvent({ type: 'word', word, start, end, probability, latencyMs: this.latency(Math.round(end * SAMPLE_RATE)) });
      } else {
        const words = event.segment;
        this.emitEvent(this.segmentEvent({
          text: words.map((w) => w.word).join(''), start: words[0]!.start, end: words[words.length - 1]!.end, tokens: words.flatMap((w) => w.tokens),
        }));
      }
    }
    if (outcome.released.length > 0) this.prompt = (this.prompt + outcome.released.map((w) => w.word).join('')).slice(-MAX_PROMPT_CHARS);
    const trimTo = Math.round(outcome.trimTo * SAMPLE_RATE);
    this.advance(Math.max(0, Math.min(trimTo - this.offset, this.buffer.length)));
  }

  /** Word granularity: the buffer's audio before its start was dropped without a transcription. */
  private skipWords(): void {
    if (this.words !== undefined) this.applyWordOutcome(this.words.skip(this.offset / SAMPLE_RATE));
  }

  private emitPartial(text: string, start: number): void {
    this.emitEvent({ type: 'partial', text, start, end: this.processedTo / SAMPLE_RATE, latencyMs: this.latency(this.processedTo) });
  }

  private advance(samples: number): void {
    this.buffer.consume(samples);
    this.offset += samples;
    // the Silero gate says where voice is; the others learn it again from the next push
    if (this.buffer.length === 0 && this.gate !== 'silero') this.voiceInBuffer = false;
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
    this.ownVad?.then((v) => v.close(), () => undefined);
    this.unfollowSignal?.();
    for (const waiter of this.waiters.splice(0)) waiter({ value: undefined, done: true });
  }
}
