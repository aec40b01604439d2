/**
 * Every format without a bundled decoder (AAC in MP4/M4A, video files, WMA, AIFF...) through
 * the `ffmpeg` program, when one is installed. It writes a float WAV at 16 kHz with the file's
 * channels kept, so channel choice and downmix stay the same code for every format.
 * @module
 */
import { spawn } from 'node:child_process';

import { SAMPLE_RATE } from '../../constants.js';
import { AmanuensisError } from '../../errors.js';
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

function run(binary: string, args: string[], stdin: Uint8Array | undefined): Promise<FfmpegRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: 'pipe' });
    const out: Buffer[] = [];
    let stderrHead = '';
    let stderrTail = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      if (stderrHead.length < STDERR_HEAD) stderrHead = (stderrHead + text).slice(0, STDERR_HEAD);
      stderrTail = (stderrTail + text).slice(-STDERR_KEEP);
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderrHead, stderrTail }));
    // ffmpeg may stop reading early (a header it rejects): the broken pipe is reported by its exit status
    child.stdin.once('error', () => undefined);
    child.stdin.end(stdin);
  });
}

/**
 * Decodes a file with ffmpeg.
 * @param format - the detected format's name, for messages
 * @param ffmpeg - the binary to run, or `false` when the caller forbids it
 * @throws {@link AmanuensisError} `ERR_AUDIO_DECODE` when ffmpeg is absent (the message names
 * the format and the fix) or fails (the message keeps its error output)
 * @internal
 */
export async function decodeWithFfmpeg(input: FfmpegInput, format: string, ffmpeg: string | false): Promise<RawAudio> {
  if (ffmpeg === false) throw missingFfmpeg(format, 'running ffmpeg is turned off (the ffmpeg option is false)');
  const args = [
    '-hide_banner', '-nostdin', '-nostats', '-i', input.path ?? 'pipe:0',
    '-map', '0:a:0', '-c:a', 'pcm_f32le', '-ar', String(SAMPLE_RATE), '-f', 'wav', 'pipe:1',
  ];
  let result: FfmpegRun;
  try {
    result = await run(ffmpeg, args, input.path === undefined ? input.bytes : undefined);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw missingFfmpeg(format, `'${ffmpeg}' was not found`);
    throw decodeError(format, `ffmpeg ('${ffmpeg}') could not be started: ${(err as Error).message}`, err);
  }
  if (result.code !== 0) {
    throw decodeError(format, `ffmpeg exited with status ${result.code}: ${result.stderrTail.trim()}`);
  }
  const wav = decodeWav(new Uint8Array(result.stdout.buffer, result.stdout.byteOffset, result.stdout.byteLength));
  if (!('audio' in wav)) throw decodeError(format, `ffmpeg wrote ${wav.unsupported}, not float WAV`);
  return { channels: wav.audio.channels, sampleRate: wav.audio.sampleRate, originalSampleRate: inputRate(result.stderrHead) };
}
