#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=2
/**
 * The `amanuensis` command line: `amanuensis transcribe <audio> --model <file.bin|name>`,
 * `amanuensis detect-language <audio> --model <file.bin|name>` and `amanuensis models list|download|path`.
 *
 * The interpreter line caps V8's young generation at 2 MiB semi-spaces and glibc at two malloc
 * arenas: a one-shot transcription allocates its garbage (tokenizer, audio parsing) in a burst,
 * and the default 16 MiB semi-spaces plus one arena per worker thread keep about 20 MB more
 * resident for nothing (peak RSS on jfk.wav with tiny.en: 193-199 MB, against 211-217 MB).
 * @module
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { access, constants, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import cliProgress from 'cli-progress';
import { Command, InvalidArgumentError, Option } from 'commander';

import { type DecodedAudio, readAudioPlanes, toDecodedAudio } from '../audio/audio-file.js';
import { FRAMES_PER_SECOND } from '../constants.js';
import { AmanuensisError } from '../errors.js';
import { type SubtitleLayoutOptions, toSrt, toText, toTsv, toVtt } from '../formats/subtitles.js';
import type { TranscriptionResult } from '../types.js';
import { describeFailure, throwCommanderErrors } from './cli-errors.js';
import { addDetectLanguageCommand } from './detect-language-command.js';
import { loadCommandModel } from './load-command-model.js';
import { loadInputs } from './load-inputs.js';
import { modelsCommand } from './models-command.js';

const FORMATS = ['txt', 'json', 'srt', 'vtt', 'tsv'] as const;
type Format = (typeof FORMATS)[number];

function integer(name: string): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer`);
    return n;
  };
}

function temperatures(v: string): number[] {
  const list = v.split(',').map(Number);
  if (list.some((t) => !Number.isFinite(t) || t < 0)) throw new InvalidArgumentError('temperatures are non-negative numbers, comma-separated');
  return list;
}

function render(result: TranscriptionResult, format: Format, layout: SubtitleLayoutOptions): string {
  switch (format) {
    case 'json': return JSON.stringify(result, null, 2) + '\n';
    case 'srt': return toSrt(result, layout);
    case 'vtt': return toVtt(result, layout);
    case 'tsv': return toTsv(result);
    default: return toText(result);
  }
}

interface TranscribeFlags {
  model: string;
  threads?: number;
  language?: string;
  task: 'transcribe' | 'translate';
  format: Format;
  output?: string;
  temperature?: number[];
  beamSize?: number;
  bestOf?: number;
  prompt?: string;
  channel?: number;
  ffmpeg?: string;
  progress: boolean;
  encoder: 'auto' | 'cpu' | 'xdna2';
  xclbin?: string;
  instructions?: string;
  vad?: boolean;
  vadModel?: string;
  batchSize?: number;
  wordTimestamps?: boolean;
  maxLineWidth?: number;
  maxLineCount?: number;
  highlightWords?: boolean;
}

/** The subtitle layout flags, which need word timestamps (as openai/whisper's command line requires). */
function layoutOf(flags: TranscribeFlags): SubtitleLayoutOptions {
  const used = [
    flags.maxLineWidth !== undefined && '--max-line-width', flags.maxLineCount !== undefined && '--max-line-count', flags.highlightWords === true && '--highlight-words',
  ].filter((f): f is string => f !== false);
  if (used.length > 0 && flags.wordTimestamps !== true) throw new AmanuensisError('ERR_INVALID_ARGUMENT', `${used.join(', ')} ${used.length > 1 ? 'need' : 'needs'} --word-timestamps`);
  return {
    ...(flags.maxLineWidth !== undefined && { maxLineWidth: flags.maxLineWidth }),
    ...(flags.maxLineCount !== undefined && { maxLineCount: flags.maxLineCount }),
    ...(flags.highlightWords === true && { highlightWords: true }),
  };
}

/**
 * Reads the audio, checking `--channel` (counted from 1, as users count) against the file's
 * channels before the library's 0-based choice, so the message names the channel typed.
 */
