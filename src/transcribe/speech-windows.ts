/**
 * Speech-only windows: speech segments gathered, in order, into windows of at most 30 s of
 * concatenated speech (the silences between them cut out), and the map from a window's own
 * timeline back to the recording's — the scheme of faster-whisper's `collect_chunks` (with its
 * `max_duration`) and `SpeechTimestampsMap`, in exact samples instead of rounded seconds.
 * @module
 */
import { HOP_LENGTH, SAMPLE_RATE } from '../constants.js';
import type { SourceRange } from '../types.js';

/** Samples `[startSample, endSample)` of the recording. */
export interface SampleRange {
  readonly startSample: number;
  readonly endSample: number;
}

/**
 * One window: the recording's ranges it is cut from, in order, whose samples are concatenated
 * into at most {@link gatherSpeechWindows}' `maxSamples`.
 */
export class SpeechWindow {
  /** Samples of the window: the sum of its ranges' lengths. */
  readonly samples: number;
  /** Window sample at which each range begins (the running sum of the lengths before it). */
  private readonly starts: number[] = [];

  /** @param ranges - non-empty, in order, not overlapping */
  constructor(readonly ranges: readonly SampleRange[]) {
    let at = 0;
    for (const r of ranges) {
      this.starts.push(at);
      at += r.endSample - r.startSample;
    }
    this.samples = at;
  }

  /** The window's audio: its ranges of `audio`, concatenated. */
  audioOf(audio: Float32Array): Float32Array {
    const out = new Float32Array(this.samples);
    this.ranges.forEach((r, i) => out.set(audio.subarray(r.startSample, r.endSample), this.starts[i]));
    return out;
  }

  /**
   * The recording's sample of window sample `local` (clamped to the window). A sample where one
   * range ends and the next begins is the first sample of the next range for a start
   * (`end` false) and the end of the previous range for an end (`end` true): a segment that
   * ends where a cut silence begins ends there, not after the silence.
   */
  toSource(local: number, end: boolean): number {
    const at = Math.min(Math.max(local, 0), this.samples);
    let i = 0;
    // the range holding `at`: the last whose start is before it (an end), or at or before it (a start)
    while (i + 1 < this.ranges.length && (end ? this.starts[i + 1]! < at : this.starts[i + 1]! <= at)) i++;
    return this.ranges[i]!.startSample + (at - this.starts[i]!);
  }

  /**
   * The recording's ranges that window samples `[from, to)` were cut from, in order (one per
   * window range they touch, clipped to them); none when `to <= from`.
   */
  sourceRanges(from: number, to: number): SourceRange[] {
    const out: SourceRange[] = [];
    this.ranges.forEach((r, i) => {
      const start = this.starts[i]!;
      const end = start + r.endSample - r.startSample;
      const lo = Math.max(from, start);
      const hi = Math.min(to, end);
      if (hi > lo) out.push(sourceRange(r.startSample + (lo - start), r.startSample + (hi - start)));
    });
    return out;
  }
}

/** A {@link SourceRange} of samples `[startSample, endSample)`. */
export function sourceRange(startSample: number, endSample: number): SourceRange {
  return { start: startSample / SAMPLE_RATE, end: endSample / SAMPLE_RATE, startSample, endSample };
}

/**
 * Gathers speech segments into windows: each segment, in order, joins the current window while
 * the window's concatenated length stays within `maxSamples`, else opens the next one (as
 * faster-whisper's `collect_chunks` with `max_duration`). A segment longer than `maxSamples`
 * is split into pieces of `maxSamples` (the VAD options that transcription uses keep segments
 * within 30 s, so this happens only for a caller's own segment list).
 * @param segments - in order, not overlapping, each with `startSample < endSample`
 * @param maxSamples - the most samples of a window (30 s: Whisper's window)
 */
export function gatherSpeechWindows(segments: readonly SampleRange[], maxSamples: number): SpeechWindow[] {
  const windows: SpeechWindow[] = [];
  let current: SampleRange[] = [];
  let length = 0;
  const close = (): void => {
    if (current.length > 0) windows.push(new SpeechWindow(current));
    current = [];
    length = 0;
  };
  for (const segment of segments) {
    for (let from = segment.startSample; from < segment.endSample; from += maxSamples) {
      const piece = { startSample: from, endSample: Math.min(segment.endSample, from + maxSamples) };
      const pieceLength = piece.endSample - piece.startSample;
      if (length + pieceLength > maxSamples) close();
      current.push(piece);
      length += pieceLength;
    }
  }
  close();
  return windows;
}

/** Consecutive windows of `maxSamples` over `samples` samples (the last one shorter), for batched transcription without a VAD. */
export function fixedWindows(samples: number, maxSamples: number): SpeechWindow[] {
  const windows: SpeechWindow[] = [];
  for (let from = 0; from < samples; from += maxSamples) {
    windows.push(new SpeechWindow([{ startSample: from, endSample: Math.min(samples, from + maxSamples) }]));
  }
  return windows;
}

/**
 * The fields a window's results get on the input's timeline: its decode windows' `seek` and
 * `sourceRanges`, its segments' `start`, `end` and `sourceRanges`.
 */
export class Placement {
  constructor(private readonly speech: SpeechWindow) {}

  /** A decode window at frame `seek` of the window, `frames` long: its input frame and the ranges it covers. */
  window(seek: number, frames: number): { seek: number; sourceRanges: SourceRange[] } {
    const from = seek * HOP_LENGTH;
    // the seek loop counts whole frames: the window that reaches the last one holds the samples after it too
    const to = seek + frames >= Math.floor(this.speech.samples / HOP_LENGTH) ? this.speech.samples : (seek + frames) * HOP_LENGTH;
    return { seek: Math.round(this.speech.toSource(from, false) / HOP_LENGTH), sourceRanges: this.speech.sourceRanges(from, to) };
  }

  /** Times `start` to `end` in seconds of the window (a word's) on the input. */
  times(start: number, end: number): { start: number; end: number } {
    return {
      start: this.speech.toSource(Math.round(start * SAMPLE_RATE), false) / SAMPLE_RATE,
      end: this.speech.toSource(Math.round(end * SAMPLE_RATE), true) / SAMPLE_RATE,
    };
  }

  /** A segment from `start` to `end` seconds of the window: its times on the input, and the ranges its audio came from. */
  segment(start: number, end: number): { start: number; end: number; sourceRanges: SourceRange[] } {
    // window times are whole 10 ms frames: whole samples, exactly
    const from = Math.round(start * SAMPLE_RATE);
    const to = Math.round(end * SAMPLE_RATE);
    return {
      start: this.speech.toSource(from, false) / SAMPLE_RATE,
      end: this.speech.toSource(to, true) / SAMPLE_RATE,
      sourceRanges: this.speech.sourceRanges(from, to),
    };
  }
}
