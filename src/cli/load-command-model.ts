/**
 * How a command loads its model: `Transcriber.load` with the command's thread and encoder
 * choices, the NPU fallback warning as one plain line on stderr, and a download progress bar
 * when the model is a name not yet cached. Shared by `transcribe` and `detect-language`.
 * @module
 */
import type { Xdna2Options } from '../encoder/xdna2-options.js';
import { Transcriber } from '../transcriber.js';
import { downloadBar } from './download-progress.js';

/** The command-line choices that shape a load. */
export interface CommandModelOptions {
  readonly threads?: number;
  readonly encoder: 'auto' | 'cpu' | 'xdna2';
  readonly xdna2?: Xdna2Options;
  /** Draw the download bar (on a terminal only). */
  readonly progress: boolean;
}

/**
 * Loads `model` (a file or a name) for a command.
 * @throws {@link AmanuensisError} what {@link Transcriber.load} throws
 */
export function loadCommandModel(model: string, options: CommandModelOptions, signal: AbortSignal): Promise<Transcriber> {
  const download = downloadBar(options.progress);
  return Transcriber.load(model, {
    ...(options.threads !== undefined && { threads: options.threads }),
    encoder: options.encoder,
    ...(options.xdna2 !== undefined && { xdna2: options.xdna2 }),
    // one line on stderr, without Node's warning decoration
    onWarning: (w) => process.stderr.write(`${w.message}\n`),
    ...(download.onDownloadProgress !== undefined && { onDownloadProgress: download.onDownloadProgress }),
    onWaitingForDownload: download.onWaitingForDownload,
    signal,
  }).finally(() => download.stop());
}
