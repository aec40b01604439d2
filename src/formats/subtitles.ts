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

/** The transcript as plain text, one segment a line. */
export function toText(result: TranscriptionResult): string {
  return result.segments.map((s) => s.text.trim()).join('\n') + (result.segments.length > 0 ? '\n' : '');
}

/** SubRip subtitles: numbered cues with `HH:MM:SS,mmm --> HH:MM:SS,mmm`. */
export function toSrt(segments: readonly Segment[]): string {
  return segments
    .map((s, i) => `${i + 1}\n${timestamp(s.start, ',')} --> ${timestamp(s.end, ',')}\n${s.text.trim().replace(/-->/g, '->')}\n`)
    .join('\n');
}

/** WebVTT subtitles: a `WEBVTT` header and cues with `HH:MM:SS.mmm --> HH:MM:SS.mmm`. */
export function toVtt(segments: readonly Segment[]): string {
  return 'WEBVTT\n\n' + segments
    .map((s) => `${timestamp(s.start, '.')} --> ${timestamp(s.end, '.')}\n${s.text.trim().replace(/-->/g, '->')}\n`)
    .join('\n');
}
