/**
 * Splitting a window's tokens into timed segments and advancing `seek`, as openai/whisper
 * `transcribe.py` does after each decode.
 * @module
 */
import { FRAMES_PER_SECOND, HOP_LENGTH, N_SAMPLES_PER_TOKEN } from '../constants.js';
import type { Tokenizer } from '../tokenizer/tokenizer.js';
import type { DecodingResult } from '../types.js';

/** A segment before it gets its id. */
export interface PendingSegment {
  readonly start: number;
  readonly end: number;
  readonly tokens: readonly number[];
  readonly text: string;
}

/** Frames (10 ms) per timestamp step: 2. */
const INPUT_STRIDE = N_SAMPLES_PER_TOKEN / HOP_LENGTH;

/**
 * @param result - the window's decode
 * @param seek - frame offset of the window
 * @param segmentFrames - frames of real audio in the window
 * @returns the segments and the frame count to advance `seek` by
 */
export function splitSegments(result: DecodingResult, tokenizer: Tokenizer, seek: number, segmentFrames: number):
  { segments: PendingSegment[]; advance: number } {
  const begin = tokenizer.special.timestampBegin;
  const tokens = result.tokens;
  // times in whole frames, divided once: 44.16, not 44.160000000000004
  const secondsAt = (frames: number): number => frames / FRAMES_PER_SECOND;
  const isTs = tokens.map((t) => t >= begin);
  const n = tokens.length;
  const singleTimestampEnding = n >= 2 && !isTs[n - 2] && isTs[n - 1] === true;
  const make = (start: number, end: number, slice: readonly number[]): PendingSegment =>
    ({ start, end, tokens: slice, text: tokenizer.decode(slice) });

  // cut after each pair of consecutive timestamps
  const cuts: number[] = [];
  for (let i = 1; i < n; i++) if (isTs[i - 1] && isTs[i]) cuts.push(i);

  if (cuts.length > 0) {
    if (singleTimestampEnding) cuts.push(n);
    const segments: PendingSegment[] = [];
    let last = 0;
    for (const cut of cuts) {
      const slice = tokens.slice(last, cut);
      const startPos = slice[0]! - begin;
      const endPos = slice[slice.length - 1]! - begin;
      segments.push(make(secondsAt(seek + startPos * INPUT_STRIDE), secondsAt(seek + endPos * INPUT_STRIDE), slice));
      last = cut;
    }
    // with a single timestamp at the end the window is done; otherwise resume at the last timestamp
    const advance = singleTimestampEnding ? segmentFrames : (tokens[last - 1]! - begin) * INPUT_STRIDE;
    return { segments, advance };
  }

  // no complete pair: one segment for the window, ending at its last timestamp if there is one
  let durationFrames = segmentFrames;
  const timestamps = tokens.filter((t) => t >= begin);
  const lastTs = timestamps[timestamps.length - 1];
  if (lastTs !== undefined && lastTs !== begin) durationFrames = (lastTs - begin) * INPUT_STRIDE;
  return { segments: [make(secondsAt(seek), secondsAt(seek + durationFrames), tokens)], advance: segmentFrames };
}
