/**
 * Subtitle cues laid out from word timestamps, as openai/whisper `utils.py`
 * `SubtitlesWriter.iterate_result`: lines of at most `maxLineWidth` characters, cues of at most
 * `maxLineCount` lines (a pause over 3 s also starts a cue), and with `highlightWords` one cue
 * per word with that word underlined.
 * @module
 */

/** A word as the layout needs it (times in seconds). */
export interface CueWord {
  /** Text with its leading space. */
  readonly word: string;
  /** Start in seconds. */
  readonly start: number;
  /** End in seconds. */
  readonly end: number;
}

/** A segment as the layout needs it; without `words` it is one cue. */
export interface CueSegment {
  /** Start in seconds. */
  readonly start: number;
  /** End in seconds. */
  readonly end: number;
  /** The segment's text (used when there are no words). */
  readonly text: string;
  /** Its words, with `wordTimestamps: true`. */
  readonly words?: readonly CueWord[];
}

/** How cues are laid out from words (openai's `--max_line_width`, `--max_line_count`, `--highlight_words`). */
export interface SubtitleLayoutOptions {
  /** Characters per line before a line break (words are never split). Without `maxLineCount`, cues still follow segments. */
  readonly maxLineWidth?: number;
  /** Lines per cue; with `maxLineWidth`, cues ignore segment bounds and a pause over 3 s starts a new one. */
  readonly maxLineCount?: number;
  /** One cue per word (and one for each gap between words), the word underlined with `<u>…</u>`. */
  readonly highlightWords?: boolean;
  /** Words per line when `maxLineWidth` is not given (openai's `--max_words_per_line`). */
  readonly maxWordsPerLine?: number;
}

/** One cue: times in seconds, and its text (lines separated by `\n`). */
export interface LaidOutCue {
  /** Start in seconds. */
  readonly start: number;
  /** End in seconds. */
  readonly end: number;
  /** Lines separated by `\n`. */
  readonly text: string;
}

/** Length in code points, as Python's `len`. */
const length = (s: string): number => [...s].length;

/** Python's `str.strip()` of whitespace. */
const strip = (s: string): string => s.trim();

/**
 * The cues of `segments`: from their words when the first segment has words (openai's rule),
 * else one cue per segment with its trimmed text (`-->` written `->`).
 * @param format - the writer's timestamp format: highlighted cues are merged or split on formatted times, as openai's
 */
export function layOutCues(segments: readonly CueSegment[], options: SubtitleLayoutOptions, format: (seconds: number) => string): LaidOutCue[] {
  if (segments.length === 0 || segments[0]!.words === undefined) {
    return segments.map((s) => ({ start: s.start, end: s.end, text: strip(s.text).replace(/-->/g, '->') }));
  }
  const preserveSegments = options.maxLineCount === undefined || options.maxLineWidth === undefined;
  const maxLineWidth = options.maxLineWidth ?? 1000;
  const maxWordsPerLine = options.maxWordsPerLine ?? 1000;
  const maxLineCount = options.maxLineCount;
  const out: LaidOutCue[] = [];
  for (const subtitle of subtitles(segments, preserveSegments, maxLineWidth, maxLineCount, maxWordsPerLine)) {
    const text = subtitle.map((w) => w.word).join('');
    if (options.highlightWords !== true) {
      out.push({ start: subtitle[0]!.start, end: subtitle[subtitle.length - 1]!.end, text });
      continue;
    }
    // the gaps and words are cut on formatted times, as openai compares its timestamp strings
    let last = subtitle[0]!.start;
    subtitle.forEach((word, i) => {
      if (format(last) !== format(word.start)) out.push({ start: last, end: word.start, text });
      const underlined = subtitle.map((w, j) => (j === i ? w.word.replace(/^(\s*)([\s\S]*)$/, '$1<u>$2</u>') : w.word)).join('');
      out.push({ start: word.start, end: word.end, text: underlined });
      last = word.end;
    });
  }
  return out;
}

/** openai's `iterate_subtitles`: words grouped into cues, line breaks as `\n` before a word. */
function subtitles(segments: readonly CueSegment[], preserveSegments: boolean, maxLineWidth: number, maxLineCount: number | undefined,
  maxWordsPerLine: number): CueWord[][] {
  const result: CueWord[][] = [];
  let lineLen = 0;
  let lineCount = 1;
  let subtitle: CueWord[] = [];
  let last = firstWordStart(segments) ?? 0;
  for (const segment of segments) {
    const words = segment.words ?? [];
    for (let chunk = 0; chunk < words.length; chunk += maxWordsPerLine) {
      const count = Math.min(maxWordsPerLine, words.length - chunk);
      words.slice(chunk, chunk + count).forEach((original, i) => {
        let word = original.word;
        const longPause = !preserveSegments && original.start - last > 3.0;
        const hasRoom = lineLen + length(word) <= maxLineWidth;
        const segmentBreak = i === 0 && subtitle.length > 0 && preserveSegments;
        if (lineLen > 0 && hasRoom && !longPause && !segmentBreak) {
          lineLen += length(word);
        } else {
          word = strip(word);
          if ((subtitle.length > 0 && maxLineCount !== undefined && (longPause || lineCount >= maxLineCount)) || segmentBreak) {
            result.push(subtitle);
            subtitle = [];
            lineCount = 1;
          } else if (lineLen > 0) {
            lineCount++;
            word = '\n' + word;
          }
          lineLen = length(strip(word));
        }
        subtitle.push({ word, start: original.start, end: original.end });
        last = original.start;
      });
    }
  }
  if (subtitle.length > 0) result.push(subtitle);
  return result;
}

/** openai `get_start`: the first word's start, else the first segment's. */
function firstWordStart(segments: readonly CueSegment[]): number | undefined {
  for (const s of segments) for (const w of s.words ?? []) return w.start;
  return segments[0]?.start;
}
