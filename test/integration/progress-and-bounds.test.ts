/**
 * What a transcription reports while it runs and where its segments lie: progress that moves
 * inside a window as the decoder reaches later timestamps, and segments that never end after
 * the audio, even when the decoder's timestamps point into the window's silence padding.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Decoder, DecoderSession } from '../../src/decoder/decoder.js';
import type { TranscribeProgress } from '../../src/options.js';
import { Transcriber } from '../../src/transcriber.js';
import { jfkSamplesReference, SYNTHETIC_MODEL } from '../helpers/shared.js';

let t: Transcriber;
const jfk = jfkSamplesReference();

beforeAll(async () => {
  t = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2, encoder: 'cpu' });
});

afterAll(() => t.close());

/**
 * A decoder that samples a fixed token script, whatever the audio: each step's logits put all
 * the probability on the script's next token (then on EOT), as a trained model that is sure of
 * its transcript would. Sessions count their own steps.
 */
function scriptedDecoder(script: readonly number[], nVocab: number, nTextCtx: number, eot: number): Decoder {
  const logitsFor = (token: number, nSeq: number, rows: number): Float32Array => {
    const out = new Float32Array(nSeq * rows * nVocab).fill(-10);
    for (let r = 0; r < nSeq * rows; r++) out[r * nVocab + token] = 10;
    return out;
  };
  return {
    nVocab,
    nTextCtx,
    session: async (_features, nSeq): Promise<DecoderSession> => {
      let sampled = 0;
      return {
        nSeq,
        step: async (_tokens, _nNew, positions) => logitsFor(script[sampled++] ?? eot, nSeq, positions.length),
        reorder: () => undefined,
      };
    },
    logits: async () => {
      throw new Error('not used: the language is given');
    },
  };
}

describe('progress', () => {
  it('moves inside a single window, never backwards, and ends at the whole audio', async () => {
    const events: TranscribeProgress[] = [];
    await t.transcribe(jfk, { temperature: 0, sampleLen: 48, onProgress: (p) => events.push(p) });
    // jfk.wav is 11 s: one window, so the old per-window progress had a single event at the end
    expect(events.at(-1)).toMatchObject({ processedFrames: 1100, totalFrames: 1100, fraction: 1, decodedTokens: 0 });
    const during = events.slice(0, -1);
    expect(during.length).toBeGreaterThan(1);
    // the native loop reports as often as the main thread takes its messages (never a step twice)
    const tokens = during.map((p) => p.decodedTokens);
    expect(tokens[0]).toBeGreaterThanOrEqual(1);
    for (let i = 1; i < tokens.length; i++) expect(tokens[i]).toBeGreaterThan(tokens[i - 1]!);
    expect(tokens.at(-1)).toBeLessThanOrEqual(48);
    for (let i = 1; i < events.length; i++) expect(events[i]!.processedFrames).toBeGreaterThanOrEqual(events[i - 1]!.processedFrames);
    expect(during.some((p) => p.processedFrames > 0 && p.processedFrames < 1100)).toBe(true);
  });
});

describe('segments end inside the audio', () => {
  async function segmentsOf(script: (ts: (seconds: number) => number, words: (text: string) => number[]) => number[]): Promise<unknown[][]> {
    const { timestampBegin, eot } = t.tokenizer.special;
    const ts = (seconds: number): number => timestampBegin + Math.round(seconds / 0.02);
    const decoder = scriptedDecoder(script(ts, (text) => t.tokenizer.encode(text)), t.decoder.nVocab, t.decoder.nTextCtx, eot);
    const scripted = new Transcriber({ dims: t.dims, tokenizer: t.tokenizer, frontend: t.frontend, encoder: t.encoder, decoder, cache: false });
    const r = await scripted.transcribe(jfk, { temperature: 0, language: 'en' });
    expect(r.durationS).toBe(11);
    return r.segments.map((s) => [s.start, s.end, s.text]);
  }

  it('a timestamp past the end of the audio (into the window padding) is clamped to the audio duration', async () => {
    // ending at <|29.14|>: what a 44.1 kHz FLAC of jfk.wav once gave for 11 s of audio
    const segments = await segmentsOf((ts, words) => [ts(0), ...words(' And so'), ts(5), ts(5), ...words(' my fellow Americans'), ts(29.14)]);
    expect(segments).toEqual([[0, 5, ' And so'], [5, 11, ' my fellow Americans']]);
  });

  it('a segment that starts after the end of the audio is kept, with its text, at the end', async () => {
    const segments = await segmentsOf((ts, words) => [ts(0), ...words(' ask not'), ts(12), ts(12), ...words(' what'), ts(14)]);
    expect(segments).toEqual([[0, 11, ' ask not'], [11, 11, ' what']]);
  });

  it('timestamps inside the audio are kept as the decoder gave them', async () => {
    const segments = await segmentsOf((ts, words) => [ts(0.5), ...words(' ask not'), ts(3.2), ts(3.2), ...words(' what'), ts(4.1)]);
    expect(segments).toEqual([[0.5, 3.2, ' ask not'], [3.2, 4.1, ' what']]);
  });
});
