/**
 * WebM and Matroska: mediabunny reads the container (tracks, codec, packets) and Opus tracks
 * are decoded here; other codecs in these containers go to ffmpeg.
 * @module
 */

import { AmanuensisError } from '../../errors.js';
import { codecName } from '../container-codec.js';
import { decodeError, type RawAudio } from '../raw-audio.js';
import { decodeOpusTrack } from './opus.js';

/**
 * Decodes the first audio track of a WebM or Matroska file if it is Opus.
 * @returns the audio, or the format's name with its codec (e.g. "WebM (Vorbis)") for the
 * caller to hand to ffmpeg
 * @throws {@link AmanuensisError} `ERR_AUDIO_DECODE` for a file without audio, truncated or corrupt
 * @internal
 */
export async function decodeMatroska(bytes: Uint8Array): Promise<{ audio: RawAudio } | { unsupported: string }> {
  const { BufferSource, Input, MATROSKA, WEBM } = await import('mediabunny');
  const input = new Input({ source: new BufferSource(bytes), formats: [WEBM, MATROSKA] });
  try {
    const container = (await input.getFormat()).name;
    const track = await input.getPrimaryAudioTrack();
    if (track === null) throw decodeError(container, 'the file has no audio track');
    if (track.codec !== 'opus') return { unsupported: `${container} (${codecName(track.codec)})` };
    return { audio: await decodeOpusTrack(input, track, `${container} Opus`) };
  } catch (err) {
    throw err instanceof AmanuensisError ? err : decodeError('WebM/Matroska', (err as Error).message, err);
  } finally {
    input.dispose();
  }
}
