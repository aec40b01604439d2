/**
 * The registry of models by name against whisper.cpp's download script and the facts published
 * in ../shared/models/README.md; where the cache and the mirror come from; custom entries; the
 * close names of a typo.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, describe, expect, it, vi } from 'vitest';

import { MODELS_BASE_URL_ENV, MODELS_DIR_ENV, modelUrl, modelsDirectory } from '../../src/models/cache-dir.js';
import { isLoadable, quantizationOf } from '../../src/models/loadable.js';
import { listModels, modelPath } from '../../src/models/model-cache.js';
import { WHISPER_CPP_MODELS, modelRegistry } from '../../src/models/registry.js';
import { closeNames } from '../../src/models/unknown-model.js';

/** The names of whisper.cpp's models/download-ggml-model.sh, in its order. */
const DOWNLOAD_SCRIPT_NAMES = [
  'tiny', 'tiny.en', 'tiny-q5_1', 'tiny.en-q5_1', 'tiny-q8_0',
  'base', 'base.en', 'base-q5_1', 'base.en-q5_1', 'base-q8_0',
  'small', 'small.en', 'small.en-tdrz', 'small-q5_1', 'small.en-q5_1', 'small-q8_0',
  'medium', 'medium.en', 'medium-q5_0', 'medium.en-q5_0', 'medium-q8_0',
  'large-v1', 'large-v2', 'large-v2-q5_0', 'large-v2-q8_0', 'large-v3', 'large-v3-q5_0',
  'large-v3-turbo', 'large-v3-turbo-q5_0', 'large-v3-turbo-q8_0',
];

