/**
 * Raw PCM bytes as they arrive from a socket, a microphone process or an HTTP body, turned into
 * the Float32Array chunks a streaming session takes. Network chunks split samples anywhere, so
 * the bytes of a sample cut in two are kept until the rest arrives.
 * @module
 */
import { Transform, type TransformCallback } from 'node:stream';

import { AmanuensisError } from '../errors.js';

/**
 * Encoding of raw mono PCM: `s16le` is signed 16-bit little-endian (divided by 32768, as
 * whisper.cpp and openai/whisper read int16), `f32le` is 32-bit float little-endian (taken as is).
 */
export type PcmEncoding = 's16le' | 'f32le';

/** Options of {@link PcmChunkDecoder} and {@link createPcmChunkTransform}. */
export interface PcmChunkDecoderOptions {
  /** How the bytes encode each sample. */
  readonly encoding: PcmEncoding;
}

const BYTES_PER_SAMPLE: Record<PcmEncoding, number> = { s16le: 2, f32le: 4 };

/**
 * Decodes a stream of raw mono PCM bytes, split anywhere, into samples: whatever the chunk
 * boundaries, the samples are those of decoding the whole stream at once. It does not resample:
 * feed it 16 kHz audio for a Transcriber.
 *
 * @example
 * ```ts
 * const pcm = new PcmChunkDecoder({ encoding: 's16le' });
 * socket.on('data', (bytes) => session.push(pcm.push(bytes)));
 * socket.on('end', () => { pcm.flush(); void session.close(); });
 * ```
 */
export class PcmChunkDecoder {
  /** Bytes per sample of the encoding (2 or 4). */
  readonly bytesPerSample: number;
  readonly #encoding: PcmEncoding;
  /** The first bytes of a sample whose remaining bytes are still to come. */
  #carry = new Uint8Array(0);

  /**
   * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for an unknown encoding
   */
  constructor(options: PcmChunkDecoderOptions) {
    const encoding = options?.encoding;
    const bytes = typeof encoding === 'string' && Object.hasOwn(BYTES_PER_SAMPLE, encoding) ? BYTES_PER_SAMPLE[encoding] : undefined;
    if (bytes === undefined) {
      throw new AmanuensisError('ERR_INVALID_ARGUMENT', `encoding must be 's16le' or 'f32le', not ${JSON.stringify(options?.encoding)}`);
    }
    this.#encoding = options.encoding;
    this.bytesPerSample = bytes;
  }

  /** Bytes held back because they are the start of a sample not yet complete (0 to 3). */
  get pendingBytes(): number {
    return this.#carry.length;
  }

  /**
   * Decodes the complete samples that the bytes so far make up.
   * @param bytes - the next chunk, any length (a Buffer is a Uint8Array)
   * @returns the new samples, in [-1, 1) for `s16le`; empty when the chunk completes no sample
   * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` when `bytes` is not a Uint8Array
   */
  push(bytes: Uint8Array): Float32Array {
    if (!(bytes instanceof Uint8Array)) throw new AmanuensisError('ERR_INVALID_ARGUMENT', 'push() takes a Uint8Array (or Buffer) of PCM bytes');
    let data = bytes;
    if (this.#carry.length > 0) {
      data = new Uint8Array(this.#carry.length + bytes.length);
      data.set(this.#carry);
      data.set(bytes, this.#carry.length);
    }
    const count = Math.floor(data.length / this.bytesPerSample);
    const whole = count * this.bytesPerSample;
    // copied: the caller may reuse its buffer for the next chunk
    this.#carry = data.slice(whole);
    const view = new DataView(data.buffer, data.byteOffset, whole);
    const out = new Float32Array(count);
    if (this.#encoding === 's16le') for (let i = 0; i < count; i++) out[i] = view.getInt16(2 * i, true) / 32768;
    else for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
    return out;
  }

  /**
   * Ends the stream: the decoder is empty again, ready for a new stream.
   * @throws {@link AmanuensisError} `ERR_AUDIO_DECODE` when the stream ended inside a sample
   * (its byte count is not a multiple of the sample size: bytes were lost or the encoding is wrong)
   */
  flush(): void {
    const pending = this.#carry.length;
    this.#carry = new Uint8Array(0);
    if (pending > 0) {
      throw new AmanuensisError('ERR_AUDIO_DECODE',
        `the ${this.#encoding} stream ended inside a sample (${pending} byte${pending === 1 ? '' : 's'} of a ${this.bytesPerSample}-byte sample)`);
    }
  }
}

/**
 * A Node `Transform` that takes PCM bytes and gives Float32Array chunks (object mode on its
 * readable side), for `pipeline(source, createPcmChunkTransform({ encoding }), consumer)`.
 * A chunk that completes no sample gives nothing; a stream that ends inside a sample fails with
 * the error of {@link PcmChunkDecoder.flush}.
 * @throws {@link AmanuensisError} `ERR_INVALID_ARGUMENT` for an unknown encoding
 */
export function createPcmChunkTransform(options: PcmChunkDecoderOptions): Transform {
  const decoder = new PcmChunkDecoder(options);
  return new Transform({
    readableObjectMode: true,
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
      try {
        const samples = decoder.push(chunk);
        callback(null, samples.length > 0 ? samples : undefined);
      } catch (err) {
        callback(err as Error);
      }
    },
    flush(callback: TransformCallback): void {
      try {
        decoder.flush();
        callback();
      } catch (err) {
        callback(err as Error);
      }
    },
  });
}
