/** Raw PCM byte streams split anywhere give the samples of the whole stream. */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { createPcmChunkTransform, PcmChunkDecoder, type PcmEncoding } from '../../src/audio/pcm-chunk-decoder.js';

/** A known stream: the extremes, zero, small values and a ramp, with the samples Buffer's readers give. */
function knownStream(encoding: PcmEncoding): { bytes: Uint8Array; samples: number[] } {
  if (encoding === 's16le') {
    const values = [-32768, 32767, 0, -1, 1, 256, -256, ...Array.from({ length: 30 }, (_, i) => i * 2111 - 32000)];
    const b = Buffer.alloc(values.length * 2);
    values.forEach((v, i) => b.writeInt16LE(v, 2 * i));
    return { bytes: new Uint8Array(b), samples: values.map((_, i) => b.readInt16LE(2 * i) / 32768) };
  }
  const values = [-1, 1, 0, -0, 0.5, 1e-8, -0.333, 3.5, ...Array.from({ length: 30 }, (_, i) => Math.sin(i))];
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeFloatLE(v, 4 * i));
  return { bytes: new Uint8Array(b), samples: values.map((_, i) => b.readFloatLE(4 * i)) };
}

/** Pushes the chunks and joins what comes out. */
function decodeChunks(encoding: PcmEncoding, chunks: Uint8Array[]): number[] {
  const decoder = new PcmChunkDecoder({ encoding });
  const out = chunks.flatMap((c) => Array.from(decoder.push(c)));
  decoder.flush();
  return out;
}

describe('PcmChunkDecoder', () => {
  for (const encoding of ['s16le', 'f32le'] as const) {
    it(`${encoding}: whole, and split at every offset, give the same samples as Buffer's readers`, () => {
      const { bytes, samples } = knownStream(encoding);
      expect(decodeChunks(encoding, [bytes])).toEqual(samples);
      for (let cut = 0; cut <= bytes.length; cut++) {
        expect(decodeChunks(encoding, [bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(samples);
      }
      // one byte at a time: every sample is carried across chunks
      expect(decodeChunks(encoding, Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)))).toEqual(samples);
    });

    it(`${encoding}: any split into any number of chunks (property)`, () => {
      const { bytes, samples } = knownStream(encoding);
      fc.assert(fc.property(fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 12 }), (cuts) => {
        const bounds = [0, ...cuts.sort((a, b) => a - b), bytes.length];
        const chunks = bounds.slice(1).map((end, i) => bytes.subarray(bounds[i], end));
        expect(decodeChunks(encoding, chunks)).toEqual(samples);
      }));
    });
  }

  it('a chunk the caller reuses after push() does not change the carried bytes', () => {
    const decoder = new PcmChunkDecoder({ encoding: 's16le' });
    const buffer = new Uint8Array([0x00, 0x40, 0x00]);
    expect(Array.from(decoder.push(buffer))).toEqual([0.5]);
    expect(decoder.pendingBytes).toBe(1);
    buffer.fill(0xff); // the caller's buffer is overwritten with the next read
    expect(Array.from(decoder.push(new Uint8Array([0xc0])))).toEqual([-0.5]);
  });

  it('a stream that ends inside a sample fails at flush(); the decoder is then empty', () => {
    const decoder = new PcmChunkDecoder({ encoding: 'f32le' });
    decoder.push(new Uint8Array(6));
    expect(decoder.pendingBytes).toBe(2);
    expect(() => decoder.flush()).toThrow(expect.objectContaining({ code: 'ERR_AUDIO_DECODE', message: expect.stringContaining('2 bytes of a 4-byte sample') }));
    expect(decoder.pendingBytes).toBe(0);
    expect(() => decoder.flush()).not.toThrow();
  });

  it('bad arguments are ERR_INVALID_ARGUMENT', () => {
    expect(() => new PcmChunkDecoder({ encoding: 'u8' as PcmEncoding })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => new PcmChunkDecoder({ encoding: 'toString' as PcmEncoding })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => new PcmChunkDecoder(undefined as unknown as { encoding: PcmEncoding })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => new PcmChunkDecoder({ encoding: 's16le' }).push([1, 2] as unknown as Uint8Array)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});

describe('createPcmChunkTransform', () => {
  it('a piped byte stream gives Float32Array chunks that join to the whole stream\'s samples', async () => {
    const { bytes, samples } = knownStream('s16le');
    const chunks = [bytes.subarray(0, 3), bytes.subarray(3, 4), bytes.subarray(4, 41), bytes.subarray(41)].map((c) => Buffer.from(c));
    const out: Float32Array[] = [];
    await pipeline(Readable.from(chunks), createPcmChunkTransform({ encoding: 's16le' }), async (source: AsyncIterable<Float32Array>) => {
      for await (const chunk of source) out.push(chunk);
    });
    expect(out.every((c) => c instanceof Float32Array && c.length > 0)).toBe(true);
    expect(out.flatMap((c) => Array.from(c))).toEqual(samples);
  });

  it('a byte stream that ends inside a sample fails the pipeline', async () => {
    const run = pipeline(Readable.from([Buffer.from([1, 2, 3])]), createPcmChunkTransform({ encoding: 's16le' }), async (source: AsyncIterable<Float32Array>) => {
      for await (const _ of source) { /* drain */ }
    });
    await expect(run).rejects.toMatchObject({ code: 'ERR_AUDIO_DECODE' });
  });
});
