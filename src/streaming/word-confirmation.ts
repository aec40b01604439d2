/**
 * The state of a session's word-level LocalAgreement (whisper_streaming's `HypothesisBuffer` and
 * `OnlineASRProcessor` policy): which words are confirmed, which of them still lie in the
 * buffer, where the buffer may be trimmed, and how confirmed words group into segments.
 * @module
 */
import { agreedWordPrefix, type HypothesisWord, unconfirmedWords } from './word-agreement.js';

/** A confirmed word: never revised; each one starts at or after the end of the one before. */
export interface ConfirmedWord {
  /** Text, leading space kept. */
  readonly word: string;
  /** Seconds on the session timeline. */
  readonly start: number;
  /** Seconds on the session timeline. */
  readonly end: number;
  /** Mean probability of its tokens (0 to 1). */
  readonly probability: number;
  /** Its token ids. */
  readonly tokens: readonly number[];
}

/** One transcription of the buffer, on the session timeline. */
export interface WordHypothesis {
  /** Its words, in order. */
  readonly words: readonly HypothesisWord[];
  /** The end of each of its segments (seconds), indexed as {@link HypothesisWord.segment}. */
  readonly segmentEnds: readonly number[];
  /** Seconds: the start of the transcribed audio (the buffer's start). */
  readonly windowStart: number;
  /** Seconds: the end of the transcribed audio. */
  readonly windowEnd: number;
}

/**
 * How a step confirms: `'agree'` what the last two hypotheses agree on; `'full'` that too, and at
 * least every segment but the last (the window cannot grow: audio must leave the buffer); `'final'`
 * everything (the end of the audio or of a stretch of speech).
 */
export type WordStepMode = 'agree' | 'full' | 'final';

/** In order: a newly confirmed word, or a segment of confirmed words now complete. */
export type WordStepEvent = { readonly word: ConfirmedWord } | { readonly segment: readonly ConfirmedWord[] };

/** What one step decided. */
export interface WordStepOutcome {
  /** Words and completed segments, in the order to emit them. */
  readonly events: readonly WordStepEvent[];
  /** Seconds: the buffer's audio before this is done with (at most the window's end). */
  readonly trimTo: number;
  /** The confirmed words whose audio leaves the buffer with the trim: the next windows' prompt. */
  readonly released: readonly ConfirmedWord[];
  /** The unconfirmed tail of the hypothesis (the partial text). */
  readonly pending: readonly HypothesisWord[];
}

