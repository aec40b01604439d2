/**
 * Comparing amanuensis with whisper.cpp (the prebuilt in @fugood/whisper.node) on one model file
 * and jfk.wav, greedy at temperature 0 without fallback, under whisper.cpp's decoding rules (see
 * test/integration/whisper-cpp-parity.test.ts for how they differ from openai/whisper's): no
 * forced initial timestamp; blank suppressed at the start; the task, start and language tokens
 * always suppressed; no non-speech suppression; at most n_text_ctx/2 - 4 sampled tokens.
 *
 * One more rule of whisper.cpp (whisper_full_with_state, 1.9.x): a model with exactly 2 decoder
 * layers and a vocabulary other than large-v3's is taken for a first-release distil-whisper model
 * and always decoded without timestamps, from [sot, notimestamps]. The small quantized fixtures
 * have 2 decoder layers on purpose: without timestamps whisper.cpp decodes jfk.wav in one window,
 * token for token comparable, where a timestamp would end the window and move its seek.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

import { decodeAudioFile } from '../../src/audio/audio-file.js';
import { melWindow } from '../../src/audio/mel-frontend.js';
import { N_SAMPLES } from '../../src/constants.js';
import type { TokenLoopRequest } from '../../src/decoder/decoder.js';
import { argmax } from '../../src/decoder/math.js';
import { ApplyTimestampRules, type LogitFilter, SuppressBlank, SuppressTokens } from '../../src/decoder/logit-filters.js';
import { parseGgmlHeader } from '../../src/model/ggml-loader.js';
import type { Transcriber } from '../../src/transcriber.js';
import { SeededRandom } from '../../src/utils/random.js';
import { JFK_WAV } from './shared.js';

interface WhisperNode {
  initWhisper(o: { filePath: string; useGpu: boolean }): Promise<{
    transcribeFile(path: string, o: object): { promise: Promise<{ result: string }> };
    release(): Promise<void>;
  }>;
}

/** whisper.cpp's text for jfk.wav with `model`: English, greedy, temperature 0, no fallback, 2 threads. */
export async function whisperCppText(model: string): Promise<string> {
  const whisper = createRequire(import.meta.url)('@fugood/whisper.node') as WhisperNode;
  const ctx = await whisper.initWhisper({ filePath: model, useGpu: false });
  try {
    const { promise } = ctx.transcribeFile(JFK_WAV, { language: 'en', temperature: 0, temperatureInc: 0, maxThreads: 2 });
    return (await promise).result;
  } finally {
    await ctx.release();
  }
}

/** The encoder output of jfk.wav's first 30 s window. */
export async function jfkFeatures(t: Transcriber): Promise<Float32Array> {
  const audio = (await decodeAudioFile(JFK_WAV)).samples;
  return t.encoder.encode(melWindow(t.frontend.compute(audio, { paddingSamples: N_SAMPLES }), 0));
}

/** Whether whisper.cpp decodes this model without timestamps (its distil-whisper rule: 2 decoder layers, not large-v3's vocabulary). */
export function whisperCppForcesNoTimestamps(t: Transcriber): boolean {
  return t.dims.nTextLayer === 2 && t.dims.nVocab !== 51866;
}

/** The tokens whisper.cpp starts an English window of this model with: the SOT sequence ([sot], or [sot, en, transcribe] for a multilingual model), then notimestamps under its distil rule. */
export function whisperCppPrompt(t: Transcriber): number[] {
  const sot = t.tokenizer.sotSequence('en', 'transcribe');
  return whisperCppForcesNoTimestamps(t) ? [...sot, t.tokenizer.special.noTimestamps] : sot;
}

/** The tokens whisper.cpp never samples in a window of this model (every timestamp too under its distil rule). */
function whisperCppSuppressed(t: Transcriber): number[] {
  const s = t.tokenizer.special;
  const languages = t.tokenizer.languageCodes.map((c) => t.tokenizer.languageToken(c)!);
  const always = [s.sot, s.noSpeech, s.sotLm, s.translate, s.transcribe, s.sotPrev, s.noTimestamps, ...languages];
  if (!whisperCppForcesNoTimestamps(t)) return always;
  return [...always, ...Array.from({ length: t.dims.nVocab - s.timestampBegin }, (_, i) => s.timestampBegin + i)];
}

/** whisper.cpp's logit filters for a window decoded from {@link whisperCppPrompt}. */
export function whisperCppFilters(t: Transcriber): LogitFilter[] {
  const s = t.tokenizer.special;
  const sampleBegin = whisperCppPrompt(t).length;
  if (whisperCppForcesNoTimestamps(t)) {
    return [new SuppressBlank(t.tokenizer.encode(' '), s.eot, sampleBegin), new SuppressTokens(whisperCppSuppressed(t))];
  }
  const always = whisperCppSuppressed(t);
  return [
    new SuppressBlank(t.tokenizer.encode(' '), s.eot, sampleBegin),
    new SuppressTokens(always),
    new ApplyTimestampRules(s, sampleBegin, 1.0, false),
  ];
}

/** whisper.cpp's limit on sampled tokens per window. */
export function whisperCppSampleLen(t: Transcriber): number {
  return Math.floor(t.dims.nTextCtx / 2) - 4;
}

