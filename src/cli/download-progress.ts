/**
 * The command line's view of a model download: a progress bar on a terminal's stderr, nothing
 * when stderr is not a terminal (a log or a pipe would fill with redraws) or with `--no-progress`.
 * @module
 */
import cliProgress from 'cli-progress';

import type { ModelDownloadProgress } from '../models/options.js';

const MIB = 1024 * 1024;

/**
 * A download progress bar: `onDownloadProgress` for the load options, and `stop` once it is over;
 * `onWaitingForDownload` says on stderr (always: it explains a pause) that another download of
 * the same model is under way and this command waits for it.
 */
export interface DownloadBar {
  readonly onDownloadProgress?: (progress: ModelDownloadProgress) => void;
  readonly onWaitingForDownload: (model: string) => void;
  stop(): void;
}

const waitingLine = (model: string): void => {
  process.stderr.write(`waiting for another download of ${model} to finish (another command or process is fetching it)\n`);
};

/** A bar when `show` and stderr is a terminal, else one that draws nothing. */
export function downloadBar(show: boolean): DownloadBar {
  if (!show || process.stderr.isTTY !== true) return { onWaitingForDownload: waitingLine, stop: () => undefined };
  const bar = new cliProgress.SingleBar({
    stream: process.stderr,
    format: 'downloading {model} [{bar}] {percentage}% | {doneMiB}/{totalMiB} MiB',
    hideCursor: true,
  }, cliProgress.Presets.shades_classic);
  let started = false;
  return {
    onWaitingForDownload: waitingLine,
    onDownloadProgress: (p) => {
      const payload = { model: p.model, doneMiB: (p.bytesDone / MIB).toFixed(1), totalMiB: p.bytesTotal === undefined ? '?' : (p.bytesTotal / MIB).toFixed(1) };
      if (!started) {
        bar.start(p.bytesTotal ?? 0, p.bytesDone, payload);
        started = true;
      } else {
        bar.update(p.bytesDone, payload);
      }
    },
    stop: () => {
      if (started) bar.stop();
      started = false;
    },
  };
}
