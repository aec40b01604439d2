/**
 * Every format without a bundled decoder (AAC in MP4/M4A, video files, WMA, AIFF...) through
 * the `ffmpeg` program, when one is installed. It writes a float WAV at 16 kHz with the file's
 * channels kept, so channel choice and downmix stay the same code for every format. Its own
 * downmix (`-ac 1`) would halve the memory of a stereo file but is no average: it adds stereo
 * channels at 1/√2 each, 3 dB louder than every other format and above 1 where they agree.
 * @module
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

import { SAMPLE_RATE } from '../../constants.js';
import { abortError, AmanuensisError, throwIfAborted } from '../../errors.js';
import { UNRECOGNISED } from '../detect-format.js';
import { decodeError, type RawAudio } from '../raw-audio.js';
import { decodeWav } from './wav.js';

/** The environment variable naming the ffmpeg binary (a path, or a name looked up on the PATH). */
export const FFMPEG_ENV = 'AMANUENSIS_FFMPEG';

/** The formats decoded without ffmpeg, for the message that suggests converting. */
const BUNDLED_FORMATS = 'WAV (PCM, float, µ-law, A-law), FLAC, MP3, Ogg Vorbis, Ogg Opus or WebM Opus';

/** How much of ffmpeg's error output a message keeps (its last lines say what failed). */
const STDERR_KEEP = 2000;
/** How much of the start of its output is kept to find the input's stream summary in. */
const STDERR_HEAD = 8000;

/** Where ffmpeg reads the file: its path when there is one (MP4 with its index at the end needs seeking), else standard input. */
export interface FfmpegInput {
  readonly bytes: Uint8Array;
  readonly path?: string;
}

/**
 * The ffmpeg to run: the caller's choice, else `$AMANUENSIS_FFMPEG`, else `ffmpeg` on the PATH;
 * `false` means never.
 * @internal
 */
export function resolveFfmpeg(option: string | false | undefined): string | false {
  if (option !== undefined) return option;
  const fromEnv = process.env[FFMPEG_ENV];
  return fromEnv !== undefined && fromEnv !== '' ? fromEnv : 'ffmpeg';
}

function missingFfmpeg(format: string, why: string): AmanuensisError {
  const needs = format === UNRECOGNISED
    ? `the format is none of ${BUNDLED_FORMATS}; only ffmpeg could try it`
    : 'this format needs ffmpeg';
  return new AmanuensisError('ERR_AUDIO_DECODE',
    `cannot decode audio (${format}): ${needs}, and ${why}. Install ffmpeg (e.g. apt-get install ffmpeg, brew install ffmpeg) ` +
    `and put it on the PATH or set ${FFMPEG_ENV} to its path, or convert the file to ${BUNDLED_FORMATS}`);
}

/** The input stream's rate from ffmpeg's stream summary ("Stream #0:0: Audio: aac (LC), 44100 Hz, stereo, ..."). */
function inputRate(stderr: string): number | undefined {
  const match = /Stream #\d+:\d+.*?: Audio: .*?(\d+) Hz/.exec(stderr);
  return match === null ? undefined : Number(match[1]);
}

interface FfmpegRun {
  readonly code: number | null;
  readonly stdout: Buffer;
  /** The start of its error output (the input's description) and the end (what failed). */
  readonly stderrHead: string;
  readonly stderrTail: string;
}

function run(binary: string, args: string[], stdin: Uint8Array | undefined, signal: AbortSignal | undefined): Promise<FfmpegRun> {
  return new Promise((resolve, reject) => {
    // a fired signal kills it outright: a stalled decode (a network mount, a hostile file) may
    // not heed a polite SIGTERM
    const child = spawn(binary, args, { stdio: 'pipe', killSignal: 'SIGKILL', ...(signal !== undefined && { signal }) });
    const out: Buffer[] = [];
    let stderrHead = '';
    let stderrTail = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      if (stderrHead.length < STDERR_HEAD) stderrHead = (stderrHead + text).slice(0, STDERR_HEAD);
      stderrTail = (stderrTail + text).slice(-STDERR_KEEP);
    });
    let aborted: Error | undefined;
    child.once('error', (err) => {
      // killed by the signal: settled once it is gone, so no ffmpeg outlives a rejected decode
      if (err.name === 'AbortError') aborted = err;
      else reject(err);
    });
    child.once('close', (code) => {
      if (aborted !== undefined) reject(aborted);
      else resolve({ code, stdout: Buffer.concat(out), stderrHead, stderrTail });
    });
    // ffmpeg may stop reading early (a header it rejects): the broken pipe is reported by its exit status
    child.stdin.once('error', () => undefined);
    child.stdin.end(stdin);
  });
}

/**
 * ffmpeg's `-i` takes a URL: a relative name with a colon (`take2:final.m4a`) would be read as
 * protocol `take2`. The `file:` protocol with the absolute path reads any name as a file.
 */
function fileUrl(path: string): string {
  return `file:${resolve(path)}`;
}

/**
 * Decodes a file with ffmpeg.
 * @param format - the detected format's name, for messages
 * @param ffmpeg - the binary to run, or `false` when the caller forbids it
 * @param signal - kills ffmpeg when it fires
 * @throws {@link AmanuensisError} `ERR_AUDIO_DECODE` when ffmpeg is absent (the message names
 * the format and the fix) or fails (the message keeps its error output); `ERR_ABORTED` (or the
 * signal's own AmanuensisError reason) when `signal` fires
 * @internal
 */
export async function decodeWithFfmpeg(input: FfmpegInput, format: string, ffmpeg: string | false, signal?: AbortSignal): Promise<RawAudio> {
  if (ffmpeg === false) throw missingFfmpeg(format, 'running ffmpeg is turned off (the ffmpeg option is false)');
  throwIfAborted(signal);
  const args = [
    '-hide_banner', '-nostdin', '-nostats', '-i', input.path === undefined ? 'pipe:0' : fileUrl(input.path),
    '-map', '0:a:0', '-c:a', 'pcm_f32le', '-ar', String(SAMPLE_RATE), '-f', 'wav', 'pipe:1',
  ];
  let result: FfmpegRun;
  try {
    result = await run(ffmpeg, args, input.path === undefined ? input.bytes : undefined, signal);
  } catch (err) {
    if (signal?.aborted) throw abortError(signal);
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw missingFfmpeg(format, `'${ffmpeg}' was not found`);
    throw decodeError(format, `ffmpeg ('${ffmpeg}') could not be started: ${(err as Error).message}`, err);
  }
  // killed as it was finishing: its output may be cut short
  throwIfAborted(signal);
  if (result.code !== 0) {
    throw decodeError(format, `ffmpeg exited with status ${result.code}: ${result.stderrTail.trim()}`);
  }
  const wav = await decodeWav(new Uint8Array(result.stdout.buffer, result.stdout.byteOffset, result.stdout.byteLength));
  if (!('audio' in wav)) throw decodeError(format, `ffmpeg wrote ${wav.unsupported}, not float WAV`);
  return { channels: wav.audio.channels, sampleRate: wav.audio.sampleRate, originalSampleRate: inputRate(result.stderrHead) };
}
