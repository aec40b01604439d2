/**
 * Each error code has one home: the AmanuensisErrorCode union in src/errors.ts for the
 * library, and native/core/error.h for the codes the native layer raises (the addon builds
 * AmanuensisError instances with them, so a code missing from the union would reach users
 * untyped).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (rel: string): string => readFileSync(join(root, rel), 'utf8');

function sourcesUnder(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(cc|h)$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

describe('error codes', () => {
  const union = new Set([...read('src/errors.ts').matchAll(/\|\s*'(ERR_[A-Z0-9_]+)'/g)].map((m) => m[1]!));
  const native = [...read('native/core/error.h').matchAll(/"(ERR_[A-Z0-9_]+)"/g)].map((m) => m[1]!);

  it('every code the native layer raises is an AmanuensisErrorCode', () => {
    expect(native.length).toBeGreaterThan(10);
    expect(union.size).toBeGreaterThan(native.length);
    expect(native.filter((c) => !union.has(c))).toEqual([]);
  });

  it('native code spells codes only in core/error.h', () => {
    const elsewhere = sourcesUnder('native')
      .filter((file) => !file.endsWith(join('core', 'error.h')))
      .filter((file) => /"ERR_[A-Z0-9_]+"/.test(readFileSync(file, 'utf8')));
    expect(elsewhere).toEqual([]);
  });
});
