/**
 * `amanuensis detect-language <audio> --model <file.bin|name>`: the spoken language of a recording's
 * first 30 s, as openai/whisper's `detect_language` (multilingual models only).
 * @module
 */
import type { Command } from 'commander';
import { Option } from 'commander';

import { decodeAudioFile } from '../audio/audio-file.js';
import { loadCommandModel } from './load-command-model.js';
import { loadInputs } from './load-inputs.js';

interface DetectLanguageFlags {
  model: string;
  threads?: number;
  encoder: 'auto' | 'cpu' | 'xdna2';
  progress: boolean;
  top: number;
  format: 'text' | 'json';
}

async function detectLanguage(audioPath: string, flags: DetectLanguageFlags): Promise<void> {
  const [audio, transcriber] = await loadInputs(
    () => decodeAudioFile(audioPath),
    (signal) => loadCommandModel(flags.model, {
      ...(flags.threads !== undefined && { threads: flags.threads }),
      encoder: flags.encoder,
      progress: flags.progress,
    }, signal),
  );
  try {
    const { language, probabilities } = await transcriber.detectLanguage(audio.samples);
    const ranked = Object.entries(probabilities).sort((a, b) => b[1] - a[1]).slice(0, flags.top);
    if (flags.format === 'json') {
      process.stdout.write(JSON.stringify({ language, probabilities: Object.fromEntries(ranked) }, null, 2) + '\n');
    } else {
      process.stdout.write(ranked.map(([code, p]) => `${code}\t${p.toFixed(4)}`).join('\n') + '\n');
    }
  } finally {
    transcriber.close();
  }
}

/**
 * Adds the `detect-language` command to the program.
 * @param positiveInteger - the program's parser of positive integer options
 */
export function addDetectLanguageCommand(program: Command, positiveInteger: (name: string) => (v: string) => number): void {
  program.command('detect-language')
    .description('print the most probable spoken languages of the first 30 s (multilingual models)')
    .argument('<audio>', 'audio file')
    .requiredOption('-m, --model <file.bin|name>', 'multilingual whisper.cpp GGML model file, or a model name (e.g. base: downloaded into the cache if missing)')
    .option('--no-progress', 'no download progress bar')
    .option('-t, --threads <n>', 'threads (default: available cores)', positiveInteger('threads'))
    .option('--top <n>', 'languages to print, most probable first', positiveInteger('top'), 5)
    .addOption(new Option('-f, --format <format>', 'output: one "code<TAB>probability" line per language, or JSON').choices(['text', 'json']).default('text'))
    .addOption(new Option('--encoder <backend>', 'encoder backend').choices(['auto', 'cpu', 'xdna2']).default('auto'))
    .action(detectLanguage);
}
