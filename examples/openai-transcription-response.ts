/**
 * A {@link TranscriptionResult} in each of OpenAI's `response_format`s: the body and its
 * content type.
 */
import { LANGUAGES, type Task, type TranscriptionResult, toSrt, toVtt } from '../src/index.js';
import type { ResponseFormat, TimestampGranularity } from './openai-transcription-request.js';

/** An answer body with its content type. */
export interface FormattedResponse {
  /** The Content-Type header, with its charset. */
  readonly contentType: string;
  /** A string for the text formats, an object to serialise as JSON for the others. */
  readonly body: string | object;
}

const LANGUAGE_NAMES = new Map(LANGUAGES.map(([code, name]) => [code, name]));

/**
 * OpenAI's verbose_json: the task, the language by its English name (as OpenAI answers,
 * `'english'`), the duration in seconds, the text and the segments with their decoding
 * statistics in snake_case, and with the `'word'` granularity OpenAI's `words` (each word's
 * text without its leading space, start and end in seconds); plus `timings`, which OpenAI does
 * not have: where the request's time went, in milliseconds.
 */
function verboseJson(result: TranscriptionResult, task: Task, granularities: readonly TimestampGranularity[]): object {
  return {
    task,
    language: LANGUAGE_NAMES.get(result.language) ?? result.language,
    duration: result.durationS,
    text: result.text,
    segments: result.segments.map((s) => ({
      id: s.id, seek: s.seek, start: s.start, end: s.end, text: s.text, tokens: s.tokens, temperature: s.temperature,
      avg_logprob: s.avgLogprob, compression_ratio: s.compressionRatio, no_speech_prob: s.noSpeechProb,
    })),
    ...(granularities.includes('word') && {
      words: result.segments.flatMap((s) => s.words ?? []).map((w) => ({ word: w.word.trim(), start: w.start, end: w.end })),
    }),
    timings: result.timings,
  };
}

/**
 * The answer to a transcription request.
 * @param result - the library's result
 * @param format - the request's `response_format`
 * @param task - the task the result was made with (verbose_json reports it)
 * @param granularities - the request's `timestamp_granularities[]` (verbose_json adds `words` for `'word'`)
 */
export function formatTranscription(result: TranscriptionResult, format: ResponseFormat, task: Task,
  granularities: readonly TimestampGranularity[] = []): FormattedResponse {
  switch (format) {
    case 'text': return { contentType: 'text/plain; charset=utf-8', body: result.text.trim() + '\n' };
    case 'srt': return { contentType: 'application/x-subrip; charset=utf-8', body: toSrt(result.segments) };
    case 'vtt': return { contentType: 'text/vtt; charset=utf-8', body: toVtt(result.segments) };
    case 'verbose_json': return { contentType: 'application/json; charset=utf-8', body: verboseJson(result, task, granularities) };
    case 'json': return { contentType: 'application/json; charset=utf-8', body: { text: result.text } };
  }
}
