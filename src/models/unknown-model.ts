/**
 * The error for a name that is neither a file nor a known model: it lists the known names
 * closest in spelling, so that a typo (`base-en`, `large-v3turbo`) shows its fix.
 * @module
 */
import { distance } from 'fastest-levenshtein';

import { AmanuensisError } from '../errors.js';

/** At most this many suggestions. */
const SUGGESTIONS = 5;

/** `ERR_INVALID_ARGUMENT` naming the known names closest to `name`. */
export function unknownModelError(name: string, known: Iterable<string>): AmanuensisError {
  const close = closeNames(name, [...known]);
  const hint = close.length > 0 ? ` Close names: ${close.join(', ')}.` : '';
  return new AmanuensisError('ERR_INVALID_ARGUMENT',
    `'${name}' is neither a model file nor a known model name.${hint} \`amanuensis models list\` shows every name; a path loads a whisper.cpp model file.`);
}

/** Known names within a third of the name's length in edit distance (at least 2), or containing it, nearest first. */
export function closeNames(name: string, known: readonly string[]): string[] {
  const lower = name.toLowerCase();
  const limit = Math.max(2, Math.floor(lower.length / 3));
  return known
    .map((k) => ({ k, d: distance(lower, k.toLowerCase()) }))
    .filter(({ k, d }) => d <= limit || k.toLowerCase().includes(lower))
    .sort((a, b) => a.d - b.d || a.k.localeCompare(b.k))
    .slice(0, SUGGESTIONS)
    .map(({ k }) => k);
}
