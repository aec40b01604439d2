/**
 * Recognises an audio file from its first bytes (signatures, the codec of an Ogg stream's first
 * packet), never from its name: uploads and recordings are often named wrongly.
 * @module
 */
import { firstMpegFrame, id3v2Length, mpegLayerAt } from './mpeg-frames.js';
import { firstOggPacket, isOggPage } from './ogg-pages.js';

/**
 * Which decoder family handles a file: the bundled WebAssembly decoders, or ffmpeg for the
 * rest. `matroska` is WebM or Matroska, whose codec is known only once its tracks are read.
 * @internal
 */
export type DecoderFamily = 'wav' | 'flac' | 'mpeg' | 'ogg-vorbis' | 'ogg-opus' | 'matroska' | 'ffmpeg';

/** The outcome of {@link detectFormat}. @internal */
export interface DetectedFormat {
  readonly family: DecoderFamily;
  /** The format's name for messages, e.g. "MP3" or "MP4/M4A". */
  readonly name: string;
  /** Whether the name gains the codec once the container is read (MP4, MOV, 3GP). */
  readonly codecInContainer?: boolean;
  /** Where the audio data starts: after an ID3v2 tag, 0 otherwise. */
  readonly start: number;
}

const ascii = (b: Uint8Array, from: number, to: number): string => String.fromCharCode(...b.subarray(from, to));

/** ADTS (raw AAC): the 12-bit sync word with the layer bits zero. */
function isAdts(b: Uint8Array, at: number): boolean {
  return b.length >= at + 7 && b[at] === 0xff && (b[at + 1]! & 0xf6) === 0xf0;
}

function oggFormat(b: Uint8Array): DetectedFormat {
  const packet = firstOggPacket(b);
  const head = ascii(packet, 0, 8);
  if (head === 'OpusHead') return { family: 'ogg-opus', name: 'Ogg Opus', start: 0 };
  if (head.startsWith('\x01vorbis')) return { family: 'ogg-vorbis', name: 'Ogg Vorbis', start: 0 };
  if (head.startsWith('\x7fFLAC')) return { family: 'ffmpeg', name: 'Ogg FLAC', start: 0 };
  if (head === 'Speex   ') return { family: 'ffmpeg', name: 'Ogg Speex', start: 0 };
  if (head.startsWith('\x80theora')) return { family: 'ffmpeg', name: 'Ogg Theora video', start: 0 };
  return { family: 'ffmpeg', name: 'Ogg (unknown codec)', start: 0 };
}

/** ISO base media files (MP4, M4A, MOV, 3GP) named by their major brand. */
function isoBrandName(brand: string): string {
  if (brand.startsWith('M4')) return 'MP4/M4A';
  if (brand === 'qt  ') return 'QuickTime MOV';
  if (brand.startsWith('3g')) return '3GP';
  return 'MP4';
}

/** The name of a format that no signature matched. @internal */
export const UNRECOGNISED = 'unrecognised format';

const ASF_GUID = [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11];

/**
 * Names the format of an audio file from its bytes.
 * @param bytes - the whole file, or at least its first few kilobytes
 * @internal
 */
export function detectFormat(bytes: Uint8Array): DetectedFormat {
  const b = bytes;
  const riff = ascii(b, 0, 4);
  if ((riff === 'RIFF' || riff === 'RIFX') && ascii(b, 8, 12) === 'WAVE') return { family: 'wav', name: 'WAV', start: 0 };
  if (riff === 'RF64' && ascii(b, 8, 12) === 'WAVE') return { family: 'ffmpeg', name: 'RF64 WAV', start: 0 };
  if (riff === 'FORM' && ['AIFF', 'AIFC'].includes(ascii(b, 8, 12))) return { family: 'ffmpeg', name: 'AIFF', start: 0 };
  if (isOggPage(b)) return oggFormat(b);
  if (b.length >= 4 && b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) return { family: 'matroska', name: 'WebM/Matroska', start: 0 };
  if (ascii(b, 4, 8) === 'ftyp') return { family: 'ffmpeg', name: isoBrandName(ascii(b, 8, 12)), codecInContainer: true, start: 0 };
  if (ASF_GUID.every((v, i) => b[i] === v)) return { family: 'ffmpeg', name: 'ASF (WMA/WMV)', start: 0 };
  if (riff === 'caff') return { family: 'ffmpeg', name: 'Core Audio Format (CAF)', start: 0 };
  if (ascii(b, 0, 5) === '#!AMR') return { family: 'ffmpeg', name: 'AMR', start: 0 };
  // an ID3v2 tag may precede MP3, ADTS AAC and (rarely) FLAC data
  const start = id3v2Length(b, 0);
  if (ascii(b, start, start + 4) === 'fLaC') return { family: 'flac', name: 'FLAC', start };
  if (isAdts(b, start)) return { family: 'ffmpeg', name: 'AAC (ADTS)', start: 0 };
  const frame = firstMpegFrame(b);
  const layer = frame < 0 ? 0 : mpegLayerAt(b, frame);
  if (layer === 3) return { family: 'mpeg', name: 'MP3', start: 0 };
  if (layer > 0) return { family: 'mpeg', name: `MPEG audio layer ${layer === 1 ? 'I' : 'II'}`, start: 0 };
  if (b.length >= 2 && b[0] === 0x0b && b[1] === 0x77) return { family: 'ffmpeg', name: 'AC-3', start: 0 };
  return { family: 'ffmpeg', name: UNRECOGNISED, start: 0 };
}
