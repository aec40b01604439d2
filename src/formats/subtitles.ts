/**
 * Renderings of a transcription: plain text, SubRip (SRT), WebVTT and tab-separated values,
 * with openai/whisper `utils.py`'s word-based layout when segments have words.
 * @module
 */
import { AmanuensisError } from '../errors.js';
import type { Segment, TranscriptionResult } from '../types.js';
import { type CueWord, layOutCues, type SubtitleLayoutOptions } from './word-cues.js';

export type { SubtitleLayoutOptions } from './word-cues.js';

/** `HH:MM:SS<sep>mmm` from seconds. */
function timestamp(seconds: number, separator: ',' | '.'): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (v: number, n = 2): string => String(v).padStart(n, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}${separator}${pad(ms % 1000, 3)}`;
}

/** What a cue needs of a segment: times in seconds from the start of the audio, its text, and its words if any. */
type Cue = Pick<Segment, 'start' | 'end' | 'text'> & { readonly words?: readonly CueWord[] };

/**
 * What the writers take: a whole {@link TranscriptionResult}, or segments (a result's, or a
 * session's `'segment'` events).
 */
export type SubtitleSource = { readonly segments: readonly Cue[] } | readonly Cue[];

function segmentsOf(source: SubtitleSource): readonly Cue[] {
  return Array.isArray(source) ? source : (source as { readonly segments: readonly Cue[] }).segments;
}

/** The transcript as plain text, one segment a line. */
export function toText(source: SubtitleSource): string {
  const segments = segmentsOf(source);
  return segments.map((s) => s.text.trim()).join('\n') + (segments.length > 0 ? '\n' : '');
}

/**
 * SubRip subtitles: numbered cues with `HH:MM:SS,mmm --> HH:MM:SS,mmm` (times in seconds from the
 * start of the audio). A cue per segment; when the segments have words (`wordTimestamps: true`),
 * cues laid out from the words as openai/whisper's SRT writer lays them out (see {@link SubtitleLayoutOptions}).
 * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for a layout number that is not a positive integer
 */
export function toSrt(source: SubtitleSource, options: SubtitleLayoutOptions = {}): string {
  const format = (t: number): string => timestamp(t, ',');
  return layOutCues(segmentsOf(source), checkedLayout(options), format)
    .map((c, i) => `${i + 1}\n${format(c.start)} --> ${format(c.end)}\n${c.text}\n`)
    .join('\n');
}

/**
 * WebVTT subtitles: a `WEBVTT` header and cues with `HH:MM:SS.mmm --> HH:MM:SS.mmm` (openai writes
 * the hours only from 1 h on; both are valid WebVTT). Words are laid out as in {@link toSrt}.
 * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for a layout number that is not a positive integer
 */
export function toVtt(source: SubtitleSource, options: SubtitleLayoutOptions = {}): string {
  const format = (t: number): string => timestamp(t, '.');
  return 'WEBVTT\n\n' + layOutCues(segmentsOf(source), checkedLayout(options), format)
    .map((c) => `${format(c.start)} --> ${format(c.end)}\n${c.text}\n`)
    .join('\n');
}

/**
 * Tab-separated values as openai/whisper's TSV writer: a `start\tend\ttext` header, then a line per
 * segment with its start and end in integer milliseconds and its trimmed text (tabs as spaces).
 */
export function toTsv(source: SubtitleSource): string {
  return 'start\tend\ttext\n' + segmentsOf(source)
    .map((s) => `${roundHalfEven(1000 * s.start)}\t${roundHalfEven(1000 * s.end)}\t${s.text.trim().replace(/\t/g, ' ')}\n`)
    .join('');
}

/** Python's `round()` to an integer: exact halves to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function checkedLayout(o: SubtitleLayoutOptions): SubtitleLayoutOptions {
  if (typeof o !== 'object' || o === null) throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'subtitle options must be an object');
  for (const key of ['maxLineWidth', 'maxLineCount', 'maxWordsPerLine'] as const) {
    const v = o[key];
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new AmanuensisError('ERR_INVALID_ARGUMENT', `${key} must be a positive integer`);
  }
  if (o.highlightWords !== undefined && typeof o.highlightWords !== 'boolean') throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'highlightWords must be a boolean');
  return o;
}
