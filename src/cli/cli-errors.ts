/**
 * How the command line reports a failure: one line on stderr, `amanuensis: <CODE>: <message>`,
 * and exit code 1. Commander's own errors (a bad option value, a missing argument, an unknown
 * command) become `ERR_INVALID_ARGUMENT` lines instead of commander's message and a help dump;
 * `--help` and `--version` still print and exit 0.
 * @module
 */
import { type Command, CommanderError } from 'commander';

import { AmanuensisError } from '../errors.js';

/** Makes `cmd` and its subcommands throw their errors to the caller instead of printing and exiting. */
export function throwCommanderErrors(cmd: Command): Command {
  cmd.exitOverride().configureOutput({ outputError: () => undefined });
  for (const sub of cmd.commands) throwCommanderErrors(sub);
  return cmd;
}

/**
 * The line and exit code for what a command threw: an AmanuensisError's code and message, a
 * commander error as `ERR_INVALID_ARGUMENT` (or nothing at all for `--help` and `--version`), and
 * anything else by its message (its stack only with `AMANUENSIS_DEBUG` set).
 */
export function describeFailure(err: unknown): { line?: string; exitCode: number } {
  if (err instanceof CommanderError) {
    // --help and --version end through here too, after printing what they print; so does the help
    // printed for a missing command
    if (err.exitCode === 0 || err.code === 'commander.help') return { exitCode: err.exitCode };
    const message = err.message.replace(/^error: /, '').replace(/\s*\n\s*/g, ' ');
    return { line: `amanuensis: ERR_INVALID_ARGUMENT: ${message} (see amanuensis --help)`, exitCode: 1 };
  }
  if (err instanceof AmanuensisError) return { line: `amanuensis: ${err.code}: ${err.message}`, exitCode: 1 };
  const e = err as Error | undefined;
  const detail = process.env['AMANUENSIS_DEBUG'] !== undefined ? String(e?.stack ?? err) : String(e?.message ?? err);
  return { line: `amanuensis: ${detail}`, exitCode: 1 };
}
