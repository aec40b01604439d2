/**
 * The run-time names of the two entry points, listed: a name that appears or disappears by
 * accident (a moved module, a stray `export *`) fails here. Types are checked by
 * public-types.test-d.ts.
 */
import { describe, expect, it } from 'vitest';

const ROOT = [
  'AdmissionQueue', 'AmanuensisError', 'ApplyTimestampRules', 'BufferPool', 'CHUNK_LENGTH', 'CpuDecoder', 'CpuEncoder',
  'DEFAULT_TRANSCRIBE_OPTIONS', 'EncoderCache', 'FRAMES_PER_SECOND', 'HOP_LENGTH', 'LANGUAGES', 'N_FFT', 'N_FRAMES',
  'N_FREQ', 'N_SAMPLES', 'N_SAMPLES_PER_TOKEN', 'NativeMelFrontend', 'PcmChunkDecoder', 'PerformanceProfiler', 'RingBuffer', 'SAMPLE_RATE',
  'SESSION_VAD_DEFAULTS', 'SuppressBlank', 'SuppressTokens', 'TIME_PRECISION', 'TRANSCRIBE_VAD_DEFAULTS', 'Tokenizer', 'Transcriber', 'TranscriptionSession',
  'VAD_FRAME_SAMPLES', 'Vad', 'VadProbabilityStream', 'VadStream', 'WhisperMelFrontend', 'Xdna2Encoder', 'createPcmChunkTransform', 'decodeAudio', 'decodeAudioFile', 'downloadModel', 'listBackends',
  'listModels', 'melWindow', 'modelPath', 'speechSegmentsFromProbabilities', 'toSrt', 'toText', 'toTsv', 'toVtt',
];

const ADVANCED = [
  'ALIGNMENT_HEAD_PRESETS', 'AmanuensisError', 'DecoderStepBatcher', 'GGML_MAGIC', 'GGML_TYPES', 'SpeechEventTracker', 'createTranscriberPool',
  'defaultAlignmentHeads', 'encoderCacheKey', 'findAlignment', 'indexModelFile', 'loadNativeAddon', 'modelIdentity', 'parseGgmlHeader', 'parseGgmlModel', 'readModelFile',
  'resolveAlignmentHeads', 'transcriberBufferKinds',
];

describe('entry points', () => {
  it('amanuensis exports exactly the application-level names', async () => {
    expect(Object.keys(await import('../../src/index.js')).sort()).toEqual(ROOT);
  });

  it('amanuensis/advanced exports exactly the low-level names', async () => {
    expect(Object.keys(await import('../../src/advanced.js')).sort()).toEqual(ADVANCED);
  });

  it('what both export is one object, not a copy', async () => {
    const root = await import('../../src/index.js');
    const advanced = await import('../../src/advanced.js');
    expect(advanced.AmanuensisError).toBe(root.AmanuensisError);
  });
});
