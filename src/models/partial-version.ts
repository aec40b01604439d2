/**
 * Which version of a file a partial download holds: the server's validator (a strong ETag, else
 * Last-Modified) kept beside the partial file as `<file>.partial.json`. A resumed request sends it
 * as If-Range, so a server whose file changed since answers with the whole new file (200) rather
 * than the rest of the new one, which appended to the old part would make a file that is neither.
 * @module
 */
import { readFile, rm, writeFile } from 'node:fs/promises';

const sidecar = (partial: string): string => `${partial}.json`;

/** The validator saved for `partial`, if any. */
export async function savedVersion(partial: string): Promise<string | undefined> {
  try {
    const saved = JSON.parse(await readFile(sidecar(partial), 'utf8')) as { ifRange?: unknown };
    return typeof saved.ifRange === 'string' && saved.ifRange.length > 0 ? saved.ifRange : undefined;
  } catch {
    // none yet, or unreadable: resume without it
    return undefined;
  }
}

/** Saves the validator of the response whose body is about to fill `partial` from its start. */
export async function saveVersion(partial: string, headers: Headers): Promise<void> {
  const etag = headers.get('etag');
  // If-Range takes strong validators only: a weak ETag does not promise identical bytes
  const ifRange = etag !== null && !etag.startsWith('W/') ? etag : headers.get('last-modified');
  if (ifRange === null) await rm(sidecar(partial), { force: true });
  else await writeFile(sidecar(partial), JSON.stringify({ ifRange }));
}

/** Removes the partial file and its validator. */
export async function discardPartial(partial: string): Promise<void> {
  await rm(partial, { force: true });
  await rm(sidecar(partial), { force: true });
}

/** Removes the validator once the partial file is complete. */
export async function forgetVersion(partial: string): Promise<void> {
  await rm(sidecar(partial), { force: true });
}
