/**
 * XDNA2 detection and fallback, with the device tree and the XRT library injected: fake
 * /dev and /sys roots, a missing library, and a stand-in libxrt_coreutil.so.2 built from
 * test/fixtures/fake-xrt (host memory, CPU "kernel") that drives the real XRT code path.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { listBackends } from '../../src/encoder/backends.js';
import type { EncoderFallbackWarning } from '../../src/encoder/select-encoder.js';
import type { Xdna2Encoder } from '../../src/encoder/xdna2-encoder.js';
import type { Xdna2Options } from '../../src/encoder/xdna2-options.js';
import { Transcriber } from '../../src/transcriber.js';
import { makeSyntheticModel } from '../helpers/synthetic-model.js';
import { SYNTHETIC_MODEL } from '../helpers/shared.js';

let root: string;
let fakeLibrary: string;
let smallModel: string;

/** A fake device tree: /dev/accel/accel<index> whose sysfs driver link names `driver`. */
function deviceTree(name: string, driver: string | undefined, index = 0): { devRoot: string; sysRoot: string } {
  const devRoot = join(root, name, 'dev');
  const sysRoot = join(root, name, 'sys');
  mkdirSync(join(devRoot, 'accel'), { recursive: true });
  writeFileSync(join(devRoot, 'accel', `accel${index}`), '');
  const deviceDir = join(sysRoot, 'class', 'accel', `accel${index}`, 'device');
  mkdirSync(deviceDir, { recursive: true });
  if (driver !== undefined) {
    mkdirSync(join(sysRoot, 'bus', 'pci', 'drivers', driver), { recursive: true });
    symlinkSync(join(sysRoot, 'bus', 'pci', 'drivers', driver), join(deviceDir, 'driver'));
  }
  return { devRoot, sysRoot };
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'amanuensis-xdna2-'));
  fakeLibrary = join(root, 'libxrt_coreutil.so.2');
  execFileSync('cc', ['-shared', '-fPIC', '-O2', '-o', fakeLibrary, join(__dirname, '..', 'fixtures', 'fake-xrt', 'fake_xrt.c')]);
  smallModel = join(root, 'small.bin');
  writeFileSync(smallModel, makeSyntheticModel({ nState: 64, nHead: 2, nAudioLayer: 1, nTextLayer: 1, seed: 5 }));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

function xdna2(options: Partial<Xdna2Options>): Xdna2Options {
  return options;
}

describe('listBackends and the reasons it gives', () => {
  it('cpu is always available; xdna2 is not without a device', () => {
    const empty = join(root, 'empty');
    mkdirSync(empty, { recursive: true });
    expect(listBackends({ xdna2: { devRoot: empty, sysRoot: empty } })).toEqual([
      { name: 'cpu', available: true },
      { name: 'xdna2', available: false, reason: 'no /dev/accel device bound to amdxdna' },
    ]);
  });

  it('an accel node bound to another driver (or to none) does not count', () => {
    expect(listBackends({ xdna2: deviceTree('other-driver', 'habanalabs') })[1]!.reason).toBe('no /dev/accel device bound to amdxdna');
    expect(listBackends({ xdna2: deviceTree('no-driver', undefined) })[1]!.reason).toBe('no /dev/accel device bound to amdxdna');
  });

  it('a device bound to amdxdna but no XRT library', () => {
    const backend = listBackends({ xdna2: { ...deviceTree('no-xrt', 'amdxdna', 3), library: join(root, 'missing', 'libxrt_coreutil.so.2') } })[1]!;
    expect(backend.available).toBe(false);
    expect(backend.reason).toBe('libxrt_coreutil.so.2 not found');
    expect(backend.device).toMatch(/accel3$/);
    expect(backend.detail).toMatch(/missing/);
  });

  it('a library without the XRT C API', () => {
    const backend = listBackends({ xdna2: { ...deviceTree('not-xrt', 'amdxdna'), library: 'libm.so.6' } })[1]!;
    expect(backend.reason).toBe('libxrt_coreutil.so.2 does not export xrtDeviceOpen (XRT too old?)');
  });

  it('device and library but no kernel artifacts, then a missing artifact, then available', () => {
    const tree = { ...deviceTree('with-xrt', 'amdxdna'), library: fakeLibrary };
    expect(listBackends({ xdna2: tree })[1]!.reason).toBe('no kernel artifacts configured');
    const xclbin = join(root, 'gemm.xclbin');
    writeFileSync(xclbin, '32 32 32\n');
    expect(listBackends({ xdna2: { ...tree, xclbin, instructions: join(root, 'none.txt') } })[1]!.reason)
      .toBe(`kernel artifact not found: ${join(root, 'none.txt')}`);
    const instructions = join(root, 'insts.txt');
    writeFileSync(instructions, '00000001\n0000ffff\n');
    expect(listBackends({ xdna2: { ...tree, xclbin, instructions } })[1]).toMatchObject({ name: 'xdna2', available: true });
  });
});

