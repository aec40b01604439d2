/**
 * LocalAgreement-2 at word granularity (Macháček et al., "Turning Whisper into Real-Time
 * Transcription System"; the rules of ufal/whisper_streaming's `HypothesisBuffer`): the words of
 * a new hypothesis that repeat what is already confirmed are dropped, and the longest common
 * prefix of what remains with the previous hypothesis is confirmed.
 * @module
 */

/** A word of a hypothesis, on the session's timeline. */
export interface HypothesisWord {
  /** Text, leading space kept (as Whisper writes it). */
  readonly word: string;
  /** Seconds on the session timeline. */
  readonly start: number;
  /** Seconds on the session timeline. */
  readonly end: number;
  /** Mean probability of its tokens (0 to 1). */
  readonly probability: number;
  /** Its token ids, punctuation merged in. */
  readonly tokens: readonly number[];
  /** Index, in its hypothesis, of the segment it belongs to. */
  readonly segment: number;
}

/**
 * How far back (in words) a repetition of the confirmed tail is looked for at the head of a new
 * hypothesis (whisper_streaming's 5).
 */
const MAX_REPEATED_WORDS = 5;
/**
 * A repetition is looked for only when the new words begin within this many seconds of the end
 * of the confirmed words (whisper_streaming's 1 s): further away, a repeated word is new speech.
 */
const REPEAT_WINDOW_S = 1;

/**
 * A word as agreement compares it: without surrounding spaces and punctuation, in lower case
 * (so `" Country,"` and `" country."` agree). A word of punctuation only is compared as written.
 */
export function normaliseWord(word: string): string {
  const trimmed = word.trim().toLowerCase();
  const bare = trimmed.replace(/^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu, '');
  return bare === '' ? trimmed : bare;
}

/**
 * The words of `hypothesis` that are not already confirmed. A word is dropped when most of it lies
 * in confirmed audio (its midpoint at or before `confirmedEnd`: it is a confirmed word heard again,
 * its times off by the alignment's jitter); then, when what is left begins within 1 s of
 * `confirmedEnd`, a run of 1 to 5 leading words that repeats the last words of `confirmedTail`
 * is dropped too (the shortest such run, as whisper_streaming's `HypothesisBuffer.insert`).
 * The dropped words are always a prefix: the result is `hypothesis.slice(k)` for some `k`.
 * @param confirmedTail - the confirmed words whose audio is still in the buffer, in order
 * @param confirmedEnd - seconds on the session timeline: the end of the last confirmed word
 *   (-Infinity before any)
 */
export function unconfirmedWords(hypothesis: readonly HypothesisWord[], confirmedTail: readonly { readonly word: string }[], confirmedEnd: number): HypothesisWord[] {
  let k = 0;
  // word times never decrease within a hypothesis, so the words in confirmed audio lead it
  while (k < hypothesis.length && (hypothesis[k]!.start + hypothesis[k]!.end) / 2 <= confirmedEnd) k++;
  const fresh = hypothesis.slice(k);
  if (fresh.length === 0 || confirmedTail.length === 0 || fresh[0]!.start - confirmedEnd >= REPEAT_WINDOW_S) return fresh;
  const longest = Math.min(MAX_REPEATED_WORDS, confirmedTail.length, fresh.length);
  for (let n = 1; n <= longest; n++) {
    const tail = confirmedTail.slice(confirmedTail.length - n).map((w) => normaliseWord(w.word));
    if (tail.every((w, i) => w === normaliseWord(fresh[i]!.word))) return fresh.slice(n);
  }
  return fresh;
}

/**
 * How many leading words of `current` the previous hypothesis agrees on: their longest common
 * prefix, compared by {@link normaliseWord}. All of them are confirmed, the last word of `current`
 * included (as whisper_streaming does: a word both hypotheses heard was already whole a step ago).
 */
export function agreedWordPrefix(previous: readonly HypothesisWord[], current: readonly HypothesisWord[]): number {
  const limit = Math.min(previous.length, current.length);
  let n = 0;
  while (n < limit && normaliseWord(previous[n]!.word) === normaliseWord(current[n]!.word)) n++;
  return n;
}
