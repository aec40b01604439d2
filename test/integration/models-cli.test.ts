/**
 * `amanuensis models list | path | download` and `transcribe --model <name>`, run as a user
 * would (through tsx on the sources), against a local server standing in for the model host.
 */
import { type PromiseWithChild, execFile, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { ModelInfo } from '../../src/models/model-cache.js';
import { ModelServer } from '../helpers/model-server.js';
import { JFK_WAV, SYNTHETIC_MODEL } from '../helpers/shared.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const Q5_1_MODEL = fileURLToPath(new URL('../../../shared/models/synthetic/ggml-tiny.en-random-seed0-q5_1.bin', import.meta.url));
const Q5_1_BYTES = readFileSync(Q5_1_MODEL);

let server: ModelServer;
let dir: string;

/**
 * The command with the cache in `dir` and the test server as the mirror (and no ffmpeg, so that
 * a file no bundled decoder reads fails the same way on every machine). Its `child` is the process.
 */
const cli = (...args: string[]): PromiseWithChild<{ stdout: string; stderr: string }> =>
  run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: root, maxBuffer: 1 << 24, encoding: 'utf8',
    env: { ...process.env, AMANUENSIS_MODELS_DIR: dir, AMANUENSIS_MODELS_BASE_URL: server.baseUrl, AMANUENSIS_FFMPEG: '/nonexistent/ffmpeg' },
  });

beforeEach(async () => {
  // whisper.cpp's tiny.en-q5_1 has no published checksum, so the synthetic q5_1 file passes for it
  server = await ModelServer.start({ '/ggml-tiny.en-q5_1.bin': Q5_1_BYTES });
  dir = mkdtempSync(join(tmpdir(), 'amanuensis-models-cli-'));
});

afterEach(async () => {
  server.release();
  await server.close();
});

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await delay(20);
}

