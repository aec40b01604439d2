/**
 * MPEG audio (MP3, and layers I and II) through mpg123-decoder, gapless: the encoder delay and
 * padding that a LAME/Xing header records are trimmed, as ffmpeg does.
 * @module
 */
import { firstMpegFrame, mpegLayerAt } from '../mpeg-frames.js';
import { decodeError, type RawAudio, throwIfShort, throwOnDecoderErrors } from '../raw-audio.js';

/** Samples per frame by MPEG version (1, or 2 and 2.5) and layer. */
function samplesPerFrame(mpeg1: boolean, layer: number): number {
  if (layer === 1) return 384;
  if (layer === 2) return 1152;
  return mpeg1 ? 1152 : 576;
}

interface FirstFrame {
  readonly mono: boolean;
  readonly samplesPerFrame: number;
  /** Frames in the stream that a Xing or Info header counts, if there is one. */
  readonly xingFrames?: number;
}

/**
 * Reads the first frame header at `at`: the channel mode (mpg123-decoder always hands back two
 * planes, even for a mono file) and the frame count of a Xing/Info header in that frame.
 */
function readFirstFrame(b: Uint8Array, at: number): FirstFrame | undefined {
  const layer = at < 0 ? 0 : mpegLayerAt(b, at);
  if (layer === 0) return undefined;
  const mpeg1 = ((b[at + 1]! >> 3) & 3) === 3;
  const mono = b[at + 3]! >> 6 === 3;
  const frame: FirstFrame = { mono, samplesPerFrame: samplesPerFrame(mpeg1, layer) };
  // the Xing/Info tag follows the side information, whose size depends on version and channels
  const tagAt = at + 4 + (mpeg1 ? (mono ? 17 : 32) : (mono ? 9 : 17));
  const tag = String.fromCharCode(...b.subarray(tagAt, tagAt + 4));
  if ((tag === 'Xing' || tag === 'Info') && b.length >= tagAt + 12 && (b[tagAt + 7]! & 1) !== 0) {
    const frames = ((b[tagAt + 8]! << 24) >>> 0) + (b[tagAt + 9]! << 16) + (b[tagAt + 10]! << 8) + b[tagAt + 11]!;
    return { ...frame, xingFrames: frames };
  }
  return frame;
}

/**
 * Decodes an MPEG audio file.
 * @param name - the format's name for messages ("MP3", "MPEG audio layer II")
 * @throws {@link AmanuensisError} `ERR_AUDIO_DECODE` for corrupt data, or a file shorter than
 * its Xing/Info header declares
 * @internal
 */
export async function decodeMpeg(bytes: Uint8Array, name: string): Promise<RawAudio> {
  const first = readFirstFrame(bytes, firstMpegFrame(bytes));
  if (first === undefined) throw decodeError(name, 'no MPEG frame after the ID3 tag');
  const { MPEGDecoder } = await import('mpg123-decoder');
  const decoder = new MPEGDecoder({ enableGapless: true });
  await decoder.ready;
  try {
    const out = decoder.decode(bytes);
    throwOnDecoderErrors(name, out.errors);
    if (out.samplesDecoded === 0) throw decodeError(name, 'the file holds no complete frame');
    if (first.xingFrames !== undefined) {
      // the header counts frames before gapless trimming, which removes the encoder and decoder
      // delay (under 1152 + 529 samples) and the last frame's padding (under one frame)
      throwIfShort(name, out.samplesDecoded, first.xingFrames * first.samplesPerFrame, 2 * 1152 + first.samplesPerFrame);
    }
    const planes = first.mono ? out.channelData.slice(0, 1) : out.channelData;
    return { channels: planes, sampleRate: out.sampleRate };
  } finally {
    decoder.free();
  }
}
