/**
 * Parity with whisper.cpp (the prebuilt in @fugood/whisper.node) on the synthetic tiny.en model
 * and jfk.wav, greedy at temperature 0 without fallback.
 *
 * whisper.cpp departs from openai/whisper's ApplyTimestampRules at the first sampled token: it
 * does not force that token to be a timestamp. amanuensis follows openai/whisper, so on this model
 * the two diverge at token 0. To compare everything after that point, the test also decodes with
 * whisper.cpp's rule set (no forced initial timestamp; suppress blank at the start, the task,
 * start and language tokens always; no non-speech suppression; at most n_text_ctx/2 - 4 = 220
 * tokens; test/helpers/whisper-cpp-parity.ts) through amanuensis' own decoder and logit filters,
 * and requires the identical text.
 */
import { beforeAll, describe, expect, it } from 'vitest';

import { decodeAudioFile } from '../../src/audio/audio-file.js';
import { argmax } from '../../src/decoder/math.js';
import { ApplyTimestampRules, SuppressBlank } from '../../src/decoder/logit-filters.js';
import { Transcriber } from '../../src/transcriber.js';
import { JFK_WAV, SYNTHETIC_MODEL } from '../helpers/shared.js';
import { greedyUnderWhisperCppRules, jfkFeatures, whisperCppLoopRequest, whisperCppText } from '../helpers/whisper-cpp-parity.js';

let whisperCppOutput: string;
let t: Transcriber;
let features: Float32Array;

beforeAll(async () => {
  whisperCppOutput = await whisperCppText(SYNTHETIC_MODEL);
  t = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2 });
  features = await jfkFeatures(t);
});

describe('whisper.cpp parity (synthetic tiny.en, jfk.wav, greedy, temperature 0)', () => {
  it('with whisper.cpp\'s decoding rules, amanuensis produces exactly whisper.cpp\'s text', async () => {
    expect(whisperCppOutput.length).toBeGreaterThan(1000);
    expect(t.tokenizer.decode(await greedyUnderWhisperCppRules(t, features))).toBe(whisperCppOutput);
  });

  it('the native token loop, with whisper.cpp\'s decoding rules, produces exactly whisper.cpp\'s text too', async () => {
    expect(t.decoder.decodeLoop).toBeDefined();
    const outcome = await t.decoder.decodeLoop!(features, whisperCppLoopRequest(t));
    expect(t.tokenizer.decode(outcome.candidates[0]!)).toBe(whisperCppOutput);
  });

  it('with openai/whisper\'s rules (amanuensis\' default) the first departure is the first token', async () => {
    const r = await t.transcribe((await decodeAudioFile(JFK_WAV)).samples, { temperature: 0, language: 'en' });
    const first = r.segments[0]!.tokens[0]!;
    // openai/whisper: a timestamp; whisper.cpp: text (its output starts with a word, no timestamp before it)
    expect(first).toBeGreaterThanOrEqual(t.tokenizer.special.timestampBegin);
    const s = t.tokenizer.special;
    // whisper.cpp's first step: blank suppressed and the timestamp rules without the forced initial timestamp
    const session = await t.decoder.session(features, 1);
    const logits = await session.step(Int32Array.of(s.sot), 1, Int32Array.of(0));
    for (const f of [new SuppressBlank(t.tokenizer.encode(' '), s.eot, 1), new ApplyTimestampRules(s, 1, 1.0, false)]) f.apply(logits, [s.sot]);
    const cppFirst = argmax(logits);
    expect(cppFirst).toBeLessThan(s.eot);
    expect(whisperCppOutput.startsWith(t.tokenizer.decode([cppFirst]))).toBe(true);
  });
});
