/**
 * `amanuensis models list | download <name> | path <name>`: the model cache from the command
 * line. The directory and the mirror come from `--models-dir` / `--base-url`, else from
 * `AMANUENSIS_MODELS_DIR` / `AMANUENSIS_MODELS_BASE_URL`, as for the library.
 * @module
 */
import { Command } from 'commander';

import { type ModelInfo, downloadModel, listModels, modelPath } from '../models/model-cache.js';
import type { ModelCacheOptions } from '../models/options.js';
import { downloadBar } from './download-progress.js';

interface CacheFlags {
  modelsDir?: string;
  baseUrl?: string;
}

function cacheOptions(flags: CacheFlags): ModelCacheOptions {
  return {
    ...(flags.modelsDir !== undefined && { modelsDir: flags.modelsDir }),
    ...(flags.baseUrl !== undefined && { modelsBaseUrl: flags.baseUrl }),
  };
}

const MIB = 1024 * 1024;

/** The size column: exact when the file is cached (or its size published), else the published approximation. */
function sizeOf(model: ModelInfo): string {
  const mib = model.bytes !== undefined ? model.bytes / MIB : model.approxMiB;
  if (mib === undefined) return '?';
  const approx = model.bytes === undefined ? '~' : '';
  return mib >= 1024 ? `${approx}${(mib / 1024).toFixed(1)} GiB` : `${approx}${mib.toFixed(mib < 10 ? 1 : 0)} MiB`;
}

function table(models: readonly ModelInfo[]): string {
  const rows = [
    ['NAME', 'SIZE', 'CACHED', 'VERIFIED BY', 'LOADS'],
    ...models.map((m) => [m.name, sizeOf(m), m.cached ? 'yes' : '', m.verifiedBy, m.loadable ? 'yes' : `no (${m.quantization ?? 'quantized'})`]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n') + '\n';
}

/** The `models` command and its subcommands. */
export function modelsCommand(): Command {
  const models = new Command('models')
    .description('whisper.cpp models by name: list them, download one into the cache, print its path')
    .option('--models-dir <dir>', 'the model cache (default: $AMANUENSIS_MODELS_DIR, else the platform cache directory)')
    .option('--base-url <url>', 'a mirror holding the ggml-*.bin files (default: $AMANUENSIS_MODELS_BASE_URL, else where whisper.cpp publishes them)');

  models.command('list')
    .description('the known names, their size, whether each is cached, and whether transcribe can load it yet (quantized files cannot)')
    .option('--json', 'one JSON array instead of a table')
    .action(async (flags: { json?: boolean }, cmd: Command) => {
      const options = cacheOptions(cmd.optsWithGlobals<CacheFlags>());
      const list = await listModels(options);
      process.stdout.write(flags.json === true ? JSON.stringify(list, null, 2) + '\n' : table(list));
    });

  models.command('download')
    .description('download a model into the cache (resuming a partial download), then print its path')
    .argument('<name>', 'model name, e.g. base.en or large-v3-turbo-q5_0')
    .option('--no-progress', 'no progress bar')
    .action(async (name: string, flags: { progress: boolean }, cmd: Command) => {
      const bar = downloadBar(flags.progress);
      const abort = new AbortController();
      const onSigint = (): void => abort.abort();
      process.once('SIGINT', onSigint);
      try {
        const path = await downloadModel(name, {
          ...cacheOptions(cmd.optsWithGlobals<CacheFlags>()),
          signal: abort.signal,
          onWaitingForDownload: bar.onWaitingForDownload,
          ...(bar.onDownloadProgress !== undefined && { onDownloadProgress: bar.onDownloadProgress }),
        });
        bar.stop();
        process.stdout.write(`${path}\n`);
      } finally {
        bar.stop();
        process.off('SIGINT', onSigint);
      }
    });

  models.command('path')
    .description('print where a model is (or would be) cached, without downloading it')
    .argument('<name>', 'model name')
    .action((name: string, _flags: unknown, cmd: Command) => {
      process.stdout.write(`${modelPath(name, cacheOptions(cmd.optsWithGlobals<CacheFlags>()))}\n`);
    });

  return models;
}
