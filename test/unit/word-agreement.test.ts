/**
 * Word-level LocalAgreement on hand-written hypotheses, each expectation worked out by hand from
 * whisper_streaming's rules (`HypothesisBuffer.insert` / `flush`, `OnlineASRProcessor`'s trimming):
 * what is dropped as already confirmed, what two hypotheses agree on, where the buffer is
 * trimmed, and how confirmed words group into segments.
 */
import { describe, expect, it } from 'vitest';

import { agreedWordPrefix, type HypothesisWord, normaliseWord, unconfirmedWords } from '../../src/streaming/word-agreement.js';
import { WordConfirmation, type WordHypothesis, type WordStepOutcome } from '../../src/streaming/word-confirmation.js';

/** Words from `[text, start, end, segment]` rows. */
const hyp = (...rows: [string, number, number, number?][]): HypothesisWord[] =>
  rows.map(([word, start, end, segment]) => ({ word, start, end, probability: 0.5, tokens: [], segment: segment ?? 0 }));

const texts = (words: readonly { word: string }[]): string[] => words.map((w) => w.word);

function hypothesis(words: HypothesisWord[], segmentEnds: number[], windowStart: number, windowEnd: number): WordHypothesis {
  return { words, segmentEnds, windowStart, windowEnd };
}

/** The outcome's events as readable strings: `w:<word>` and `s:<segment text>`. */
const events = (o: WordStepOutcome): string[] =>
  o.events.map((e) => ('word' in e ? `w:${e.word.word}` : `s:${e.segment.map((w) => w.word).join('')}`));

describe('normaliseWord', () => {
  it('ignores spaces, case and surrounding punctuation; punctuation alone is kept', () => {
    expect(normaliseWord(' Country,')).toBe('country');
    expect(normaliseWord(' country.')).toBe('country');
    expect(normaliseWord(' "Ask')).toBe('ask');
    expect(normaliseWord(" don't")).toBe("don't");
    expect(normaliseWord(' -')).toBe('-');
    expect(normaliseWord(' Americans')).not.toBe(normaliseWord(' American'));
  });
});

describe('agreedWordPrefix', () => {
  it('is the longest common prefix, the last word of the new hypothesis included', () => {
    expect(agreedWordPrefix(hyp([' And', 0, 1], [' so', 1, 2]), hyp([' and', 0, 1], [' so,', 1, 2], [' my', 2, 3]))).toBe(2);
    expect(agreedWordPrefix(hyp([' And', 0, 1], [' so', 1, 2]), hyp([' And', 0, 1], [' so', 1, 2]))).toBe(2);
    expect(agreedWordPrefix(hyp([' And', 0, 1], [' sew', 1, 2], [' my', 2, 3]), hyp([' And', 0, 1], [' so', 1, 2], [' my', 2, 3]))).toBe(1);
    expect(agreedWordPrefix([], hyp([' And', 0, 1]))).toBe(0);
  });
});

describe('unconfirmedWords', () => {
  it('drops the words whose middle lies in confirmed audio, and nothing before any confirmation', () => {
    const h = hyp([' ask', 4.0, 4.4], [' not', 4.4, 4.9], [' what', 4.8, 5.3], [' your', 5.3, 5.6]);
    expect(texts(unconfirmedWords(h, [], -Infinity))).toEqual([' ask', ' not', ' what', ' your']);
    // confirmed through 4.9: " not" (middle 4.65) is confirmed audio, " what" (middle 5.05) is not
    expect(texts(unconfirmedWords(h, [], 4.9))).toEqual([' what', ' your']);
  });

  it('drops a repetition of the confirmed tail (1 to 5 words) at the head, the shortest first', () => {
    const tail = hyp([' ask', 4.0, 4.4], [' not', 4.4, 4.9]);
    // " not" heard again, placed later by 0.3 s: its middle is past the confirmed end, the repetition rule drops it
    expect(texts(unconfirmedWords(hyp([' Not', 4.7, 5.1], [' what', 5.1, 5.4]), tail, 4.9))).toEqual([' what']);
    // two words heard again, both placed late
    expect(texts(unconfirmedWords(hyp([' ask', 4.6, 5.0], [' not,', 5.0, 5.3], [' what', 5.3, 5.6]), tail, 4.9))).toEqual([' what']);
    // a word that does not repeat the tail stays
    expect(texts(unconfirmedWords(hyp([' knot', 4.8, 5.1], [' what', 5.1, 5.4]), tail, 4.9))).toEqual([' knot', ' what']);
  });

  it('looks for a repetition only within 1 s of the confirmed end', () => {
    const tail = hyp([' not', 4.4, 4.9]);
    expect(texts(unconfirmedWords(hyp([' not', 5.9, 6.2]), tail, 4.9))).toEqual([' not']);
    expect(texts(unconfirmedWords(hyp([' not', 5.8, 6.2]), tail, 4.9))).toEqual([]);
  });
});

