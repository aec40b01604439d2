/**
 * A native whisper.cpp build on this machine, the reference of issue #4: the whisper.cpp source
 * tree that the `nodejs-whisper` devDependency ships, configured with CMake and built once into
 * `bench/.whisper.cpp/<variant>/`, in two variants:
 * - `avx2`: AVX2, FMA and F16C (nothing newer) with OpenMP, the configuration issue #4 names;
 * - `native`: `-march=native`, so every instruction set of the host (AVX-512 where there is one).
 * Its `whisper-bench` and `whisper-cli` report their stage times through whisper_print_timings,
 * which is what these helpers read; its `whisper-quantize` makes the quantized model files.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const buildDir = fileURLToPath(new URL('./.whisper.cpp/', import.meta.url));

/** The stage times whisper.cpp prints, in milliseconds (totals; `…Runs` counts the calls). */
export interface WhisperCppTimings {
  readonly loadMs: number;
  readonly melMs: number;
  readonly sampleMs: number;
  readonly encodeMs: number;
  readonly encodeRuns: number;
  readonly decodeMs: number;
  readonly decodeRuns: number;
  readonly batchdMs: number;
  readonly batchdRuns: number;
  readonly promptMs: number;
  readonly promptRuns: number;
  readonly totalMs: number;
}

/** Which instruction sets the build may use. */
export type WhisperCppVariant = 'avx2' | 'native';

/** The built programs and the whisper.cpp version they come from. */
export interface WhisperCppBuild {
  readonly variant: WhisperCppVariant;
  readonly cli: string;
  readonly bench: string;
  /** whisper.cpp's quantize example (`examples/quantize`), built on first use by {@link whisperCppQuantize}. */
  readonly quantize: string;
  /** whisper.cpp's VAD example (`examples/vad-speech-segments`): Silero VAD speech segments of an audio file. */
  readonly vadSpeechSegments: string;
  readonly version: string;
}

const VARIANT_FLAGS: Record<WhisperCppVariant, string[]> = {
  avx2: ['-DGGML_NATIVE=OFF', '-DGGML_AVX=ON', '-DGGML_AVX2=ON', '-DGGML_FMA=ON', '-DGGML_F16C=ON', '-DGGML_AVX512=OFF', '-DGGML_BMI2=ON'],
  native: ['-DGGML_NATIVE=ON'],
};

function sourceDir(): string {
  const manifest = createRequire(import.meta.url).resolve('nodejs-whisper/package.json');
  const dir = join(dirname(manifest), 'cpp', 'whisper.cpp');
  if (!existsSync(join(dir, 'CMakeLists.txt'))) throw new Error(`no whisper.cpp source tree in ${dir}`);
  return dir;
}

/** Runs a build step; its (long, warning-laden) output goes to a log file, shown only on failure. */
function buildStep(log: string, args: string[]): void {
  const r = spawnSync('cmake', args, { encoding: 'utf8', maxBuffer: 256 << 20 });
  writeFileSync(log, `${r.stdout ?? ''}${r.stderr ?? ''}`, { flag: 'a' });
  if (r.status !== 0) throw new Error(`cmake ${args[0]} failed (${r.error?.message ?? `exit ${r.status}`}); see ${log}`);
}

/** Configures and builds whisper-cli, whisper-bench and whisper-vad-speech-segments (once per variant; later calls reuse the build). Needs cmake and a C++ compiler. */
export function buildWhisperCpp(variant: WhisperCppVariant = 'avx2'): WhisperCppBuild {
  const src = sourceDir();
  const version = /project\("whisper\.cpp" VERSION ([0-9.]+)\)/.exec(readFileSync(join(src, 'CMakeLists.txt'), 'utf8'))?.[1] ?? 'unknown';
  const dir = join(buildDir, variant);
  const cli = join(dir, 'bin', 'whisper-cli');
  const bench = join(dir, 'bin', 'whisper-bench');
  const quantize = join(dir, 'bin', 'whisper-quantize');
  const vadSpeechSegments = join(dir, 'bin', 'whisper-vad-speech-segments');
  if (!existsSync(cli) || !existsSync(bench) || !existsSync(vadSpeechSegments)) {
    console.error(`building whisper.cpp ${version} (${variant}, OpenMP) into bench/.whisper.cpp/${variant} (about a minute on 2 cores)`);
    mkdirSync(dir, { recursive: true });
    const log = join(dir, 'build.log');
    buildStep(log, ['-S', src, '-B', dir, '-DCMAKE_BUILD_TYPE=Release', '-DBUILD_SHARED_LIBS=OFF', '-DGGML_OPENMP=ON',
      '-DWHISPER_BUILD_TESTS=OFF', '-DWHISPER_BUILD_SERVER=OFF', ...VARIANT_FLAGS[variant]]);
    buildStep(log, ['--build', dir, '-j', '2', '--target', 'whisper-cli', 'whisper-bench', 'whisper-vad-speech-segments']);
  }
  return { variant, cli, bench, quantize, vadSpeechSegments, version };
}

