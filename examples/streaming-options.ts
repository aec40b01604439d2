/**
 * The options a WebSocket client of the streaming example may set, from the URL query
 * (`?language=en&vadThreshold=0.02`) or from a JSON object sent as the first message
 * (`{"language": "en", "vad": "energy", "vadThreshold": 0.02}`). Each is checked for its type here; the session
 * checks the ranges when it is created. An unknown name is refused, never ignored.
 */
import { AmanuensisError, type SessionOptions } from '../src/index.js';

/** How the client's binary messages encode 16 kHz mono PCM. */
export type PcmFormat = 'f32' | 's16';

/** What a client asked for. */
export interface StreamingRequest {
  /** Float32 (default) or int16 little-endian samples. */
  readonly format?: PcmFormat;
  /** Session options the client set. */
  readonly session: SessionOptions;
}

type Kind = 'string' | 'number' | 'integer' | 'numbers';

/**
 * The session options a client may set, by kind. `prompt` (OpenAI's name) and `initialPrompt`
 * are the same option.
 */
const CLIENT_OPTIONS = {
  language: 'string', task: 'string', prompt: 'string', initialPrompt: 'string',
  temperature: 'numbers', beamSize: 'integer', bestOf: 'integer', patience: 'number', sampleLen: 'integer',
  stepMs: 'number', granularity: 'string', vad: 'string', vadThreshold: 'number', silenceThreshold: 'number',
  noSpeechThreshold: 'number', logprobThreshold: 'number', compressionRatioThreshold: 'number',
} as const satisfies Record<string, Kind>;

type ClientOption = keyof typeof CLIENT_OPTIONS;

function invalid(message: string): AmanuensisError {
  return new AmanuensisError('ERR_INVALID_ARGUMENT', message);
}

/** A query value as a number: plain decimal text only ('' and '0x10' are not numbers here). */
function numberOf(name: string, text: string): number {
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text.trim())) throw invalid(`${name} must be a number; got '${text}'`);
  return Number(text);
}

/** A value of the query (text, parsed here) or of the JSON message (typed already) as the option's kind. */
function valueOf(name: string, kind: Kind, raw: unknown, fromQuery: boolean): unknown {
  switch (kind) {
    case 'string':
      if (typeof raw !== 'string') throw invalid(`${name} must be a string`);
      return raw;
    case 'numbers': {
      // a list in JSON, or comma-separated in the query: the fallback temperatures
      const list = fromQuery ? (raw as string).split(',').map((t) => numberOf(name, t)) : Array.isArray(raw) ? raw : [raw];
      if (list.length === 0 || list.some((v) => typeof v !== 'number')) throw invalid(`${name} must be a number or a list of numbers`);
      return list.length === 1 ? list[0] : list;
    }
    case 'number':
    case 'integer': {
      const value = fromQuery ? numberOf(name, raw as string) : raw;
      if (typeof value !== 'number' || (kind === 'integer' && !Number.isInteger(value))) throw invalid(`${name} must be ${kind === 'integer' ? 'an integer' : 'a number'}`);
      return value;
    }
  }
}

function formatOf(raw: unknown): PcmFormat {
  if (raw !== 'f32' && raw !== 's16') throw invalid(`format must be 'f32' or 's16'; got '${String(raw)}'`);
  return raw;
}

/** Entries of the query or the message, checked and gathered into a request. */
function requestOf(entries: Iterable<[string, unknown]>, fromQuery: boolean): StreamingRequest {
  let format: PcmFormat | undefined;
  const session: Record<string, unknown> = {};
  for (const [name, raw] of entries) {
    if (name === 'format') {
      format = formatOf(raw);
      continue;
    }
    if (!Object.hasOwn(CLIENT_OPTIONS, name)) throw invalid(`unknown option '${name}'; known: format, ${Object.keys(CLIENT_OPTIONS).join(', ')}`);
    const value = valueOf(name, CLIENT_OPTIONS[name as ClientOption], raw, fromQuery);
    session[name === 'prompt' ? 'initialPrompt' : name] = value;
  }
  return { ...(format !== undefined && { format }), session: session as SessionOptions };
}

/**
 * The options of a connection's URL query.
 * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for an unknown name, a value that is not of
 *   its option's type, or a name given twice
 */
export function streamingRequestFromQuery(query: URLSearchParams): StreamingRequest {
  const names = [...query.keys()];
  const repeated = names.find((name, i) => names.indexOf(name) !== i);
  if (repeated !== undefined) throw invalid(`the option '${repeated}' is given twice`);
  return requestOf(query.entries(), true);
}

/**
 * The options of a first JSON text message.
 * @param text - the message
 * @returns undefined when the text is not JSON at all (not an options message)
 * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for JSON that is not an object, an unknown
 *   name, or a value that is not of its option's type
 */
export function streamingRequestFromMessage(text: string): StreamingRequest | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid('the options message must be a JSON object');
  return requestOf(Object.entries(parsed), false);
}