async function readAudio(audioPath: string, flags: TranscribeFlags): Promise<DecodedAudio> {
  const planes = await readAudioPlanes(audioPath, flags.ffmpeg === undefined ? {} : { ffmpeg: flags.ffmpeg });
  const count = planes.raw.channels.length;
  if (flags.channel !== undefined && flags.channel > count) {
    throw new AmanuensisError('ERR_INVALID_ARGUMENT',
      `--channel ${flags.channel} does not exist: ${audioPath} has ${count} channel${count === 1 ? '' : 's'} (--channel 1${count > 1 ? ` to ${count}` : ''})`);
  }
  return toDecodedAudio(planes, flags.channel === undefined ? undefined : flags.channel - 1);
}

/** Refuses an `--output` that cannot be written before any work starts (a directory, a missing folder). */
async function assertWritable(output: string): Promise<void> {
  const info = await stat(output).catch(() => undefined);
  if (info?.isDirectory() === true) throw new AmanuensisError('ERR_INVALID_ARGUMENT', `--output ${output} is a directory, not a file`);
  try {
    await access(info === undefined ? dirname(resolve(output)) : output, constants.W_OK);
  } catch (err) {
    throw new AmanuensisError('ERR_INVALID_ARGUMENT', `--output ${output} cannot be written: ${(err as Error).message}`, { cause: err });
  }
}

async function transcribe(audioPath: string, flags: TranscribeFlags): Promise<void> {
  const layout = layoutOf(flags);
  if (flags.output !== undefined) await assertWritable(flags.output);
  const [audio, transcriber] = await loadInputs(
    () => readAudio(audioPath, flags),
    (signal) => loadCommandModel(flags.model, {
      ...(flags.threads !== undefined && { threads: flags.threads }),
      encoder: flags.encoder,
      xdna2: { ...(flags.xclbin !== undefined && { xclbin: flags.xclbin }), ...(flags.instructions !== undefined && { instructions: flags.instructions }) },
      progress: flags.progress,
    }, signal),
  );
  const showBar = flags.progress && process.stderr.isTTY === true;
  const bar = showBar
    ? new cliProgress.SingleBar({ stream: process.stderr, format: 'transcribing [{bar}] {percentage}% | {value}/{total} s', hideCursor: true }, cliProgress.Presets.shades_classic)
    : undefined;
  bar?.start(Math.ceil(audio.durationS), 0);
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  try {
    const result = await transcriber.transcribe(audio.samples, {
      ...(flags.language !== undefined && { language: flags.language }),
      task: flags.task,
      ...(flags.temperature !== undefined && { temperature: flags.temperature }),
      ...(flags.beamSize !== undefined && { beamSize: flags.beamSize }),
      ...(flags.bestOf !== undefined && { bestOf: flags.bestOf }),
      ...(flags.prompt !== undefined && { initialPrompt: flags.prompt }),
      // a VAD model given is a VAD asked for
      ...((flags.vad === true || flags.vadModel !== undefined) && { vad: true }),
      ...(flags.vadModel !== undefined && { vadModel: flags.vadModel }),
      ...(flags.batchSize !== undefined && { batchSize: flags.batchSize }),
      ...(flags.wordTimestamps === true && { wordTimestamps: true }),
      signal: abort.signal,
      onProgress: (p) => bar?.update(Math.round((p.processedFrames / FRAMES_PER_SECOND) * 10) / 10),
    });
    bar?.update(Math.ceil(audio.durationS));
    bar?.stop();
    const out = render(result, flags.format, layout);
    if (flags.output === undefined) process.stdout.write(out);
    else {
      await writeFile(flags.output, out).catch((err: unknown) => {
        throw new AmanuensisError('ERR_INVALID_ARGUMENT', `cannot write --output ${flags.output}: ${(err as Error).message}`, { cause: err });
      });
    }
    const t = result.timings;
    process.stderr.write(`${audio.durationS.toFixed(2)} s of audio in ${(t.totalMs / 1000).toFixed(2)} s ` +
      `(${t.vadMs === undefined ? '' : `vad ${t.vadMs.toFixed(0)} ms, `}mel ${t.melMs.toFixed(0)} ms, encode ${t.encodeMs.toFixed(0)} ms, decode ${t.decodeMs.toFixed(0)} ms; ` +
      `real-time factor ${result.realtimeFactor.toFixed(3)})\n`);
  } finally {
    bar?.stop();
    transcriber.close();
  }
}

