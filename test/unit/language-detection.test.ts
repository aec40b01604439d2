/** Language identification from one SOT step's logits (openai/whisper detect_language), with a scripted decoder. */
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import type { Decoder, DecoderSession } from '../../src/decoder/decoder.js';
import { detectLanguageFromFeatures } from '../../src/decoder/language-detection.js';
import { parseGgmlHeader } from '../../src/model/ggml-loader.js';
import { Tokenizer } from '../../src/tokenizer/tokenizer.js';
import { HEADER_ONLY_MULTI } from '../helpers/shared.js';

const header = parseGgmlHeader(readFileSync(HEADER_ONLY_MULTI));
const multi = Tokenizer.fromVocab(header.vocab, header.dims.nVocab);

/** A decoder whose one step returns `logits` and records what it was asked. */
function scripted(logits: Float32Array): Decoder & { steps: number[][]; closed: number } {
  const d = {
    nVocab: logits.length,
    nTextCtx: 448,
    steps: [] as number[][],
    closed: 0,
    async session(_features: Float32Array, nSeq: number): Promise<DecoderSession> {
      return {
        nSeq,
        async step(tokens: Int32Array) {
          d.steps.push([...tokens]);
          return logits;
        },
        reorder() {},
        close() { d.closed++; },
      };
    },
    async logits(): Promise<Float32Array> {
      throw new Error('not used');
    },
  };
  return d;
}

describe('detectLanguageFromFeatures', () => {
  it('one step on SOT; softmax over the language tokens only; the session is closed', async () => {
    const logits = new Float32Array(header.dims.nVocab);
    logits[multi.special.eot] = 100; // not a language: ignored
    logits[multi.languageToken('de')!] = 3;
    logits[multi.languageToken('fr')!] = 3 - Math.log(2);
    const decoder = scripted(logits);
    const r = await detectLanguageFromFeatures(decoder, multi, new Float32Array(4));
    expect(decoder.steps).toEqual([[multi.special.sot]]);
    expect(decoder.closed).toBe(1);
    expect(r.language).toBe('de');
    expect(Object.keys(r.probabilities)).toEqual(multi.languageCodes);
    expect(Object.values(r.probabilities).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(r.probabilities.de! / r.probabilities.fr!).toBeCloseTo(2, 6);
  });
});
