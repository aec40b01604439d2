/**
 * The body of a stress worker: loads the addon, the model and the VAD, then runs every kind of
 * native call (VAD probabilities, a transcription with word timestamps, align) in a loop until
 * it is terminated. Posts 'started' first, so that the parent can terminate it at any moment
 * from the addon's loading on.
 */
import { parentPort } from 'node:worker_threads';

import { Transcriber, Vad } from '../../src/index.js';
import { decodeAudioFile } from '../../src/audio/audio-file.js';
import { JFK_WAV, SILERO_VAD_MODEL, SYNTHETIC_MODEL } from '../helpers/shared.js';

parentPort!.postMessage('started');
const { samples } = await decodeAudioFile(JFK_WAV);
for (;;) {
  const vad = await Vad.load(SILERO_VAD_MODEL, { threads: 1 });
  const transcriber = await Transcriber.load(SYNTHETIC_MODEL, { threads: 2, encoder: 'cpu' });
  try {
    await vad.probabilities(samples);
    await transcriber.transcribe(samples, { temperature: 0, sampleLen: 8, wordTimestamps: true });
    await transcriber.align(samples.subarray(0, 16000 * 5), 'And so my fellow Americans');
  } finally {
    transcriber.close();
    vad.close();
  }
}