/** Sentence-final punctuation, closing quotes and brackets allowed after it. */
const SENTENCE_END = /[.!?。！？…]["'”’)\]]*$/u;

/**
 * Word-level LocalAgreement over successive transcriptions of a session's buffer:
 * - the words of a hypothesis already confirmed are dropped ({@link unconfirmedWords}), and of the
 *   rest the prefix the previous hypothesis agrees on is confirmed ({@link agreedWordPrefix});
 * - the buffer is trimmed at the end of the last confirmed sentence (a word ending in `.`, `!`,
 *   `?`, …) or of the last segment whose words are all confirmed, never into an unconfirmed word
 *   (whisper_streaming trims at segments or sentences too, but only past 15 s of buffer; trimming
 *   at once keeps every window short);
 * - confirmed words make a segment when the hypothesis shows a segment boundary after them, when
 *   their audio has all left the buffer, or at the end.
 */
export class WordConfirmation {
  /** Confirmed words whose audio is still in the buffer (what a new hypothesis may repeat). */
  private inBuffer: ConfirmedWord[] = [];
  /** Confirmed words not yet part of an emitted segment. */
  private unsegmented: ConfirmedWord[] = [];
  /** Seconds: the end of the last confirmed word. */
  private confirmedEnd = -Infinity;
  /** The unconfirmed words of the last hypothesis. */
  private previous: HypothesisWord[] = [];

  /** Seconds on the session timeline: the end of the last confirmed word (-Infinity before any). */
  get confirmedUntil(): number {
    return this.confirmedEnd;
  }

  /**
   * Confirms what `hypothesis` allows in `mode`; see the class description.
   * @param mustShedS - in `'full'` mode, the seconds of audio the trim must at least drop, else
   *   everything in the window is confirmed and dropped (a session passes one step's audio: a full
   *   window that shed less than a step brings would fall ever further behind the pushed audio)
   */
  step(hypothesis: WordHypothesis, mode: WordStepMode, mustShedS = 0): WordStepOutcome {
    const { words, segmentEnds, windowStart, windowEnd } = hypothesis;
    const fresh = unconfirmedWords(words, this.inBuffer, this.confirmedEnd);
    const dropped = words.length - fresh.length;
    let count = mode === 'final' ? fresh.length : agreedWordPrefix(this.previous, fresh);
    if (mode === 'full') {
      const lastSegment = segmentEnds.length - 1;
      const forced = lastSegment <= 0 ? fresh.length : fresh.filter((w) => w.segment < lastSegment).length;
      count = Math.max(count, forced);
    }
    let trimTo = mode === 'final' ? windowEnd : trimPoint(hypothesis, dropped + count);
    // a full window that found nowhere to cut would never shrink: everything in it is final
    if (mode === 'full' && !(trimTo > windowStart && trimTo >= windowStart + mustShedS)) {
      count = fresh.length;
      trimTo = windowEnd;
    }
    trimTo = Math.min(Math.max(trimTo, windowStart), windowEnd);

    const events: WordStepEvent[] = [];
    for (let i = dropped; i < dropped + count; i++) {
      // a segment boundary of the hypothesis just before this word closes the segment before it
      if (i > 0 && words[i - 1]!.segment !== words[i]!.segment) this.closeSegment(events);
      const w = words[i]!;
      const start = Math.max(w.start, this.confirmedEnd);
      const word: ConfirmedWord = { word: w.word, start, end: Math.max(w.end, start), probability: w.probability, tokens: w.tokens };
      this.confirmedEnd = word.end;
      this.inBuffer.push(word);
      this.unsegmented.push(word);
      events.push({ word });
    }
    const confirmedPrefix = dropped + count;
    const boundaryAfter = confirmedPrefix > 0 && confirmedPrefix < words.length && words[confirmedPrefix - 1]!.segment !== words[confirmedPrefix]!.segment;
    const released = this.release(trimTo);
    const allReleased = this.unsegmented.length > 0 && this.unsegmented[this.unsegmented.length - 1]!.end <= trimTo;
    if (mode === 'final' || boundaryAfter || allReleased) this.closeSegment(events);
    this.previous = fresh.slice(count);
    return { events, trimTo, released, pending: this.previous };
  }

  /**
   * The buffer's audio up to `to` (seconds) was dropped without a transcription (silence, or
   * outside speech): the previous hypothesis no longer describes the buffer, and the confirmed
   * words before `to` leave it.
   */
  skip(to: number): WordStepOutcome {
    this.previous = [];
    const released = this.release(to);
    const events: WordStepEvent[] = [];
    if (this.unsegmented.length > 0 && this.unsegmented[this.unsegmented.length - 1]!.end <= to) this.closeSegment(events);
    return { events, trimTo: to, released, pending: [] };
  }

  private release(to: number): ConfirmedWord[] {
    let n = 0;
    while (n < this.inBuffer.length && this.inBuffer[n]!.end <= to) n++;
    return this.inBuffer.splice(0, n);
  }

  private closeSegment(events: WordStepEvent[]): void {
    if (this.unsegmented.length === 0) return;
    events.push({ segment: this.unsegmented });
    this.unsegmented = [];
  }
}

/**
 * The latest point (seconds) the buffer can be trimmed at, given that the first `confirmed` words
 * of the hypothesis are confirmed: the end of a segment (not the hypothesis' last) whose words are
 * all confirmed, or the middle of the pause after a confirmed word that ends a sentence (its end
 * and the next word's start are the alignment's estimates: the middle keeps clear of both);
 * never past the start of the word after it. -Infinity when there is none.
 */
function trimPoint(hypothesis: WordHypothesis, confirmed: number): number {
  const { words, segmentEnds } = hypothesis;
  let at = -Infinity;
  // each candidate stops at the next word's start (times never decrease, so the first unconfirmed word's too)
  for (let i = 0; i < confirmed && i + 1 < words.length; i++) {
    const w = words[i]!;
    const next = words[i + 1]!;
    // a confirmed word followed by a word of another segment ends a segment that is not the last
    if (next.segment !== w.segment) at = Math.max(at, Math.min(Math.max(w.end, segmentEnds[w.segment]!), next.start));
    if (SENTENCE_END.test(w.word.trim())) at = Math.max(at, Math.min((w.end + next.start) / 2, next.start));
  }
  return at;
}
