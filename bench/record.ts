/** Writes a benchmark's figures to bench/results/<name>.json with the date and machine. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';

export function writeRecord(name: string, data: unknown): void {
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const record = { benchmark: name, date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, cores: cpus().length, ...(data as object) };
  writeFileSync(new URL(`${name}.json`, dir), JSON.stringify(record, null, 2) + '\n');
}
