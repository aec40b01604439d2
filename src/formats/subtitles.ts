/**
 * Renderings of a transcription: plain text, SubRip (SRT) and WebVTT.
 * @module
 */
import type { Segment, TranscriptionResult } from '../types.js';

/** `HH:MM:SS<sep>mmm` from seconds. */
function timestamp(seconds: number, separator: ',' | '.'): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (v: number, n = 2): string => String(v).padStart(n, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}${separator}${pad(ms % 1000, 3)}`;
}

/** What a cue needs of a segment: times in seconds from the start of the audio, and its text. */
type Cue = Pick<Segment, 'start' | 'end' | 'text'>;

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

/** SubRip subtitles: numbered cues with `HH:MM:SS,mmm --> HH:MM:SS,mmm` (times in seconds from the start of the audio). */
export function toSrt(source: SubtitleSource): string {
  return segmentsOf(source)
    .map((s, i) => `${i + 1}\n${timestamp(s.start, ',')} --> ${timestamp(s.end, ',')}\n${s.text.trim().replace(/-->/g, '->')}\n`)
    .join('\n');
}

/** WebVTT subtitles: a `WEBVTT` header and cues with `HH:MM:SS.mmm --> HH:MM:SS.mmm`. */
export function toVtt(source: SubtitleSource): string {
  return 'WEBVTT\n\n' + segmentsOf(source)
    .map((s) => `${timestamp(s.start, '.')} --> ${timestamp(s.end, '.')}\n${s.text.trim().replace(/-->/g, '->')}\n`)
    .join('\n');
}
