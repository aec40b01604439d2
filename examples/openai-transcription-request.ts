/**
 * The fields of an OpenAI `POST /v1/audio/transcriptions` request, checked and turned into
 * the library's {@link TranscribeOptions}. Every field OpenAI defines for Whisper is either
 * honoured or refused with a 400 naming it; none is silently ignored.
 */
import { LANGUAGES, type TranscribeOptions } from '../src/index.js';
import { type RequestError, requestError } from './openai-errors.js';

/** The `response_format` values, as OpenAI defines them for whisper-1. */
export const RESPONSE_FORMATS = ['json', 'text', 'srt', 'verbose_json', 'vtt'] as const;

/** One of {@link RESPONSE_FORMATS}. */
export type ResponseFormat = (typeof RESPONSE_FORMATS)[number];

/** The `timestamp_granularities[]` values OpenAI defines. */
export type TimestampGranularity = 'word' | 'segment';

/** The granularities this server fills: `'word'` transcribes with `wordTimestamps` and adds `words` to verbose_json. */
export const SUPPORTED_TIMESTAMP_GRANULARITIES: readonly TimestampGranularity[] = ['segment', 'word'];

/** A request's choices, checked. */
export interface TranscriptionRequest {
  /** How to answer. Default `'json'`. */
  readonly format: ResponseFormat;
  /** The granularities asked for (only with `verbose_json`); empty when none were. */
  readonly timestampGranularities: readonly TimestampGranularity[];
  /**
   * What the request sets of the decoding: `language`, `initialPrompt` (from `prompt`), a fixed
   * `temperature` (from a `temperature` above 0) and `wordTimestamps` (from the `'word'`
   * granularity). An option the request leaves out keeps the server's default.
   */
  readonly options: Pick<TranscribeOptions, 'language' | 'initialPrompt' | 'temperature' | 'wordTimestamps'>;
}

/** Multipart text fields by name, each with its values in the order received. */
export type FormFields = Readonly<Record<string, readonly string[]>>;

/** What the parser needs to know about the model behind the endpoint. */
export interface ServedModel {
  /** False for English-only models (`*.en`), which accept no language but `'en'`. */
  readonly multilingual: boolean;
}

const GRANULARITY_FIELDS = ['timestamp_granularities[]', 'timestamp_granularities'] as const;
const KNOWN_FIELDS = new Set<string>(['model', 'language', 'prompt', 'temperature', 'response_format', 'stream', ...GRANULARITY_FIELDS]);
const LANGUAGE_CODES = new Set(LANGUAGES.map(([code]) => code));

function bad(param: string, message: string): RequestError {
  return requestError('ERR_INVALID_ARGUMENT', message, { param });
}

/** The one value of a field that may appear once, or undefined. */
function single(fields: FormFields, name: string): string | undefined {
  const values = fields[name];
  if (values === undefined || values.length === 0) return undefined;
  if (values.length > 1) throw bad(name, `the field '${name}' was given ${values.length} times; give it once`);
  return values[0];
}

function parseFormat(value: string | undefined): ResponseFormat {
  if (value === undefined) return 'json';
  if (!(RESPONSE_FORMATS as readonly string[]).includes(value)) {
    throw bad('response_format', `response_format must be one of ${RESPONSE_FORMATS.join(', ')}; got '${value}'`);
  }
  return value as ResponseFormat;
}

function parseLanguage(value: string | undefined, model: ServedModel): string | undefined {
  if (value === undefined) return undefined;
  const code = value.trim().toLowerCase();
  if (!LANGUAGE_CODES.has(code)) throw bad('language', `language must be an ISO-639-1 code Whisper knows, such as 'en'; got '${value}'`);
  if (!model.multilingual && code !== 'en') throw bad('language', `the served model is English-only; it cannot transcribe language '${code}'`);
  return code;
}

/**
 * OpenAI's `temperature` is one number from 0 to 1, where 0 (its default) means "start at 0 and
 * raise the temperature while the output fails the log-probability thresholds": that is the
 * library's fallback schedule, so 0 leaves the server's default (by default 0, 0.2, …, 1.0).
 * Above 0 it is the one sampling temperature of every window, without fallback.
 */
function parseTemperature(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const t = value.trim() === '' ? Number.NaN : Number(value);
  if (!(Number.isFinite(t) && t >= 0 && t <= 1)) throw bad('temperature', `temperature must be a number from 0 to 1; got '${value}'`);
  return t === 0 ? undefined : t;
}

function parseGranularities(fields: FormFields, format: ResponseFormat): TimestampGranularity[] {
  const field = GRANULARITY_FIELDS.find((name) => fields[name] !== undefined) ?? GRANULARITY_FIELDS[0];
  const values = GRANULARITY_FIELDS.flatMap((name) => fields[name] ?? []);
  if (values.length === 0) return [];
  // as OpenAI: granularities only shape the verbose answer
  if (format !== 'verbose_json') throw bad(field, `${field} needs response_format 'verbose_json'`);
  for (const value of values) {
    if (value !== 'word' && value !== 'segment') throw bad(field, `${field} values are 'word' and 'segment'; got '${value}'`);
    if (!SUPPORTED_TIMESTAMP_GRANULARITIES.includes(value)) {
      throw bad(field, `'${value}' timestamps are not supported yet; ask for 'segment' timestamps (or none)`);
    }
  }
  return [...new Set(values as TimestampGranularity[])];
}

/**
 * Checks the text fields of a transcription request.
 *
 * `model` is required, as by OpenAI, but its value is not used: the endpoint serves the model it
 * was started with. `stream` may only be false (no server-sent events here; the WebSocket example
 * streams). Fields OpenAI does not define for whisper-1 are refused.
 * @param fields - the multipart text fields (the `file` part is read separately)
 * @param model - the served model, for the languages it can do
 * @throws {@link RequestError} `ERR_INVALID_ARGUMENT` naming the field at fault as `param` (HTTP 400)
 */
export function parseTranscriptionRequest(fields: FormFields, model: ServedModel): TranscriptionRequest {
  for (const name of Object.keys(fields)) {
    if (!KNOWN_FIELDS.has(name)) throw bad(name, `unknown field '${name}'`);
  }
  const modelName = single(fields, 'model');
  if (modelName === undefined || modelName.trim() === '') throw bad('model', "the field 'model' is required (any name: the server has one model)");
  const stream = single(fields, 'stream');
  if (stream !== undefined && stream !== 'false') throw bad('stream', 'streamed answers are not supported; use the WebSocket streaming example');
  const format = parseFormat(single(fields, 'response_format'));
  const language = parseLanguage(single(fields, 'language'), model);
  const prompt = single(fields, 'prompt');
  const temperature = parseTemperature(single(fields, 'temperature'));
  const timestampGranularities = parseGranularities(fields, format);
  return {
    format,
    timestampGranularities,
    options: {
      ...(language !== undefined && { language }),
      ...(prompt !== undefined && prompt.trim() !== '' && { initialPrompt: prompt }),
      ...(temperature !== undefined && { temperature }),
      ...(timestampGranularities.includes('word') && { wordTimestamps: true }),
    },
  };
}
