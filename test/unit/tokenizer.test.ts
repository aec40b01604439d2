import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { parseGgmlHeader, parseGgmlModel } from '../../src/model/ggml-loader.js';
import { LANGUAGES } from '../../src/tokenizer/languages.js';
import { NON_SPEECH_TOKENS_EN, NON_SPEECH_TOKENS_MULTILINGUAL } from '../../src/tokenizer/non-speech-tokens.js';
import { Tokenizer } from '../../src/tokenizer/tokenizer.js';
import { GPT2_TIKTOKEN, goldenMeta, HEADER_ONLY_MULTI, HF_TOKENIZER_DIR, MULTILINGUAL_TIKTOKEN, SYNTHETIC_MODEL } from '../helpers/shared.js';

const model = parseGgmlModel(readFileSync(SYNTHETIC_MODEL));
const tok = Tokenizer.fromVocab(model.vocab, model.dims.nVocab);
const exact = Tokenizer.fromTiktoken(readFileSync(GPT2_TIKTOKEN, 'utf8'), 51864);
const hf = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(HF_TOKENIZER_DIR, name), 'utf8')) as Record<string, unknown>;

describe('1. special tokens', () => {
  it('English-only ids agree with the Hugging Face tiny.en configuration', () => {
    const g = hf('generation_config.json');
    expect(tok.special.eot).toBe(g.eos_token_id);
    expect(tok.special.sot).toBe(g.decoder_start_token_id);
    expect(tok.special.noTimestamps).toBe(g.no_timestamps_token_id);
    expect(tok.special.timestampBegin).toBe(tok.special.noTimestamps + 1);
    expect(tok.multilingual).toBe(false);
    expect(tok.sotSequence('en', 'transcribe')).toEqual([50257]);
  });

  it('language tokens follow the order of the Hugging Face special token list', () => {
    const listed = (hf('special_tokens_map.json').additional_special_tokens as string[])
      .filter((t) => /^<\|[a-z]{2,3}\|>$/.test(t) && !['<|nocaptions|>'].includes(t))
      .map((t) => t.slice(2, -2).replace('iw', 'he')); // Hugging Face keeps the old code for Hebrew
    expect(listed).toEqual(tok.languageCodes);
    expect(LANGUAGES.length).toBe(100);
  });

  it('multilingual ids are shifted by one and the SOT sequence carries language and task', () => {
    const header = parseGgmlHeader(readFileSync(HEADER_ONLY_MULTI));
    const multi = Tokenizer.fromVocab(header.vocab, header.dims.nVocab);
    expect(multi.special).toMatchObject({ eot: 50257, sot: 50258, translate: 50358, transcribe: 50359, noSpeech: 50362, noTimestamps: 50363, timestampBegin: 50364 });
    expect(multi.sotSequence('de', 'translate')).toEqual([50258, 50261, 50358]);
    expect(() => multi.sotSequence('xx', 'transcribe')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});

describe('2. encoding and decoding text', () => {
  it('encodes the golden forced tokens', () => {
    const forced = goldenMeta().forced_tokens; // sot, timestamp_begin, " O", " test", " of", " the"
    expect(tok.encode(' O test of the')).toEqual(forced.slice(2));
    expect(exact.encode(' O test of the')).toEqual(forced.slice(2));
  });

  it('round-trips text and agrees with the lossless rank file on ASCII', () => {
    const text = ' And so my fellow Americans, ask not what your country can do for you; ask what you can do for your country! 1961.';
    expect(tok.encode(text)).toEqual(exact.encode(text));
    expect(tok.decode(tok.encode(text))).toBe(text);
  });

  it('decodes non-ASCII text that the GGML vocabulary stores whole, and everything with the rank file', () => {
    const text = ' Grüße aus Köln, naïve café';
    expect(exact.decode(exact.encode(text))).toBe(text);
    const ggml = tok.encode(text);
    expect(tok.decode(ggml)).toBe(text);
  });

  it('timestamps decode as <|t|> and are skipped by plain decode', () => {
    const ids = [tok.special.timestampBegin, ...tok.encode(' Hello'), tok.special.timestampBegin + 54];
    expect(tok.decode(ids)).toBe(' Hello');
    expect(tok.decodeWithTimestamps(ids)).toBe('<|0.00|> Hello<|1.08|>');
  });
});

describe('3. the non-speech token tables', () => {
  it('equal openai/whisper\'s computation from its rank files', () => {
    expect(exact.nonSpeechTokens()).toEqual(NON_SPEECH_TOKENS_EN);
    const multi = Tokenizer.fromTiktoken(readFileSync(MULTILINGUAL_TIKTOKEN, 'utf8'), 51865);
    expect(multi.nonSpeechTokens()).toEqual(NON_SPEECH_TOKENS_MULTILINGUAL);
    expect(tok.nonSpeechTokens()).toEqual(NON_SPEECH_TOKENS_EN);
  });

  it('plus the task and start tokens, equal the Hugging Face suppress_tokens; SuppressBlank equals begin_suppress_tokens', () => {
    const g = hf('generation_config.json');
    const s = tok.special;
    const suppress = [...tok.nonSpeechTokens(), s.sot, s.translate, s.transcribe, s.sotLm, s.sotPrev, s.noSpeech].sort((a, b) => a - b);
    expect(suppress).toEqual(g.suppress_tokens);
    expect([...tok.encode(' '), s.eot]).toEqual(g.begin_suppress_tokens);
  });
});