/** Builds the program (exported for tests). */
export function program(): Command {
  const cmd = new Command('amanuensis').description('Whisper speech-to-text on whisper.cpp GGML models')
    .version(packageVersion(), '-v, --version', 'print the version of amanuensis');
  cmd.command('transcribe')
    .description('transcribe an audio file')
    .argument('<audio>', 'audio file, any rate and channel count: WAV (PCM, float, µ-law, A-law), FLAC, MP3, Ogg Vorbis, Ogg Opus ' +
      'or WebM Opus; other formats (M4A/MP4, AAC, video files, WMA...) through ffmpeg when it is installed')
    .requiredOption('-m, --model <file.bin|name>', 'whisper.cpp GGML model file, or a model name (e.g. base.en: downloaded into the cache if missing)')
    .option('-t, --threads <n>', 'threads (default: available cores)', integer('threads'))
    .option('-l, --language <code>', 'spoken language, e.g. en (default: detect; en for .en models)')
    .addOption(new Option('--task <task>', 'transcribe, or translate to English').choices(['transcribe', 'translate']).default('transcribe'))
    .addOption(new Option('-f, --format <format>', 'output format').choices([...FORMATS]).default('txt'))
    .option('-o, --output <file>', 'write the output to a file instead of standard output')
    .option('--temperature <list>', 'temperatures to try, e.g. 0 or 0,0.2,0.4 (default: 0,0.2,…,1.0)', temperatures)
    .option('--beam-size <n>', 'beam search width at temperature 0 (default: greedy)', integer('beam size'))
    .option('--best-of <n>', 'candidates sampled at temperatures above 0 (default 5)', integer('best-of'))
    .option('--prompt <text>', 'initial prompt: vocabulary or style for the first window')
    .option('--vad', 'transcribe only speech: the Silero VAD (bundled v6.2.0) cuts out silence and noise first')
    .option('--vad-model <file>', 'Silero VAD model file in whisper.cpp\'s GGML format (implies --vad)')
    .option('--batch-size <n>', 'windows transcribed at once, without the previous window\'s text as prompt (default 1)', integer('batch size'))
    .option('--channel <n>', 'use only this channel (1-based) instead of the mix', integer('channel'))
    .option('--ffmpeg <path>', 'ffmpeg program for formats without a bundled decoder (default: $AMANUENSIS_FFMPEG, else ffmpeg on the PATH)')
    .option('--word-timestamps', 'word-level timestamps (openai/whisper\'s cross-attention alignment): words in json, word-based cues in srt and vtt')
    .option('--max-line-width <n>', 'with --word-timestamps: characters per subtitle line before a break', integer('max line width'))
    .option('--max-line-count <n>', 'with --word-timestamps: lines per subtitle cue (with --max-line-width)', integer('max line count'))
    .option('--highlight-words', 'with --word-timestamps: underline each word in srt and vtt as it is spoken')
    .option('--no-progress', 'no progress bar')
    .addOption(new Option('--encoder <backend>', 'encoder backend: the NPU when it can run, else the CPU').choices(['auto', 'cpu', 'xdna2']).default('auto'))
    .option('--xclbin <file>', 'XDNA2: the compiled NPU GEMM kernel (default: $AMANUENSIS_XDNA2_XCLBIN)')
    .option('--instructions <file>', 'XDNA2: its instruction stream (default: $AMANUENSIS_XDNA2_INSTRUCTIONS)')
    .action(transcribe);
  addDetectLanguageCommand(cmd, integer);
  cmd.addCommand(modelsCommand());
  return throwCommanderErrors(cmd);
}

/** The version in the package's own package.json (found from this file, in the sources or the bundle). */
function packageVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'amanuensis' && pkg.version !== undefined) return pkg.version;
    }
    if (dirname(dir) === dir) return 'unknown';
  }
}

/**
 * Whether this file is the program node was started with. The installed command runs it
 * through a symlink (`node_modules/.bin/amanuensis`, or a global bin), so the two paths are
 * compared after resolving links; a name pattern on `process.argv[1]` never matched the link.
 */
function isMainModule(): boolean {
  const started = process.argv[1];
  if (started === undefined) return false;
  try {
    return realpathSync(started) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

const isMain = isMainModule();
if (isMain) {
  program().parseAsync(process.argv).catch((err: unknown) => {
    const { line, exitCode } = describeFailure(err);
    if (line !== undefined) process.stderr.write(`${line}\n`);
    process.exitCode = exitCode;
  });
}
