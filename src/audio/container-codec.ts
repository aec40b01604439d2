/**
 * Names the audio codec inside an MP4, MOV or Matroska file (read by mediabunny), so that a
 * message about a file sent to ffmpeg says e.g. "MP4/M4A (AAC)" rather than just "MP4".
 * @module
 */
import type { InputAudioTrack } from 'mediabunny';

import { decodeError } from './raw-audio.js';

const CODEC_NAMES: Record<string, string> = {
  aac: 'AAC', opus: 'Opus', mp3: 'MP3', vorbis: 'Vorbis', flac: 'FLAC', ac3: 'AC-3', eac3: 'E-AC-3', dts: 'DTS',
  ulaw: 'µ-law', alaw: 'A-law',
};

/**
 * A codec's name for messages: mediabunny's codec identifier made readable.
 * @internal
 */
export function codecName(codec: string | null): string {
  if (codec === null) return 'unknown codec';
  return CODEC_NAMES[codec] ?? (codec.startsWith('pcm-') ? 'PCM' : codec);
}

/**
 * The format's name with its first audio track's codec appended, e.g. "MP4/M4A (AAC)"; the
 * name alone when the container cannot be read (the decoder will then say what is wrong).
 * @throws {@link AmanuensisError} `ERR_AUDIO_DECODE` when the file has no audio track (a
 * silent video): nothing for ffmpeg to do
 * @internal
 */
export async function nameWithCodec(bytes: Uint8Array, name: string): Promise<string> {
  // loaded on first use, as every decoder library: an application that passes samples never pays for it
  const { BufferSource, Input, MATROSKA, MP4, QTFF, WEBM } = await import('mediabunny');
  const input = new Input({ source: new BufferSource(bytes), formats: [MP4, QTFF, WEBM, MATROSKA] });
  let track: InputAudioTrack | null;
  try {
    track = await input.getPrimaryAudioTrack();
  } catch {
    return name;
  } finally {
    input.dispose();
  }
  if (track === null) throw decodeError(name, 'the file has no audio track');
  return `${name} (${codecName(track.codec)})`;
}
