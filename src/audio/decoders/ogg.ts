/**
 * Ogg: Vorbis through @wasm-audio-decoders/ogg-vorbis; Opus read by mediabunny and decoded as
 * every Opus track is (./opus.ts). A truncated file is refused first: both would decode it up to
 * the cut without a word.
 * @module
 */

import { AmanuensisError } from '../../errors.js';
import { oggDefect } from '../ogg-pages.js';
import { decodeError, type RawAudio, throwOnDecoderErrors } from '../raw-audio.js';
import { decodeOpusTrack } from './opus.js';

async function decodeVorbis(bytes: Uint8Array): Promise<RawAudio> {
  const { OggVorbisDecoder } = await import('@wasm-audio-decoders/ogg-vorbis');
  const decoder = new OggVorbisDecoder();
  await decoder.ready;
  try {
    const out = await decoder.decodeFile(bytes);
    throwOnDecoderErrors('Ogg Vorbis', out.errors);
    if (out.samplesDecoded === 0 || out.channelData.length === 0) throw decodeError('Ogg Vorbis', 'the stream holds no audio');
    return { channels: out.channelData, sampleRate: out.sampleRate };
  } finally {
    decoder.free();
  }
}

async function decodeOpus(bytes: Uint8Array): Promise<RawAudio> {
  const { BufferSource, Input, OGG } = await import('mediabunny');
  const input = new Input({ source: new BufferSource(bytes), formats: [OGG] });
  try {
    const track = await input.getPrimaryAudioTrack();
    if (track === null || track.codec !== 'opus') throw decodeError('Ogg Opus', 'no Opus stream found');
    return await decodeOpusTrack(input, track, 'Ogg Opus');
  } finally {
    input.dispose();
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
  try {
    return await (codec === 'opus' ? decodeOpus(bytes) : decodeVorbis(bytes));
  } catch (err) {
    // the libraries throw plain errors for malformed pages
    throw err instanceof AmanuensisError ? err : decodeError(name, (err as Error).message, err);
  }
}
