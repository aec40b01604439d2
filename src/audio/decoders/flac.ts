/**
 * FLAC through @wasm-audio-decoders/flac.
 * @module
 */
import { decodeError, type RawAudio, throwIfShort, throwOnDecoderErrors } from '../raw-audio.js';

const STREAMINFO_AT = 8; // after "fLaC" and the first metadata block's 4-byte header

/**
 * The total samples per channel that STREAMINFO declares (a 36-bit field, 0 when the encoder
 * did not know it), or undefined when the header is cut off.
 */
function declaredFrames(flac: Uint8Array): number | undefined {
  if (flac.length < STREAMINFO_AT + 18 || (flac[4]! & 0x7f) !== 0) return undefined;
  const at = STREAMINFO_AT + 13;
  return (flac[at]! & 0x0f) * 2 ** 32 + ((flac[at + 1]! << 24) >>> 0) + (flac[at + 2]! << 16) + (flac[at + 3]! << 8) + flac[at + 4]!;
}

/**
 * Decodes a FLAC file.
 * @param flac - the file from its "fLaC" signature on
 * @throws {@link AmanuensisError} `ERR_AUDIO_DECODE` for corrupt or truncated data
 * @internal
 */
export async function decodeFlac(flac: Uint8Array): Promise<RawAudio> {
  const declared = declaredFrames(flac);
  if (declared === undefined) throw decodeError('FLAC', 'the file is truncated (it ends inside its STREAMINFO header)');
  const { FLACDecoder } = await import('@wasm-audio-decoders/flac');
  const decoder = new FLACDecoder();
  await decoder.ready;
  try {
    const out = await decoder.decodeFile(flac);
    throwOnDecoderErrors('FLAC', out.errors);
    // a frame's worth of slack is not needed: FLAC is lossless and sample-exact
    if (declared > 0) throwIfShort('FLAC', out.samplesDecoded, declared, 0);
    return { channels: out.channelData, sampleRate: out.sampleRate };
  } finally {
    decoder.free();
  }
}
