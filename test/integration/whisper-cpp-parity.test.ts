/**
 * Parity with whisper.cpp (the prebuilt in @fugood/whisper.node) on the synthetic tiny.en model
 * and jfk.wav, greedy at temperature 0 without fallback.
 *
 * whisper.cpp departs from openai/whisper's ApplyTimestampRules at the first sampled token: it
 * does not force that token to be a timestamp. amanuensis follows openai/whisper, so on this model
 * the two diverge at token 0. To compare everything after that point, the test also decodes with
 * whisper.cpp's rule set (no forced initial timestamp; suppress blank at the start, the task,
 * start and language tokens always; no non-speech suppression; at most n_text_ctx/2 - 4 = 220
 * tokens) through amanuensis' own decoder and logit filters, and requires the identical text.
 */
import { createRequire } from 'node:module';

import { beforeAll, describe, expect, it } from 'vitest';

import { decodeAudioFile } from '../../src/audio/audio-file.js';
import { melWindow } from '../../src/audio/mel-frontend.js';
import { N_SAMPLES } from '../../src/constants.js';
import { argmax } from '../../src/decoder/math.js';
import { ApplyTimestampRules, type LogitFilter, SuppressBlank, SuppressTokens } from '../../src/decoder/logit-filters.js';
import { Transcriber } from '../../src/transcriber.js';
import { SeededRandom } from '../../src/utils/random.js';
import { JFK_WAV, SYNTHETIC_MODEL } from '../helpers/shared.js';

interface WhisperNode {
  initWhisper(o: { filePath: string; useGpu: boolean }): Promise<{
    transcribeFile(path: string, o: object): { promise: Promise<{ result: string }> };
    release(): Promise<void>;
  }>;
}

let whisperCppText: string;
let t: Transcriber;
let features: Float32Array;

beforeAll(async () => {
  const whisper = createRequire(import.meta.url)('@fugood/whisper.node') as WhisperNode;
  const ctx = await whisper.initWhisper({ filePath: SYNTHETIC_MODEL, useGpu: false });
  try {
    const { promise } = ctx.transcribeFile(JFK_WAV, { language: 'en', temperature: 0, temperatureInc: 0, maxThreads: 2 });
    whisperCppText = (await promise).result;
  } finally {
    await ctx.release();
  }
  t = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2 });
  const audio = (await decodeAudioFile(JFK_WAV)).samples;
  features = await t.encoder.encode(melWindow(t.frontend.compute(audio, { paddingSamples: N_SAMPLES }), 0));
});

/** Greedy decoding of one window with the given filters, from [sot], at most maxTokens sampled. */
async function greedy(filters: LogitFilter[], maxTokens: number): Promise<number[]> {
  const { eot, sot } = t.tokenizer.special;
  const session = await t.decoder.session(features, 1);
  const seq = [sot];
  for (let i = 0; i < maxTokens; i++) {
    const logits = await session.step(Int32Array.of(seq[seq.length - 1]!), 1, Int32Array.of(0));
    for (const f of filters) f.apply(logits, seq);
    const next = argmax(logits);
    if (next === eot) break;
    seq.push(next);
  }
  return seq.slice(1);
}

describe('whisper.cpp parity (synthetic tiny.en, jfk.wav, greedy, temperature 0)', () => {
  it('with whisper.cpp\'s decoding rules, amanuensis produces exactly whisper.cpp\'s text', async () => {
    const s = t.tokenizer.special;
    const languages = t.tokenizer.languageCodes.map((c) => t.tokenizer.languageToken(c)!);
    const tokens = await greedy([
      new SuppressBlank(t.tokenizer.encode(' '), s.eot, 1),
      new SuppressTokens([s.sot, s.noSpeech, s.sotLm, s.translate, s.transcribe, s.sotPrev, ...languages]),
      new ApplyTimestampRules(s, 1, 1.0, false),
    ], Math.floor(t.dims.nTextCtx / 2) - 4);
    expect(whisperCppText.length).toBeGreaterThan(1000);
    expect(t.tokenizer.decode(tokens)).toBe(whisperCppText);
  });

  it('the native token loop, with whisper.cpp\'s decoding rules, produces exactly whisper.cpp\'s text too', async () => {
    const s = t.tokenizer.special;
    const languages = t.tokenizer.languageCodes.map((c) => t.tokenizer.languageToken(c)!);
    expect(t.decoder.decodeLoop).toBeDefined();
    const outcome = await t.decoder.decodeLoop!(features, {
      initial: [s.sot], sotIndex: 0, nSeq: 1, temperature: 0, patience: 1, sampleLen: Math.floor(t.dims.nTextCtx / 2) - 4,
      special: s, suppressBlank: true, blankTokens: t.tokenizer.encode(' '),
      suppressTokens: [s.sot, s.noSpeech, s.sotLm, s.translate, s.transcribe, s.sotPrev, ...languages],
      timestamps: true, maxInitialTimestamp: 1.0, requireInitialTimestamp: false, random: new SeededRandom(0),
    });
    expect(t.tokenizer.decode(outcome.candidates[0]!)).toBe(whisperCppText);
  });

  it('with openai/whisper\'s rules (amanuensis\' default) the first departure is the first token', async () => {
    const r = await t.transcribe((await decodeAudioFile(JFK_WAV)).samples, { temperature: 0, language: 'en' });
    const first = r.segments[0]!.tokens[0]!;
    // openai/whisper: a timestamp; whisper.cpp: text (its output starts with a word, no timestamp before it)
    expect(first).toBeGreaterThanOrEqual(t.tokenizer.special.timestampBegin);
    const s = t.tokenizer.special;
    const cppFirst = await greedy([new SuppressBlank(t.tokenizer.encode(' '), s.eot, 1), new ApplyTimestampRules(s, 1, 1.0, false)], 1);
    expect(cppFirst[0]!).toBeLessThan(s.eot);
    expect(whisperCppText.startsWith(t.tokenizer.decode(cppFirst))).toBe(true);
  });
});
