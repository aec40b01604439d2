/**
 * The published package installs and runs without a compiler: `npm run prebuild` (prebuildify)
 * puts the addon in prebuilds/, `npm pack` makes the tarball, and a fresh project installs it
 * with --ignore-scripts (so nothing can be compiled), imports it and transcribes.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { JFK_FLAC, JFK_WAV, MULTILINGUAL_MP3, SYNTHETIC_MODEL } from '../helpers/shared.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const npm = (args: string[], cwd: string): string =>
  // a native rebuild's compiler output can pass the default 1 MB buffer (npm then fails with ENOBUFS)
  execFileSync('npm', args, {
    cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 << 20,
    env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' },
  });

describe('the packed tarball', () => {
  /** The fresh project the tarball is installed into (by the first test). */
  let project: string;

  it('installs with --ignore-scripts, loads the prebuild and transcribes', () => {
    npm(['run', 'prebuild'], root);
    const prebuilds = readdirSync(join(root, 'prebuilds', `${process.platform}-${process.arch}`));
    expect(prebuilds.some((f) => f.endsWith('.node'))).toBe(true);

    // --ignore-scripts: run `build` without npm's `prebuild` pre-hook (the prebuild is made above)
    npm(['run', 'build', '--ignore-scripts'], root);
    const work = mkdtempSync(join(tmpdir(), 'amanuensis-pack-'));
    const packed = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work], root)) as { filename: string; files: { path: string }[] }[];
    const files = packed[0]!.files.map((f) => f.path);
    expect(files.some((f) => f.startsWith('prebuilds/') && f.endsWith('.node'))).toBe(true);
    expect(files).toContain('dist/index.js');
    expect(files.some((f) => f.startsWith('build/'))).toBe(false);

    project = join(work, 'project');
    mkdirSync(project);
    npm(['init', '-y'], project);
    npm(['install', '--ignore-scripts', '--no-package-lock', join(work, packed[0]!.filename)], project);
    expect(existsSync(join(project, 'node_modules', 'amanuensis', 'build'))).toBe(false);

    writeFileSync(join(project, 'run.mjs'), `
      import { Transcriber, decodeAudioFile } from 'amanuensis';
      const t = await Transcriber.load(${JSON.stringify(SYNTHETIC_MODEL)}, { threads: 2 });
      const { samples } = await decodeAudioFile(${JSON.stringify(JFK_WAV)});
      const r = await t.transcribe(samples, { temperature: 0, sampleLen: 4 });
      console.log(JSON.stringify({ windows: r.timings.windows.length, encodeMs: r.timings.encodeMs }));
    `);
    const out = JSON.parse(execFileSync(process.execPath, ['run.mjs'], { cwd: project, encoding: 'utf8' }).trim()) as { windows: number; encodeMs: number };
    expect(out.windows).toBe(1);
    expect(out.encodeMs).toBeGreaterThan(0);
  });

  it('amanuensis/advanced resolves with import and require, with types, sharing the root\'s classes', () => {
    const dist = readdirSync(join(project, 'node_modules', 'amanuensis', 'dist'));
    for (const f of ['advanced.js', 'advanced.cjs', 'advanced.d.ts', 'advanced.d.cts']) expect(dist).toContain(f);
    // the same probe through both module systems: the GGML reader's error is the root's AmanuensisError
    const probe = (load: string): string => `
      ${load}
      let code;
      try { advanced.parseGgmlModel(new Uint8Array(8)); } catch (e) { code = e instanceof root.AmanuensisError ? e.code : 'not an AmanuensisError'; }
      console.log(JSON.stringify({ code, addon: typeof advanced.loadNativeAddon().loadModel, reader: typeof advanced.indexModelFile, rootReader: typeof root.indexModelFile }));
    `;
    writeFileSync(join(project, 'advanced.mjs'), probe(`const root = await import('amanuensis'); const advanced = await import('amanuensis/advanced');`));
    writeFileSync(join(project, 'advanced.cjs'), probe(`const root = require('amanuensis'); const advanced = require('amanuensis/advanced');`));
    for (const script of ['advanced.mjs', 'advanced.cjs']) {
      const out = JSON.parse(execFileSync(process.execPath, [script], { cwd: project, encoding: 'utf8' }).trim()) as Record<string, string>;
      expect(out, script).toEqual({ code: 'ERR_MODEL_BAD_MAGIC', addon: 'function', reader: 'function', rootReader: 'undefined' });
    }
  });

  it('ships the Silero VAD model with its licence notice, found by Vad.load() through import and require', () => {
    const installed = join(project, 'node_modules', 'amanuensis', 'models', 'silero-vad');
    expect(readdirSync(installed).sort()).toEqual(['LICENSE.md', 'ggml-silero-v6.2.0.bin']);
    const probe = (load: string): string => `
      ${load}
      (async () => {
        const vad = await Vad.load(undefined, { threads: 1 });
        const segments = await vad.speechSegments(new Float32Array(16000));
        console.log(JSON.stringify({ version: vad.version, segments: segments.length }));
        vad.close();
      })();
    `;
    writeFileSync(join(project, 'vad.mjs'), probe(`const { Vad } = await import('amanuensis');`));
    writeFileSync(join(project, 'vad.cjs'), probe(`const { Vad } = require('amanuensis');`));
    for (const script of ['vad.mjs', 'vad.cjs']) {
      const out = JSON.parse(execFileSync(process.execPath, [script], { cwd: project, encoding: 'utf8' }).trim()) as Record<string, unknown>;
      expect(out, script).toEqual({ version: '6.2.0', segments: 0 });
    }
  });

  it('decodeAudioFile works through import and require, for every bundled decoder\'s module format', () => {
    // wavefile and libsamplerate-js are CommonJS marked __esModule without a default export: a default
    // import of them was undefined in the CommonJS build
    const files = [JFK_WAV, JFK_FLAC, MULTILINGUAL_MP3];
    const probe = (load: string): string => `
      ${load}
      (async () => {
        const out = [];
        for (const f of ${JSON.stringify(files)}) out.push((await decodeAudioFile(f)).samples.length);
        console.log(JSON.stringify(out));
      })();
    `;
    writeFileSync(join(project, 'decode.mjs'), probe(`import { decodeAudioFile } from 'amanuensis';`));
    writeFileSync(join(project, 'decode.cjs'), probe(`const { decodeAudioFile } = require('amanuensis');`));
    for (const script of ['decode.mjs', 'decode.cjs']) {
      const lengths = JSON.parse(execFileSync(process.execPath, [script], { cwd: project, encoding: 'utf8' }).trim()) as number[];
      // 11 s at 16 kHz (the WAV, and the 44.1 kHz FLAC resampled); the MP3's 59.9 s
      expect(lengths, script).toEqual([176_000, 176_000, 958_400]);
    }
  });

  it('the installed command runs through its node_modules/.bin symlink: --version, --help and a transcription', () => {
    const bin = join(project, 'node_modules', '.bin', 'amanuensis');
    const run = (args: string[]): string => execFileSync(bin, args, { cwd: project, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
    // it used to print nothing and exit 0: the entry check tested the symlink's name
    expect(run(['--version']).trim()).toBe(version);
    expect(run(['--help'])).toContain('transcribe');
    const text = run(['transcribe', JFK_WAV, '--model', SYNTHETIC_MODEL, '--temperature', '0', '--encoder', 'cpu', '--no-progress']);
    expect(text.trim().length).toBeGreaterThan(0);
  });
});
