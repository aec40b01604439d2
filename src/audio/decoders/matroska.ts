/**
 * WebM and Matroska: mediabunny reads the container (tracks, codec, packets) and opus-decoder
 * decodes Opus packets, straight to 16 kHz (libopus decodes at 8, 12, 16, 24 or 48 kHz, so no
 * resampling is needed). Other codecs in these containers go to ffmpeg.
 * @module
 */
import { BufferSource, EncodedPacketSink, Input, type InputAudioTrack, MATROSKA, WEBM } from 'mediabunny';

import { SAMPLE_RATE } from '../../constants.js';
import { AmanuensisError } from '../../errors.js';
import { codecName } from '../container-codec.js';
import { decodeError, type RawAudio, throwOnDecoderErrors } from '../raw-audio.js';

/** Opus counts its pre-skip in 48 kHz samples (RFC 7845), whatever rate it decodes to. */
const OPUS_CLOCK = 48000;
/** The longest Opus packet, in seconds: how far the last packet may end before the declared duration. */
const MAX_OPUS_PACKET_S = 0.12;

/** The fields of an OpusHead identification header (RFC 7845 §5.1) that the decoder needs. */
interface OpusHead {
  readonly channels: number;
  readonly preSkip: number;
  readonly streamCount: number;
  readonly coupledStreamCount: number;
  readonly channelMappingTable: number[];
}

function parseOpusHead(head: Uint8Array | undefined): OpusHead {
  if (head === undefined || head.length < 19 || String.fromCharCode(...head.subarray(0, 8)) !== 'OpusHead') {
    throw decodeError('WebM Opus', 'the track has no OpusHead header');
  }
  const channels = head[9]!;
  const preSkip = head[10]! | (head[11]! << 8);
  if (head[18] === 0) {
    // mapping family 0: one stream, mono or coupled stereo
    return { channels, preSkip, streamCount: 1, coupledStreamCount: channels - 1, channelMappingTable: channels === 1 ? [0] : [0, 1] };
  }
  if (head.length < 21 + channels) throw decodeError('WebM Opus', 'the OpusHead header is cut off');
  return { channels, preSkip, streamCount: head[19]!, coupledStreamCount: head[20]!, channelMappingTable: [...head.subarray(21, 21 + channels)] };
}

async function decodeOpusTrack(input: Input, track: InputAudioTrack): Promise<RawAudio> {
  const config = await track.getDecoderConfig();
  const description = config?.description;
  const head = parseOpusHead(description === undefined ? undefined
    : ArrayBuffer.isView(description) ? new Uint8Array(description.buffer, description.byteOffset, description.byteLength)
      : new Uint8Array(description));
  const packets: Uint8Array[] = [];
  let endS = 0;
  for await (const packet of new EncodedPacketSink(track).packets()) {
    packets.push(packet.data);
    endS = packet.timestamp + packet.duration;
  }
  if (packets.length === 0) throw decodeError('WebM Opus', 'the file is truncated or corrupt (its audio track has no readable packet)');
  const declaredS = await input.getDurationFromMetadata([track]);
  if (declaredS !== null && endS + MAX_OPUS_PACKET_S < declaredS) {
    throw decodeError('WebM Opus', `the file is truncated or corrupt (it declares ${declaredS.toFixed(3)} s, its packets end at ${endS.toFixed(3)} s)`);
  }
  const { OpusDecoder } = await import('opus-decoder');
  const decoder = new OpusDecoder({ ...head, sampleRate: SAMPLE_RATE, preSkip: Math.round((head.preSkip * SAMPLE_RATE) / OPUS_CLOCK) });
  await decoder.ready;
  try {
    const out = decoder.decodeFrames(packets);
    throwOnDecoderErrors('WebM Opus', out.errors);
    return { channels: out.channelData, sampleRate: out.sampleRate, originalSampleRate: OPUS_CLOCK };
  } finally {
    decoder.free();
  }
}

/**
 * Decodes the first audio track of a WebM or Matroska file if it is Opus.
 * @returns the audio, or the format's name with its codec (e.g. "WebM (Vorbis)") for the
 * caller to hand to ffmpeg
 * @throws {@link AmanuensisError} `ERR_AUDIO_DECODE` for a file without audio, truncated or corrupt
 * @internal
 */
export async function decodeMatroska(bytes: Uint8Array): Promise<{ audio: RawAudio } | { unsupported: string }> {
  const input = new Input({ source: new BufferSource(bytes), formats: [WEBM, MATROSKA] });
  try {
    const container = (await input.getFormat()).name;
    const track = await input.getPrimaryAudioTrack();
    if (track === null) throw decodeError(container, 'the file has no audio track');
    if (track.codec !== 'opus') return { unsupported: `${container} (${codecName(track.codec)})` };
    return { audio: await decodeOpusTrack(input, track) };
  } catch (err) {
    throw err instanceof AmanuensisError ? err : decodeError('WebM/Matroska', (err as Error).message, err);
  } finally {
    input.dispose();
  }
}