describe('WordConfirmation', () => {
  it('confirms what two hypotheses agree on, once; trims at a sentence end; prompts with what leaves the buffer', () => {
    const c = new WordConfirmation();
    // step 1 (0–2 s): nothing to agree with yet
    let o = c.step(hypothesis(hyp([' And', 0.1, 0.5], [' so', 0.5, 0.9], [' my', 1.2, 1.6]), [2], 0, 2), 'agree');
    expect(events(o)).toEqual([]);
    expect(texts(o.pending)).toEqual([' And', ' so', ' my']);
    expect(o.trimTo).toBe(0);
    // step 2 (0–3 s): agrees on " And so", not on " my"/" mine."
    o = c.step(hypothesis(hyp([' And', 0.1, 0.5], [' so', 0.5, 0.9], [' mine.', 1.2, 1.7], [' As', 2.3, 2.8]), [3], 0, 3), 'agree');
    expect(events(o)).toEqual(['w: And', 'w: so']);
    expect(o.trimTo).toBe(0);
    expect(o.released).toEqual([]);
    // step 3 (0–4 s): " mine." agreed (" As" and " Ask" differ); it ends a sentence, so the buffer
    // is trimmed mid-pause before " Ask"; no segment boundary was seen, but all the words left the
    // buffer, so no later hypothesis can continue their segment: it is complete
    o = c.step(hypothesis(hyp([' And', 0.1, 0.5], [' so', 0.5, 0.9], [' mine.', 1.2, 1.7], [' Ask', 2.3, 2.8], [' not', 2.8, 3.3]), [4], 0, 4), 'agree');
    expect(events(o)).toEqual(['w: mine.', 's: And so mine.']);
    expect(o.trimTo).toBeCloseTo(2.0, 9);
    expect(texts(o.released)).toEqual([' And', ' so', ' mine.']);
    expect(texts(o.pending)).toEqual([' Ask', ' not']);
    // step 4 (2–5 s): the new window's words agree on " Ask not"
    o = c.step(hypothesis(hyp([' Ask', 2.3, 2.8], [' not', 2.8, 3.3], [' what', 3.4, 3.9]), [5], 2, 5), 'agree');
    expect(events(o)).toEqual(['w: Ask', 'w: not']);
    // the end: everything left is confirmed and the last segment closed
    o = c.step(hypothesis(hyp([' Ask', 2.3, 2.8], [' not', 2.8, 3.3], [' what', 3.4, 3.9], [' you', 3.9, 4.3]), [5], 2, 5), 'final');
    expect(events(o)).toEqual(['w: what', 'w: you', 's: Ask not what you']);
    expect(o.trimTo).toBe(5);
  });

  it('closes a segment at a boundary of the hypothesis and trims at the end of that segment', () => {
    const c = new WordConfirmation();
    const words = hyp([' one', 0.2, 0.6, 0], [' two', 0.6, 1.0, 0], [' three', 1.6, 2.0, 1]);
    c.step(hypothesis(words, [1.3, 2.5], 0, 2.5), 'agree');
    const o = c.step(hypothesis([...words, ...hyp([' four', 2.4, 2.9, 1])], [1.3, 3], 0, 3), 'agree');
    // " one two" ends segment 0, " three" starts segment 1: the segment closes before " three"
    expect(events(o)).toEqual(['w: one', 'w: two', 's: one two', 'w: three']);
    // trimmed at segment 0's end (1.3 s), before " three" (1.6 s)
    expect(o.trimTo).toBeCloseTo(1.3, 9);
    expect(texts(o.released)).toEqual([' one', ' two']);
  });

  it('a boundary seen only in a later hypothesis still closes the segment; repeated words are not confirmed twice', () => {
    const c = new WordConfirmation();
    c.step(hypothesis(hyp([' one', 0.2, 0.6], [' two', 0.6, 1.0]), [1.2], 0, 1.2), 'agree');
    let o = c.step(hypothesis(hyp([' one', 0.2, 0.6], [' two', 0.6, 1.0]), [1.5], 0, 1.5), 'agree');
    expect(events(o)).toEqual(['w: one', 'w: two']);
    // the next hypothesis hears " two" a little later (middle past 1.0, dropped as a repetition) and
    // shows a new segment after it: the segment closes, and the buffer is trimmed at its end
    o = c.step(hypothesis(hyp([' one', 0.2, 0.6, 0], [' two', 0.8, 1.3, 0], [' three', 1.6, 2.0, 1]), [1.4, 2.5], 0, 2.5), 'agree');
    expect(events(o)).toEqual(['s: one two']);
    expect(o.trimTo).toBeCloseTo(1.4, 9);
    expect(texts(o.released)).toEqual([' one', ' two']);
    expect(texts(o.pending)).toEqual([' three']);
    o = c.step(hypothesis(hyp([' three', 1.6, 2.0], [' four', 2.2, 2.6]), [3], 1.4, 3), 'agree');
    expect(events(o)).toEqual(['w: three']);
  });

  it('keeps confirmed times monotonic: a word placed before the last confirmed end starts at it', () => {
    const c = new WordConfirmation();
    c.step(hypothesis(hyp([' one', 0.2, 1.0], [' two', 1.0, 1.4]), [2], 0, 2), 'agree');
    c.step(hypothesis(hyp([' one', 0.2, 1.0], [' two', 1.0, 1.4]), [2], 0, 2), 'agree');
    // " three" is placed from 0.9 s (its middle 1.5 s is past the confirmed end 1.4 s)
    const o = c.step(hypothesis(hyp([' one', 0.2, 1.0], [' two', 1.0, 1.4], [' three', 0.9, 2.1]), [2.5], 0, 2.5), 'final');
    const three = o.events.find((e) => 'word' in e && e.word.word === ' three');
    expect(three).toMatchObject({ word: { start: 1.4, end: 2.1 } });
  });

  it('a full window confirms every segment but the last and trims there; with one segment, everything', () => {
    const c = new WordConfirmation();
    const words = hyp([' a', 1, 2, 0], [' b', 10, 11, 1], [' c', 20, 21, 2]);
    let o = c.step(hypothesis(words, [5, 15, 29.5], 0, 29.5), 'full', 1);
    expect(events(o)).toEqual(['w: a', 's: a', 'w: b', 's: b']);
    expect(o.trimTo).toBeCloseTo(15, 9);
    o = c.step(hypothesis(hyp([' d', 20, 21]), [29.5], 15, 29.5), 'full', 1);
    expect(events(o)).toEqual(['w: d', 's: d']);
    expect(o.trimTo).toBe(29.5);
  });

  it('skip() forgets the last hypothesis: it is not agreed with after untranscribed audio', () => {
    const c = new WordConfirmation();
    c.step(hypothesis(hyp([' one', 0.2, 0.6]), [1], 0, 1), 'agree');
    expect(c.skip(3).pending).toEqual([]);
    const o = c.step(hypothesis(hyp([' one', 3.2, 3.6]), [4], 3, 4), 'agree');
    expect(events(o)).toEqual([]);
  });
});
