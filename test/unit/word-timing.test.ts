/**
 * Word splitting, punctuation merging, the word-timing rules and Python's rounding, on cases
 * worked out by hand from openai/whisper tokenizer.py (`split_tokens_on_spaces`,
 * `split_tokens_on_unicode`) and timing.py (`merge_punctuations`, `add_word_timestamps`).
 */
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { roundHundredths } from '../../src/alignment/python-round.js';
import { splitToWordTokens } from '../../src/alignment/word-split.js';
import {
  addWordTimestamps, DEFAULT_APPEND_PUNCTUATIONS, DEFAULT_PREPEND_PUNCTUATIONS, mergePunctuations, type WordTiming,
} from '../../src/alignment/word-timing.js';
import { Tokenizer } from '../../src/tokenizer/tokenizer.js';
import { GPT2_TIKTOKEN, MULTILINGUAL_TIKTOKEN } from '../helpers/shared.js';

const english = Tokenizer.fromTiktoken(readFileSync(GPT2_TIKTOKEN, 'utf8'), 51864);
const multilingual = Tokenizer.fromTiktoken(readFileSync(MULTILINGUAL_TIKTOKEN, 'utf8'), 51865);

describe('splitToWordTokens', () => {
  it('splits on spaces; punctuation is a word of its own, "\'s" continues its word; EOT ends the list', () => {
    // " Hello" "," " world" "'s" " end" "." <|endoftext|>
    const tokens = [18435, 11, 995, 338, 886, 13, english.special.eot];
    const r = splitToWordTokens(english, tokens, 'en');
    expect(r.words.slice(0, -1)).toEqual([' Hello', ',', " world's", ' end', '.']);
    expect(r.tokens).toEqual([[18435], [11], [995, 338], [886], [13], [english.special.eot]]);
  });

  it('zh, ja, th, lo, my, yue: a word per whole character run; a character split over tokens stays whole', () => {
    // 你好世界 is 2 tokens of whole characters; 鑫 is 3 tokens of one character's bytes
    const tokens = [26410, 24486, 165, 239, 104];
    for (const language of ['zh', 'ja', 'yue']) {
      const r = splitToWordTokens(multilingual, tokens, language);
      expect(r.words).toEqual(['你好', '世界', '鑫']);
      expect(r.tokens).toEqual([[26410], [24486], [165, 239, 104]]);
    }
    // the same tokens in a spaced language: no piece starts with a space, so they join into one word
    expect(splitToWordTokens(multilingual, tokens, 'de').words).toEqual(['你好世界鑫']);
  });
});

const timing = (word: string, start = 0, end = 0): WordTiming => ({ word, tokens: [word.length], start, end, probability: 0.5 });

describe('mergePunctuations', () => {
  it('merges a spaced opening mark into the next word and closing marks into the word before', () => {
    const a = [timing(' ('), timing('Hi'), timing(')'), timing(' there'), timing('.')];
    mergePunctuations(a, DEFAULT_PREPEND_PUNCTUATIONS, DEFAULT_APPEND_PUNCTUATIONS);
    expect(a.map((w) => w.word)).toEqual(['', ' (Hi)', '', ' there.', '']);
    expect(a.map((w) => w.tokens)).toEqual([[], [2, 2, 1], [], [6, 1], []]);
  });

  it('a closing mark after a word ending in a space stays a word', () => {
    const a = [timing(' a '), timing('.')];
    mergePunctuations(a, DEFAULT_PREPEND_PUNCTUATIONS, DEFAULT_APPEND_PUNCTUATIONS);
    expect(a.map((w) => w.word)).toEqual([' a ', '.']);
  });
});

describe('addWordTimestamps', () => {
  it('caps a sentence mark at twice the median duration, merges it, rounds to 0.01 s on the window offset', () => {
    // durations 0.4, 0.6, 3.0 (the "."): median 0.6, max 1.2 → "." ends at 2.2 and merges into " b"
    const a = [timing(' a', 0, 0.4), timing(' b', 0.4, 1.0), timing('.', 1.0, 4.0)];
    const r = addWordTimestamps(a, [{ start: 10, end: 14, tokens: [1, 2, 3] }], (s) => s.tokens.length, 10, 10, DEFAULT_PREPEND_PUNCTUATIONS, DEFAULT_APPEND_PUNCTUATIONS);
    expect(r.medianDuration).toBeCloseTo(0.6, 12);
    expect(r.segments[0]!.words.map((w) => [w.word, w.start, w.end])).toEqual([[' a', 10, 10.4], [' b.', 10.4, 11]]);
    // the segment's end (14) is more than 0.5 s past the last word's end: the segment shrinks to it
    expect([r.segments[0]!.start, r.segments[0]!.end]).toEqual([10, 11]);
    expect(r.lastSpeechTimestamp).toBe(11);
  });

  it('a long first word after a pause is cut to twice the median duration', () => {
    // durations 5 (first), 0.3, 0.3: median 0.3, max 0.6; first ends 5 s after the last speech
    const a = [timing(' a', 0, 5), timing(' b', 5, 5.3), timing(' c', 5.3, 5.6)];
    const r = addWordTimestamps(a, [{ start: 0, end: 5.6, tokens: [1, 2, 3] }], (s) => s.tokens.length, 0, 0, '', '');
    expect(r.segments[0]!.words.map((w) => [w.start, w.end])).toEqual([[4.4, 5], [5, 5.3], [5.3, 5.6]]);
    expect(r.segments[0]!.start).toBe(4.4);
  });

  it('words are dealt to segments by their text tokens', () => {
    const a = [timing(' a', 0, 0.2), timing(' b', 0.2, 0.4), timing(' c', 0.4, 0.6)];
    const r = addWordTimestamps(a, [{ start: 0, end: 0.4, tokens: [1, 1] }, { start: 0.4, end: 0.6, tokens: [1] }], (s) => s.tokens.length, 0, 0, '', '');
    expect(r.segments.map((s) => s.words.map((w) => w.word))).toEqual([[' a', ' b'], [' c']]);
  });
});

describe('roundHundredths (Python round(x, 2))', () => {
  it('rounds exact binary halves to even and everything else to the nearest of the exact value', () => {
    expect(roundHundredths(0.125)).toBe(0.12);  // exact tie: even
    expect(roundHundredths(0.375)).toBe(0.38);  // exact tie: even
    expect(roundHundredths(2.675)).toBe(2.67);  // 2.67499999… in binary
    expect(roundHundredths(1.005)).toBe(1);     // 1.00499999…
    expect(roundHundredths(8.18)).toBe(8.18);
    expect(roundHundredths(9.579999999999998)).toBe(9.58);
    expect(roundHundredths(-0.125)).toBe(-0.12);
  });
});
