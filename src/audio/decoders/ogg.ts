/**
 * Ogg Vorbis through @wasm-audio-decoders/ogg-vorbis and Ogg Opus through ogg-opus-decoder
 * (which removes the Opus pre-skip and trims the last page to its granule position).
 * @module
 */
import { AmanuensisError } from '../../errors.js';
import { oggDefect } from '../ogg-pages.js';
import { decodeError, type RawAudio, throwOnDecoderErrors } from '../raw-audio.js';

/** What both Ogg decoders share: ready, decodeFile, free. */
interface OggDecoder {
  readonly ready: Promise<void>;
  decodeFile(data: Uint8Array): Promise<{ channelData: Float32Array[]; samplesDecoded: number; sampleRate: number; errors: { message: string }[] }>;
  free(): void;
}

async function decodeWith(decoder: OggDecoder, bytes: Uint8Array, name: string): Promise<RawAudio> {
  await decoder.ready;
  try {
    const out = await decoder.decodeFile(bytes);
    throwOnDecoderErrors(name, out.errors);
    if (out.samplesDecoded === 0 || out.channelData.length === 0) throw decodeError(name, 'the stream holds no audio');
    return { channels: out.channelData, sampleRate: out.sampleRate };
  } catch (err) {
    // the parser throws plain errors for malformed pages
    throw err instanceof AmanuensisError ? err : decodeError(name, (err as Error).message, err);
  } finally {
    decoder.free();
  }
}

/**
 * Decodes an Ogg Vorbis or Ogg Opus file.
 * @param codec - the codec its first packet names
 * @throws {@link AmanuensisError} `ERR_AUDIO_DECODE` for a truncated file (no end-of-stream
 * page) or corrupt data
 * @internal
 */
export async function decodeOgg(bytes: Uint8Array, codec: 'vorbis' | 'opus'): Promise<RawAudio> {
  const name = codec === 'opus' ? 'Ogg Opus' : 'Ogg Vorbis';
  const defect = oggDefect(bytes);
  if (defect !== undefined) throw decodeError(name, defect);
  if (codec === 'opus') {
    const { OggOpusDecoder } = await import('ogg-opus-decoder');
    return decodeWith(new OggOpusDecoder(), bytes, name);
  }
  const { OggVorbisDecoder } = await import('@wasm-audio-decoders/ogg-vorbis');
  return decodeWith(new OggVorbisDecoder(), bytes, name);
}
