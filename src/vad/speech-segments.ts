/**
 * Speech segments from per-frame speech probabilities: the rules of Silero's
 * `get_speech_timestamps` (utils_vad.py, v6.2), applied to probabilities computed elsewhere.
 * @module
 */
import { AmanuensisError } from '../errors.js';
import { type SpeechSegmentOptions, resolveSpeechSegmentOptions } from './speech-segment-options.js';
import { SAMPLE_RATE } from '../constants.js';
import { VAD_FRAME_SAMPLES } from './vad-constants.js';

/** One stretch of speech, in seconds and in samples of the 16 kHz input. */
export interface SpeechSegment {
  /** Start, in seconds (`startSample / 16000`). */
  readonly start: number;
  /** End (exclusive), in seconds (`endSample / 16000`). */
  readonly end: number;
  /** First sample of the segment. */
  readonly startSample: number;
  /** Sample after the last one of the segment. */
  readonly endSample: number;
}

interface OpenSegment {
  start?: number;
  end?: number;
}

/**
 * The speech segments of `nSamples` samples of 16 kHz audio whose VAD probabilities (one per
 * 512-sample frame, frame i starting at sample 512·i) are `probabilities`, by the rules of
 * Silero's `get_speech_timestamps` (utils_vad.py, v6.2): hysteresis between `threshold` and
 * `negThreshold`, segments ended by `minSilenceDurationMs` of silence, dropped when not longer
 * than `minSpeechDurationMs`, cut when longer than `maxSpeechDurationS`, then padded by
 * `speechPadMs` (half the gap each when two segments are closer than twice the padding).
 * @param probabilities - `ceil(nSamples / 512)` values in [0, 1]
 * @param nSamples - length of the audio in samples
 * @returns the segments in order, in samples and seconds; none for silence
 * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for a count of probabilities other than
 *   `ceil(nSamples / 512)`, a probability outside [0, 1] or NaN, or an option out of range
 */
export function speechSegmentsFromProbabilities(probabilities: ArrayLike<number>, nSamples: number,
  options: SpeechSegmentOptions = {}): SpeechSegment[] {
  if (!Number.isSafeInteger(nSamples) || nSamples < 0) {
    throw new AmanuensisError('ERR_INVALID_ARGUMENT', `nSamples must be a non-negative integer; got ${String(nSamples)}`);
  }
  const nFrames = Math.ceil(nSamples / VAD_FRAME_SAMPLES);
  if (probabilities?.length !== nFrames) {
    throw new AmanuensisError('ERR_INVALID_ARGUMENT',
      `${nSamples} samples have ${nFrames} VAD frames of 512; got ${String(probabilities?.length)} probabilities`);
  }
  for (let i = 0; i < nFrames; i++) {
    const p = probabilities[i]!;
    if (!(p >= 0 && p <= 1)) throw new AmanuensisError('ERR_INVALID_ARGUMENT', `probability ${i} is ${p}, not in [0, 1]`);
  }
  const o = resolveSpeechSegmentOptions(options);
  const samplesPerMs = SAMPLE_RATE / 1000;
  const minSpeech = samplesPerMs * o.minSpeechDurationMs;
  const pad = samplesPerMs * o.speechPadMs;
  const maxSpeech = SAMPLE_RATE * o.maxSpeechDurationS - VAD_FRAME_SAMPLES - 2 * pad;
  const minSilence = samplesPerMs * o.minSilenceDurationMs;
  const minSilenceAtMaxSpeech = samplesPerMs * o.minSilenceAtMaxSpeechMs;

  // As in Silero, 0 stands for "not set" in tempEnd, prevEnd and nextStart: no silence can
  // begin at sample 0, since a segment (and so a silence inside one) starts at frame 0 at the earliest.
  const found: OpenSegment[] = [];
  let current: OpenSegment = {};
  let triggered = false;
  let tempEnd = 0;
  let prevEnd = 0;
  let nextStart = 0;
  let silences: [end: number, duration: number][] = [];
  const resetCut = (): void => {
    prevEnd = nextStart = tempEnd = 0;
    silences = [];
  };

  for (let i = 0; i < nFrames; i++) {
    const p = probabilities[i]!;
    const at = VAD_FRAME_SAMPLES * i;
    if (p >= o.threshold && tempEnd !== 0) {
      // speech is back after a silence: remember the silence as a place to cut at
      const silence = at - tempEnd;
      if (silence > minSilenceAtMaxSpeech) silences.push([tempEnd, silence]);
      tempEnd = 0;
      if (nextStart < prevEnd) nextStart = at;
    }
    if (p >= o.threshold && !triggered) {
      triggered = true;
      current.start = at;
      continue;
    }
    if (triggered && at - current.start! > maxSpeech) {
      if (o.useMaxPossibleSilenceAtMaxSpeech && silences.length > 0) {
        let longest = silences[0]!;
        for (const s of silences) if (s[1] > longest[1]) longest = s;
        current.end = longest[0];
        found.push(current);
        current = {};
        const resume = longest[0] + longest[1];
        // Silero's test, kept as written (it reduces to: the silence is shorter than `at`)
        if (resume < longest[0] + at) current.start = resume;
        else triggered = false;
        resetCut();
      } else if (prevEnd !== 0) {
        current.end = prevEnd;
        found.push(current);
        current = {};
        if (nextStart < prevEnd) triggered = false;
        else current.start = nextStart;
        resetCut();
      } else {
        current.end = at;
        found.push(current);
        current = {};
        resetCut();
        triggered = false;
        continue;
      }
    }
    if (p < o.negThreshold && triggered) {
      if (tempEnd === 0) tempEnd = at;
      const silence = at - tempEnd;
      if (!o.useMaxPossibleSilenceAtMaxSpeech && silence > minSilenceAtMaxSpeech) prevEnd = tempEnd;
      if (silence < minSilence) continue;
      current.end = tempEnd;
      if (current.end - current.start! > minSpeech) found.push(current);
      current = {};
      resetCut();
      triggered = false;
    }
  }
  if (current.start !== undefined && nSamples - current.start > minSpeech) {
    current.end = nSamples;
    found.push(current);
  }
  return padSegments(found as Required<OpenSegment>[], pad, nSamples);
}

/** Silero's padding: `pad` samples on each side, or half the gap each when two segments are closer than `2 * pad`. */
function padSegments(found: { start: number; end: number }[], pad: number, nSamples: number): SpeechSegment[] {
  for (let i = 0; i < found.length; i++) {
    const s = found[i]!;
    if (i === 0) s.start = Math.trunc(Math.max(0, s.start - pad));
    const next = found[i + 1];
    if (next === undefined) {
      s.end = Math.trunc(Math.min(nSamples, s.end + pad));
    } else {
      const gap = next.start - s.end;
      if (gap < 2 * pad) {
        s.end += Math.floor(gap / 2);
        next.start = Math.trunc(Math.max(0, next.start - Math.floor(gap / 2)));
      } else {
        s.end = Math.trunc(Math.min(nSamples, s.end + pad));
        next.start = Math.trunc(Math.max(0, next.start - pad));
      }
    }
  }
  return found.map(({ start, end }) => ({
    start: start / SAMPLE_RATE, end: end / SAMPLE_RATE, startSample: start, endSample: end,
  }));
}