describe('encoder selection', () => {
  const unavailable = (): Xdna2Options => xdna2({ ...deviceTree(`sel-${Math.random()}`, 'amdxdna'), library: join(root, 'missing.so') });

  it("'auto' falls back to the CPU with one warning carrying the reason", async () => {
    const warnings: EncoderFallbackWarning[] = [];
    const t = await Transcriber.load(smallModel, { threads: 2, encoder: 'auto', xdna2: unavailable(), onWarning: (w) => warnings.push(w) });
    expect(t.encoder.name).toBe('cpu');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 'AMANUENSIS_ENCODER_FALLBACK', backend: 'xdna2', reason: 'libxrt_coreutil.so.2 not found' });
  });

  it("'auto' without onWarning emits one process warning when an NPU is present but cannot run", async () => {
    const seen: Error[] = [];
    const listener = (w: Error): void => { seen.push(w); };
    process.on('warning', listener);
    try {
      await Transcriber.load(smallModel, { threads: 2, xdna2: unavailable() });
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', listener);
    }
    expect(seen.map((w) => (w as Error & { code?: string }).code)).toEqual(['AMANUENSIS_ENCODER_FALLBACK']);
    expect(seen[0]!.message).toContain('libxrt_coreutil.so.2 not found');
    expect(seen[0]!.message.match(/amanuensis:/g)).toHaveLength(1);
  });

  it("'auto' on a machine with no NPU at all uses the CPU without a warning; listBackends() keeps the reason", async () => {
    const seen: Error[] = [];
    const warnings: EncoderFallbackWarning[] = [];
    const listener = (w: Error): void => { seen.push(w); };
    const none = { devRoot: join(root, 'nowhere'), sysRoot: join(root, 'nowhere') };
    process.on('warning', listener);
    try {
      const quiet = await Transcriber.load(smallModel, { threads: 2, xdna2: none });
      const listened = await Transcriber.load(smallModel, { threads: 2, xdna2: none, onWarning: (w) => warnings.push(w) });
      expect([quiet.encoder.name, listened.encoder.name]).toEqual(['cpu', 'cpu']);
      // every result still says why the encoder is the CPU; one asked for by name has no reason to give
      const tone = Float32Array.from({ length: 16000 }, (_, i) => 0.1 * Math.sin(i / 10));
      const fallback = await quiet.transcribe(tone, { temperature: 0, sampleLen: 4 });
      expect(fallback.timings.encoderFallbackReason).toBe('no /dev/accel device bound to amdxdna');
      const asked = await Transcriber.load(smallModel, { threads: 2, encoder: 'cpu', xdna2: none });
      expect((await asked.transcribe(tone, { temperature: 0, sampleLen: 4 })).timings).not.toHaveProperty('encoderFallbackReason');
      for (const t of [quiet, listened, asked]) t.close();
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', listener);
    }
    expect(seen).toEqual([]);
    expect(warnings).toEqual([]);
    expect(listBackends({ xdna2: none })[1]!.reason).toBe('no /dev/accel device bound to amdxdna');
  });

  it("'xdna2' rejects with ERR_BACKEND_UNAVAILABLE and the reason", async () => {
    await expect(Transcriber.load(smallModel, { encoder: 'xdna2', xdna2: unavailable() }))
      .rejects.toMatchObject({ code: 'ERR_BACKEND_UNAVAILABLE', message: expect.stringContaining('libxrt_coreutil.so.2 not found') });
    const tree = { ...deviceTree('sel-artifacts', 'amdxdna'), library: fakeLibrary };
    await expect(Transcriber.load(smallModel, { encoder: 'xdna2', xdna2: tree }))
      .rejects.toMatchObject({ code: 'ERR_BACKEND_UNAVAILABLE', message: expect.stringContaining('no kernel artifacts configured') });
  });

  it("'xdna2' through the XRT code path (fake library) equals the software device", async () => {
    const xclbin = join(root, 'run.xclbin');
    writeFileSync(xclbin, '32 32 32\n');
    const instructions = join(root, 'run.bin');
    writeFileSync(instructions, Buffer.from(Uint32Array.of(1, 2, 3).buffer));
    const tile = { m: 32, k: 32, n: 32 };
    const xrt = await Transcriber.load(smallModel, {
      threads: 2, encoder: 'xdna2', xdna2: { ...deviceTree('run', 'amdxdna'), library: fakeLibrary, xclbin, instructions, tile },
    });
    const software = await Transcriber.load(smallModel, { threads: 2, encoder: 'xdna2', xdna2: { device: 'software', tile } });
    expect(xrt.encoder.name).toBe('xdna2');
    const mel = { data: new Float32Array(80 * 3000).map((_, i) => Math.sin(i * 0.37)), nMels: 80, nFrames: 3000 };
    const a = await xrt.encoder.encode(mel);
    const b = await software.encoder.encode(mel);
    let max = 0;
    for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
    // same tiles and bf16 inputs; only the f32 summation order inside a tile differs
    expect(max).toBeLessThan(1e-4);
    expect((xrt.encoder as Xdna2Encoder).lastReport).toMatchObject({ device: 'xrt', tiles: (software.encoder as Xdna2Encoder).lastReport!.tiles });
    (xrt.encoder as Xdna2Encoder).close();
    await expect(xrt.encoder.encode(mel)).rejects.toMatchObject({ code: 'ERR_CLOSED' });
  });

  it('a kernel name the xclbin lacks is a typed rejection', async () => {
    const xclbin = join(root, 'k.xclbin');
    writeFileSync(xclbin, '32 32 32\n');
    const instructions = join(root, 'k.txt');
    writeFileSync(instructions, '1\n');
    await expect(Transcriber.load(smallModel, {
      encoder: 'xdna2', xdna2: { ...deviceTree('kname', 'amdxdna'), library: fakeLibrary, xclbin, instructions, kernelName: 'OTHER' },
    })).rejects.toMatchObject({ code: 'ERR_BACKEND_UNAVAILABLE', message: expect.stringContaining('no kernel named OTHER') });
  });

  it("'cpu' selects the CPU encoder", async () => {
    const t = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2, encoder: 'cpu' });
    expect(t.encoder.name).toBe('cpu');
  });
});
