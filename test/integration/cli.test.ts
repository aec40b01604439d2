/** The `amanuensis` command line, run as a user would (through tsx on the sources). */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { decodeAudioFile } from '../../src/audio/audio-file.js';
import { LANGUAGES } from '../../src/tokenizer/languages.js';
import { Transcriber } from '../../src/transcriber.js';
import { M4A_3S, MP3_3S } from '../helpers/audio-fixtures.js';
import { JFK_FLAC, JFK_WAV, STEREO_WAV, SYNTHETIC_MODEL } from '../helpers/shared.js';
import { makeSyntheticModel } from '../helpers/synthetic-model.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = (...args: string[]): Promise<{ stdout: string; stderr: string }> =>
  run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: root, maxBuffer: 1 << 24 });
const base = ['--model', SYNTHETIC_MODEL, '--threads', '2', '--temperature', '0'];

describe('amanuensis transcribe', () => {
  it('json: the full result record, with timings on stderr', async () => {
    const { stdout, stderr } = await cli('transcribe', JFK_WAV, ...base, '--format', 'json');
    const r = JSON.parse(stdout) as { text: string; segments: unknown[]; durationS: number; timings: { encodeMs: number } };
    expect(r.durationS).toBe(11);
    expect(r.segments.length).toBeGreaterThan(0);
    expect(r.timings.encodeMs).toBeGreaterThan(0);
    expect(stderr).toMatch(/11\.00 s of audio in .* real-time factor/);
  });

  it('--vad and --batch-size: the result of the library with the same options; a bad batch size is refused in one line', async () => {
    const { stdout, stderr } = await cli('transcribe', JFK_WAV, ...base, '--vad', '--batch-size', '2', '--format', 'json');
    const r = JSON.parse(stdout) as { segments: { start: number; end: number; text: string }[]; timings: { vadMs: number } };
    expect(r.timings.vadMs).toBeGreaterThan(0);
    expect(stderr).toMatch(/vad \d+ ms/);
    const t = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2 });
    const library = await t.transcribe((await decodeAudioFile(JFK_WAV)).samples, { temperature: 0, vad: true, batchSize: 2 });
    t.close();
    expect(r.segments.map(({ start, end, text }) => ({ start, end, text }))).toEqual(library.segments.map(({ start, end, text }) => ({ start, end, text })));
    await expect(cli('transcribe', JFK_WAV, ...base, '--batch-size', '0')).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/batch size must be a positive integer/) });
    await expect(cli('transcribe', JFK_WAV, ...base, '--batch-size', '65')).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/ERR_INVALID_ARGUMENT.*batchSize/) });
  });

  it('srt and vtt cue syntax; the FLAC (44.1 kHz stereo 24-bit) gives the WAV\'s text', async () => {
    const srt = (await cli('transcribe', JFK_WAV, ...base, '--format', 'srt')).stdout;
    expect(srt).toMatch(/^1\n\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}\n\S/);
    const vtt = (await cli('transcribe', JFK_FLAC, ...base, '--format', 'vtt')).stdout;
    expect(vtt).toMatch(/^WEBVTT\n\n\d\d:\d\d:\d\d\.\d{3} --> \d\d:\d\d:\d\d\.\d{3}\n\S/);
    expect(vtt.split('\n').slice(3).join('\n').trim()).toBe(srt.split('\n').slice(2).join('\n').trim());
  });

  it('a bad option, a missing option or argument, an unknown command: one ERR_INVALID_ARGUMENT line, exit 1', async () => {
    const failures = [
      [['transcribe', JFK_WAV, ...base, '--format', 'docx'], /option '-f, --format <format>' argument 'docx' is invalid/],
      [['transcribe', JFK_WAV, ...base, '--threads', 'abc'], /threads must be a positive integer/],
      [['transcribe', JFK_WAV], /required option '-m, --model/],
      [['transcribe', '--model', SYNTHETIC_MODEL], /missing required argument 'audio'/],
      [['transcibe', JFK_WAV], /unknown command 'transcibe'/],
      [['models', 'path'], /missing required argument/],
    ] as const;
    for (const [args, message] of failures) {
      const err = await cli(...args).then(() => undefined, (e: unknown) => e as { code: number; stderr: string });
      expect(err, args.join(' ')).toMatchObject({ code: 1 });
      const lines = err!.stderr.trim().split('\n');
      expect(lines, args.join(' ')).toHaveLength(1);
      expect(lines[0]).toMatch(/^amanuensis: ERR_INVALID_ARGUMENT: /);
      expect(lines[0]).toMatch(message);
    }
    // help and version still print and succeed
    expect((await cli('transcribe', '--help')).stdout).toContain('--format');
    expect((await cli('--version')).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('an --output that cannot be written is refused before any work, in one line', async () => {
    for (const output of [tmpdir(), join(tmpdir(), 'no-such-folder', 'out.txt')]) {
      const err = await cli('transcribe', JFK_WAV, ...base, '--output', output).then(() => undefined, (e: unknown) => e as { code: number; stderr: string });
      expect(err).toMatchObject({ code: 1 });
      expect(err!.stderr).toMatch(/^amanuensis: ERR_INVALID_ARGUMENT: --output .* (is a directory|cannot be written)/);
      // refused before transcribing: no timings line
      expect(err!.stderr).not.toMatch(/real-time factor/);
    }
  });

  it('a bad model path exits non-zero with the error code', async () => {
    await expect(cli('transcribe', JFK_WAV, '--model', '/nonexistent.bin')).rejects.toMatchObject({
      code: 1, stderr: expect.stringContaining('ERR_MODEL_NOT_FOUND'),
    });
    await expect(cli('transcribe', JFK_WAV, ...base, '--format', 'docx')).rejects.toMatchObject({ code: 1 });
  });

  it('other formats: an MP3 transcribes; help lists the formats; M4A without ffmpeg names the format and the fix', async () => {
    const r = JSON.parse((await cli('transcribe', MP3_3S, ...base, '--format', 'json')).stdout) as { durationS: number };
    expect(r.durationS).toBe(3);
    // the help is wrapped to the terminal's width
    const help = (await cli('transcribe', '--help')).stdout.replace(/\s+/g, ' ');
    expect(help).toContain('WAV (PCM, float, µ-law, A-law), FLAC, MP3, Ogg Vorbis, Ogg Opus or WebM Opus; other formats');
    expect(help).toContain('--ffmpeg <path>');
    await expect(cli('transcribe', M4A_3S, ...base, '--ffmpeg', '/nonexistent/ffmpeg')).rejects.toMatchObject({
      code: 1, stderr: expect.stringMatching(/ERR_AUDIO_DECODE: cannot decode audio \(MP4\/M4A \(AAC\)\): this format needs ffmpeg/),
    });
  });

  it('--channel counts from 1, and a channel the file lacks is named as the user typed it', async () => {
    const second = JSON.parse((await cli('transcribe', STEREO_WAV, ...base, '--channel', '2', '--format', 'json')).stdout) as { durationS: number };
    expect(second.durationS).toBeGreaterThan(0);
    const err = await cli('transcribe', STEREO_WAV, ...base, '--channel', '3').catch((e: unknown) => e as { code: number; stderr: string });
    expect(err).toMatchObject({ code: 1 });
    expect(err.stderr).toMatch(/ERR_INVALID_ARGUMENT: --channel 3 does not exist: .*stereo_diarization\.wav has 2 channels \(--channel 1 to 2\)/);
  });
});

describe('amanuensis detect-language', () => {
  let dir: string;
  let multilingual: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'amanuensis-cli-'));
    multilingual = join(dir, 'multilingual.bin');
    writeFileSync(multilingual, makeSyntheticModel({ nState: 64, nHead: 2, nAudioLayer: 1, nTextLayer: 1, seed: 7, multilingual: true }));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the most probable languages, the same as Transcriber.detectLanguage()', async () => {
    const t = await Transcriber.load(multilingual, { threads: 2, encoder: 'cpu' });
    const expected = await t.detectLanguage((await decodeAudioFile(JFK_WAV)).samples);
    t.close();
    const ranked = Object.entries(expected.probabilities).sort((a, b) => b[1] - a[1]);

    const text = (await cli('detect-language', JFK_WAV, '--model', multilingual, '--threads', '2', '--top', '3')).stdout;
    expect(text).toBe(ranked.slice(0, 3).map(([c, p]) => `${c}\t${p.toFixed(4)}\n`).join(''));
    const json = JSON.parse((await cli('detect-language', JFK_WAV, '--model', multilingual, '--threads', '2', '--top', '200', '--format', 'json')).stdout) as
      { language: string; probabilities: Record<string, number> };
    expect(json.language).toBe(expected.language);
    // every language of a 51865-token model: openai/whisper's list but Cantonese (added by large-v3), summing to 1
    expect(Object.keys(json.probabilities).sort()).toEqual(LANGUAGES.map(([code]) => code).filter((c) => c !== 'yue').sort());
    expect(Object.values(json.probabilities).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
  });

  it('an English-only model exits non-zero and says why', async () => {
    await expect(cli('detect-language', JFK_WAV, '--model', SYNTHETIC_MODEL)).rejects.toMatchObject({
      code: 1, stderr: expect.stringMatching(/ERR_INVALID_ARGUMENT: this model is English-only/),
    });
  });
});