describe('amanuensis models', () => {
  it('path prints where a name is cached (the environment, or --models-dir), without a request', async () => {
    expect((await cli('models', 'path', 'base.en')).stdout).toBe(`${join(dir, 'ggml-base.en.bin')}\n`);
    expect((await cli('models', '--models-dir', '/srv/m', 'path', 'large-v3-turbo-q5_0')).stdout).toBe(`${join('/srv/m', 'ggml-large-v3-turbo-q5_0.bin')}\n`);
    expect(server.requests).toEqual([]);
  });

  it('download in two processes at once: one request, both print the cached file; list then shows it cached', async () => {
    const listed = async (): Promise<ModelInfo | undefined> =>
      (JSON.parse((await cli('models', 'list', '--json')).stdout) as ModelInfo[]).find((m) => m.name === 'tiny.en-q5_1');
    expect(await listed()).toMatchObject({ cached: false, url: `${server.baseUrl}/ggml-tiny.en-q5_1.bin` });

    // the first download is held half way while the second process starts and finds it under way
    server.behaviour = { holdAfter: Q5_1_BYTES.length >> 1 };
    const path = join(dir, 'ggml-tiny.en-q5_1.bin');
    const first = cli('models', 'download', 'tiny.en-q5_1');
    await until(() => server.requests.length === 1);
    const second = cli('models', 'download', 'tiny.en-q5_1');
    let secondStderr = '';
    second.child.stderr?.on('data', (chunk: Buffer) => { secondStderr += chunk.toString(); });
    // released only once the second process says it waits on the lock the first one holds
    await until(() => existsSync(`${path}.lock`) && secondStderr.includes('waiting for another download of tiny.en-q5_1'));
    server.release();
    expect((await first).stdout).toBe(`${path}\n`);
    expect((await second).stdout).toBe(`${path}\n`);
    expect(server.requests).toHaveLength(1);
    expect(readFileSync(path).equals(Q5_1_BYTES)).toBe(true);
    expect(readdirSync(dir)).toEqual(['ggml-tiny.en-q5_1.bin']);

    expect(await listed()).toMatchObject({ cached: true, bytes: Q5_1_BYTES.length, path, verifiedBy: 'size' });
    const table = (await cli('models', 'list')).stdout;
    expect(table.split('\n')[0]).toMatch(/^NAME\s+SIZE\s+CACHED\s+VERIFIED BY\s+LOADS$/);
    // downloaded, and loadable like the f16 files
    expect(table).toMatch(/^tiny\.en-q5_1\s+31 MiB\s+yes\s+size\s+yes$/m);
    expect(table).toMatch(/^large-v3-turbo\s+~1\.5 GiB\s+sha1\s+yes$/m);
  });

  it('download of an unknown name or a missing file fails with the code, and leaves nothing', async () => {
    await expect(cli('models', 'download', 'smal.en')).rejects.toMatchObject({
      code: 1, stderr: expect.stringMatching(/ERR_INVALID_ARGUMENT: .*Close names: small\.en/),
    });
    await expect(cli('models', 'download', 'base.en')).rejects.toMatchObject({
      code: 1, stderr: expect.stringMatching(/ERR_MODEL_DOWNLOAD: .*HTTP 404/),
    });
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('amanuensis transcribe --model <name>', () => {
  it('uses the cached file without a request, and transcribes as with its path', async () => {
    copyFileSync(SYNTHETIC_MODEL, join(dir, 'ggml-tiny.en.bin'));
    const flags = ['--threads', '2', '--temperature', '0', '--format', 'json'];
    const byName = JSON.parse((await cli('transcribe', JFK_WAV, '--model', 'tiny.en', ...flags)).stdout) as { text: string };
    const byPath = JSON.parse((await cli('transcribe', JFK_WAV, '--model', SYNTHETIC_MODEL, ...flags)).stdout) as { text: string };
    expect(byName.text.length).toBeGreaterThan(0);
    expect(byName.text).toBe(byPath.text);
    expect(server.requests).toEqual([]);
    expect(existsSync(join(dir, 'ggml-tiny.en.bin.partial'))).toBe(false);
  });

  it('a quantized name (tiny.en-q5_1) is downloaded, then transcribes as its file does', async () => {
    const flags = ['--threads', '2', '--temperature', '0', '--format', 'json'];
    const byName = JSON.parse((await cli('transcribe', JFK_WAV, '--model', 'tiny.en-q5_1', ...flags)).stdout) as { text: string };
    const byPath = JSON.parse((await cli('transcribe', JFK_WAV, '--model', Q5_1_MODEL, ...flags)).stdout) as { text: string };
    expect(byName.text.length).toBeGreaterThan(0);
    expect(byName.text).toBe(byPath.text);
    expect(server.requests).toHaveLength(1);
    expect(readFileSync(join(dir, 'ggml-tiny.en-q5_1.bin')).equals(Q5_1_BYTES)).toBe(true);
  });
});

describe('audio that fails while the model downloads', () => {
  // the server sends the start of the model, then nothing: only the command's abort ends the download
  beforeEach(() => {
    server.replace('/ggml-base.en.bin', Q5_1_BYTES);
    server.behaviour = { stallAfter: 64 * 1024 };
  });

  it('transcribe exits non-zero with the audio error as soon as the audio fails, mid-download', async () => {
    // a FIFO: the audio arrives (and fails) only once the download is under way
    const audio = join(dir, 'audio.fifo');
    execFileSync('mkfifo', [audio]);
    const command = cli('transcribe', audio, '--model', 'base.en');
    await until(() => server.requests.length === 1);
    await writeFile(audio, 'not audio at all');
    // the command must end by itself: the test's timeout is the only clock
    await expect(command).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/ERR_AUDIO_DECODE/) });
    expect((await command.catch((e: { stderr: string }) => e)).stderr).not.toMatch(/ERR_ABORTED/);
    await server.requests[0]!.closed;
    expect(existsSync(join(dir, 'ggml-base.en.bin'))).toBe(false);
  }, 60_000);

  it('detect-language too', async () => {
    const audio = join(dir, 'notes.txt');
    writeFileSync(audio, 'not audio at all');
    await expect(cli('detect-language', audio, '--model', 'base.en')).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/ERR_AUDIO_DECODE/) });
  }, 60_000);
});