/** The same rules as a request for the native token loop (greedy, one sequence). */
export function whisperCppLoopRequest(t: Transcriber): TokenLoopRequest {
  const s = t.tokenizer.special;
  return {
    initial: whisperCppPrompt(t), sotIndex: 0, nSeq: 1, temperature: 0, patience: 1, sampleLen: whisperCppSampleLen(t),
    special: s, suppressBlank: true, blankTokens: t.tokenizer.encode(' '), suppressTokens: whisperCppSuppressed(t),
    timestamps: !whisperCppForcesNoTimestamps(t), maxInitialTimestamp: 1.0, requireInitialTimestamp: false, random: new SeededRandom(0),
  };
}

/** A decoder session fed whisper.cpp's prompt: each call gives the next step's logits after whisper.cpp's filters. */
async function whisperCppSteps(t: Transcriber, features: Float32Array): Promise<{ seq: number[]; next: () => Promise<Float32Array> }> {
  const prompt = whisperCppPrompt(t);
  const filters = whisperCppFilters(t);
  const session = await t.decoder.session(features, 1);
  const seq = [...prompt];
  let fed = 0;
  const next = async (): Promise<Float32Array> => {
    let logits: Float32Array;
    do logits = await session.step(Int32Array.of(seq[fed]!), 1, Int32Array.of(0));
    while (++fed < seq.length);
    for (const f of filters) f.apply(logits, seq);
    return logits;
  };
  return { seq, next };
}

/** amanuensis' greedy tokens (the prompt excluded) under whisper.cpp's rules. */
export async function greedyUnderWhisperCppRules(t: Transcriber, features: Float32Array): Promise<number[]> {
  const { eot } = t.tokenizer.special;
  const { seq, next } = await whisperCppSteps(t, features);
  const start = seq.length;
  for (let i = 0; i < whisperCppSampleLen(t); i++) {
    const token = argmax(await next());
    if (token === eot) break;
    seq.push(token);
  }
  return seq.slice(start);
}

/** One step where amanuensis' greedy choice does not continue whisper.cpp's text. */
export interface Departure {
  /** Sampled-token index (0 = the first token after sot). */
  readonly step: number;
  /** amanuensis' choice and the best-scoring token that continues whisper.cpp's text. */
  readonly ours: number;
  readonly theirs: number;
  /** ours' logit minus theirs' (after the filters), ≥ 0: how close the step was to a tie in amanuensis' own logits. */
  readonly gap: number;
}

/**
 * Walks whisper.cpp's text with amanuensis' decoder under whisper.cpp's rules. At each step the
 * token taken is amanuensis' greedy choice when it continues the text (a text token whose bytes
 * are the text's next bytes, or a timestamp token, which adds no text), and otherwise the
 * best-scoring token of amanuensis' logits that does: such a step is a departure, reported with
 * its logit gap. Ends when the text is used up (then, below the length limit, whisper.cpp
 * sampled eot or a timestamp: a text token of amanuensis there is a departure too) or when no
 * token continues it (`explained` false).
 */
export async function followWhisperCppText(t: Transcriber, modelPath: string, features: Float32Array, text: string): Promise<{ departures: Departure[]; steps: number; explained: boolean }> {
  const s = t.tokenizer.special;
  // token bytes as stored in the file: whisper.cpp's text is these bytes concatenated
  const vocab = parseGgmlHeader(readFileSync(modelPath)).vocab;
  const target = Buffer.from(text, 'utf8');
  let at = 0;
  const continues = (token: number): number | undefined => {
    if (token >= s.timestampBegin) return 0;
    if (token >= s.eot) return undefined;
    const bytes = vocab[token]!;
    if (bytes.length === 0 || at + bytes.length > target.length) return undefined;
    for (let i = 0; i < bytes.length; i++) if (bytes[i] !== target[at + i]) return undefined;
    return bytes.length;
  };
  const { seq, next: stepLogits } = await whisperCppSteps(t, features);
  const departures: Departure[] = [];
  let steps = 0;
  while (at < target.length) {
    if (steps === whisperCppSampleLen(t)) return { departures, steps, explained: false };
    const logits = await stepLogits();
    let next = argmax(logits);
    if (continues(next) === undefined) {
      let best = -1;
      for (let token = 0; token < logits.length; token++) {
        if (logits[token]! > -Infinity && continues(token) !== undefined && (best < 0 || logits[token]! > logits[best]!)) best = token;
      }
      if (best < 0) return { departures, steps, explained: false };
      departures.push({ step: steps, ours: next, theirs: best, gap: logits[next]! - logits[best]! });
      next = best;
    }
    at += continues(next)!;
    seq.push(next);
    steps++;
  }
  if (steps < whisperCppSampleLen(t)) {
    // whisper.cpp stopped before its limit: it sampled eot (or timestamps, then eot) here
    const logits = await stepLogits();
    const next = argmax(logits);
    if (next < s.eot) {
      let best = s.eot;
      for (let token = s.timestampBegin; token < logits.length; token++) if (logits[token]! > logits[best]!) best = token;
      departures.push({ step: steps, ours: next, theirs: best, gap: logits[next]! - logits[best]! });
    }
  }
  return { departures, steps, explained: true };
}