/** Builds the quantize example into an existing build directory (a minute at most: it links the ggml already built). */
function ensureQuantizeTool(build: WhisperCppBuild): void {
  if (existsSync(build.quantize)) return;
  const dir = dirname(dirname(build.quantize));
  console.error(`building whisper-quantize into bench/.whisper.cpp/${build.variant}`);
  buildStep(join(dir, 'build.log'), ['--build', dir, '-j', '2', '--target', 'whisper-quantize']);
}

/**
 * The type names whisper.cpp's quantize tool accepts (ggml_parse_ftype in examples/common-ggml.cpp);
 * each maps to the ggml block type of the same name for every 2-D tensor of the file.
 */
export type WhisperCppQuantType = 'q4_0' | 'q4_1' | 'q5_0' | 'q5_1' | 'q8_0';

/**
 * Quantizes a whisper.cpp GGML model file with whisper.cpp's own `whisper-quantize`, writing
 * `output` (overwritten). The tool quantizes every 2-D tensor except the conv weights, which stay
 * f16, and writes the header's ftype as `GGML_QNT_VERSION * 1000 + type`. It is deterministic:
 * the same input gives the same bytes.
 * @throws Error when the build fails or the tool exits non-zero (its output is in the message).
 */
export function whisperCppQuantize(build: WhisperCppBuild, input: string, output: string, type: WhisperCppQuantType): void {
  ensureQuantizeTool(build);
  run(build.quantize, [input, output, type]);
}

/** Reads the `whisper_print_timings:` lines of a run's stderr. */
export function parseWhisperCppTimings(stderr: string): WhisperCppTimings {
  const read = (label: string): { ms: number; runs: number } => {
    const m = new RegExp(`whisper_print_timings:\\s+${label} time =\\s+([0-9.]+) ms(?: /\\s+([0-9]+) runs)?`).exec(stderr);
    if (m === null) throw new Error(`whisper.cpp printed no ${label} time:\n${stderr.slice(-2000)}`);
    return { ms: Number(m[1]), runs: Number(m[2] ?? 1) };
  };
  const encode = read('encode');
  const decode = read('decode');
  const batchd = read('batchd');
  const prompt = read('prompt');
  return {
    loadMs: read('load').ms, melMs: read('mel').ms, sampleMs: read('sample').ms,
    encodeMs: encode.ms, encodeRuns: encode.runs, decodeMs: decode.ms, decodeRuns: decode.runs,
    batchdMs: batchd.ms, batchdRuns: batchd.runs, promptMs: prompt.ms, promptRuns: prompt.runs, totalMs: read('total').ms,
  };
}

function run(program: string, args: string[]): { stdout: string; stderr: string } {
  const r = spawnSync(program, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${program} exited with ${r.status}: ${r.stderr.slice(-2000)}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

/**
 * One whisper-bench run: an encoder pass (one 30 s window), 256 single-token decoder steps at
 * contexts 0 to 255, 64 five-token blocks and 16 256-token prompts.
 */
export function whisperCppBench(build: WhisperCppBuild, model: string, threads: number): WhisperCppTimings {
  return parseWhisperCppTimings(run(build.bench, ['-m', model, '-t', String(threads), '-w', '0']).stderr);
}

const CLI_ARGS = (model: string, wav: string, threads: number): string[] =>
  ['-m', model, '-f', wav, '-t', String(threads), '-l', 'en', '-bs', '1', '-bo', '1', '-nf', '-ng'];

/**
 * One whisper-cli transcription of a 16 kHz WAV file: greedy (one beam, best of one), temperature
 * 0 without fallback, English, timestamps on, as amanuensis' `transcribe(…, { temperature: 0 })`.
 */
export function whisperCppTranscribe(build: WhisperCppBuild, model: string, wav: string, threads: number): { text: string; timings: WhisperCppTimings } {
  const r = run(build.cli, CLI_ARGS(model, wav, threads));
  return { text: r.stdout.trim(), timings: parseWhisperCppTimings(r.stderr) };
}

/**
 * The same transcription run under GNU time (`/usr/bin/time -v`, Debian's `time` package), which
 * also reports whisper-cli's peak resident set size: its model, buffers and compute graphs.
 * @returns the text, the timings and the peak RSS in MiB
 */
export function whisperCppTranscribeWithPeakRss(build: WhisperCppBuild, model: string, wav: string, threads: number): { text: string; timings: WhisperCppTimings; peakRssMiB: number } {
  const r = run('/usr/bin/time', ['-v', build.cli, ...CLI_ARGS(model, wav, threads)]);
  const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  if (kb === null) throw new Error(`GNU time printed no maximum resident set size:\n${r.stderr.slice(-1000)}`);
  return { text: r.stdout.trim(), timings: parseWhisperCppTimings(r.stderr), peakRssMiB: Number(kb[1]) / 1024 };
}