const sharedReadme = readFileSync(fileURLToPath(new URL('../../../shared/models/README.md', import.meta.url)), 'utf8');

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('whisper.cpp models', () => {
  it('are the names of whisper.cpp\'s download script, at the URLs it fetches them from', () => {
    expect(WHISPER_CPP_MODELS.map((m) => m.name)).toEqual(DOWNLOAD_SCRIPT_NAMES);
    for (const m of WHISPER_CPP_MODELS) {
      const repo = m.name.includes('tdrz') ? 'akashmjn/tinydiarize-whisper.cpp' : 'ggerganov/whisper.cpp';
      expect(m.url).toBe(`https://huggingface.co/${repo}/resolve/main/ggml-${m.name}.bin`);
    }
  });

  it('tiny.en carries the size and SHA-256 published for ggml-tiny.en.bin', () => {
    const published = /`ggml-tiny\.en\.bin` is ([\d,]+) B, sha256 `([0-9a-f]{64})`/.exec(sharedReadme);
    expect(published).not.toBeNull();
    const tinyEn = modelRegistry().get('tiny.en')!;
    expect(tinyEn.bytes).toBe(Number(published![1]!.replaceAll(',', '')));
    expect(tinyEn.sha256).toBe(published![2]);
  });

  it('checksums are well-formed hex where present; the models without a published one are the quantized ones', () => {
    for (const m of WHISPER_CPP_MODELS) {
      if (m.sha1 !== undefined) expect(m.sha1).toMatch(/^[0-9a-f]{40}$/);
      if (m.sha256 !== undefined) expect(m.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    const unverified = WHISPER_CPP_MODELS.filter((m) => m.sha1 === undefined && m.sha256 === undefined).map((m) => m.name);
    expect(unverified.every((name) => /-q[58]_[01]$/.test(name))).toBe(true);
    expect(unverified).toHaveLength(14);
  });

  it('every file of the registry is loadable, the quantized ones (q5_0, q5_1, q8_0) included; their quantization is named', () => {
    expect(WHISPER_CPP_MODELS.filter((m) => !isLoadable(m))).toEqual([]);
    const quantized = WHISPER_CPP_MODELS.filter((m) => quantizationOf(m) !== undefined).map((m) => m.name);
    expect(quantized).toEqual(DOWNLOAD_SCRIPT_NAMES.filter((name) => /-q[58]_[01]$/.test(name)));
    expect(quantized).toHaveLength(17);
    expect(quantizationOf(modelRegistry().get('large-v3-turbo-q5_0')!)).toBe('q5_0');
    expect(quantizationOf(modelRegistry().get('large-v3-turbo')!)).toBeUndefined();
    // a custom entry is judged by its name, or its file name: a quantization the loader does not compute with is refused
    expect(isLoadable({ name: 'mine', file: 'ggml-mine-q8_0.bin', url: 'https://x.test/m' })).toBe(true);
    expect(isLoadable({ name: 'mine-q4_1', url: 'https://x.test/m' })).toBe(true);
    expect(isLoadable({ name: 'mine', file: 'ggml-mine-q3_0.bin', url: 'https://x.test/m' })).toBe(false);
    expect(isLoadable({ name: 'mine', url: 'https://x.test/m' })).toBe(true);
  });
});

describe('the cache directory and the mirror', () => {
  it('modelsDir, else AMANUENSIS_MODELS_DIR, else models in the platform cache directory', () => {
    const cache = mkdtempSync(join(tmpdir(), 'amanuensis-xdg-'));
    vi.stubEnv(MODELS_DIR_ENV, '');
    vi.stubEnv('XDG_CACHE_HOME', cache);
    if (process.platform === 'linux') expect(modelsDirectory()).toBe(join(cache, 'amanuensis', 'models'));
    else expect(modelsDirectory()).toMatch(/amanuensis.*models$/);
    vi.stubEnv(MODELS_DIR_ENV, '/srv/models');
    expect(modelsDirectory()).toBe('/srv/models');
    expect(modelPath('base.en')).toBe(join('/srv/models', 'ggml-base.en.bin'));
    expect(modelsDirectory({ modelsDir: '/opt/m' })).toBe('/opt/m');
  });

  it('a mirror, by option or AMANUENSIS_MODELS_BASE_URL, holds every file under its file name', () => {
    const tdrz = modelRegistry().get('small.en-tdrz')!;
    vi.stubEnv(MODELS_BASE_URL_ENV, '');
    expect(modelUrl(tdrz)).toBe(tdrz.url);
    vi.stubEnv(MODELS_BASE_URL_ENV, 'http://mirror.test/whisper/');
    expect(modelUrl(tdrz)).toBe('http://mirror.test/whisper/ggml-small.en-tdrz.bin');
    expect(modelUrl(tdrz, { modelsBaseUrl: 'https://other.test' })).toBe('https://other.test/ggml-small.en-tdrz.bin');
    expect(() => modelUrl(tdrz, { modelsBaseUrl: 'ftp://x' })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });

  it('listModels reads the directory only: a placed file is cached with its size, without a network call', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const dir = mkdtempSync(join(tmpdir(), 'amanuensis-list-'));
    writeFileSync(join(dir, 'ggml-base.en.bin'), Buffer.alloc(1234));
    const list = await listModels({ modelsDir: dir });
    expect(list.map((m) => m.name)).toEqual(DOWNLOAD_SCRIPT_NAMES);
    expect(list.filter((m) => m.cached)).toEqual([expect.objectContaining({ name: 'base.en', bytes: 1234, path: join(dir, 'ggml-base.en.bin'), verifiedBy: 'sha1' })]);
    expect(list.find((m) => m.name === 'tiny.en')).toMatchObject({ cached: false, bytes: 77_704_715, verifiedBy: 'sha256' });
    expect(list.find((m) => m.name === 'tiny-q5_1')).toMatchObject({
      cached: false, bytes: undefined, approxMiB: undefined, verifiedBy: 'size', loadable: true, quantization: 'q5_1',
    });
    expect(list.find((m) => m.name === 'base.en')).toMatchObject({ loadable: true, quantization: undefined });
    expect(fetchSpy).not.toHaveBeenCalled();
  });
});

describe('custom entries', () => {
  it('add names or replace built-in ones', () => {
    const url = 'https://example.test/my-model.bin';
    const registry = modelRegistry([{ name: 'mine', file: 'my-model.bin', url }, { name: 'base.en', url }]);
    expect(registry.get('mine')?.url).toBe(url);
    expect(registry.get('base.en')).toEqual({ name: 'base.en', url });
    expect(modelPath('mine', { modelsDir: '/m', customModels: [{ name: 'mine', file: 'my-model.bin', url }] })).toBe(join('/m', 'my-model.bin'));
  });

  it.each([
    [{ name: 'a/b', url: 'https://x.test/a' }, /name/],
    [{ name: 'a', url: 'not a url' }, /url/],
    [{ name: 'a', url: 'https://x.test/a', file: '../escape.bin' }, /file/],
    [{ name: 'a', url: 'https://x.test/a', sha256: 'ABC' }, /sha256/],
    [{ name: 'a', url: 'https://x.test/a', bytes: -1 }, /bytes/],
  ])('a malformed one is refused with ERR_INVALID_ARGUMENT (%j)', (entry, why) => {
    expect(() => modelRegistry([entry])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', message: expect.stringMatching(why) }));
  });
});

describe('close names', () => {
  const names = DOWNLOAD_SCRIPT_NAMES;
  it('suggest the intended name first for a typo', () => {
    expect(closeNames('base-en', names)[0]).toBe('base.en');
    expect(closeNames('tiny.en-q51', names)[0]).toBe('tiny.en-q5_1');
    expect(closeNames('Large-V3-Turbo', names)[0]).toBe('large-v3-turbo');
    expect(closeNames('large', names)).toHaveLength(5);
  });

  it('suggest nothing for a name unlike any', () => {
    expect(closeNames('wav2vec2-xlsr', names)).toEqual([]);
  });

  it('an unknown name gets ERR_INVALID_ARGUMENT from modelPath', () => {
    expect(() => modelPath('mediun.en')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', message: expect.stringContaining('Close names: medium.en') }));
  });
});
