/**
 * A throwaway redis-server on a free localhost port and a temporary directory, without
 * persistence: for trying the queue on one machine, the throughput script and the tests.
 * Production workers connect to a Redis you run (see the README).
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running local redis-server. */
export interface LocalRedis {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** The TCP port it listens on. */
  readonly port: number;
  /** Stops the server (SIGTERM, then waits for its exit) and removes its directory. */
  stop(): Promise<void>;
}

/** What to tell someone without Redis. */
export const REDIS_MISSING_MESSAGE = 'redis-server is not installed or not on PATH: install it (Debian/Ubuntu: apt-get install -y redis-server)';

/** A TCP port free on 127.0.0.1 at the time of the call. */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** Resolves when the server logs that it accepts connections; rejects if it exits or cannot start. */
function ready(child: ChildProcess): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        child.stdout!.off('data', onData);
        child.off('exit', onExit);
        resolvePromise();
      }
    };
    const onExit = (code: number | null): void => reject(new Error(`redis-server exited with code ${code}:\n${output}`));
    child.on('error', (err: NodeJS.ErrnoException) => reject(err.code === 'ENOENT' ? new Error(REDIS_MISSING_MESSAGE) : err));
    child.stdout!.on('data', onData);
    child.on('exit', onExit);
  });
}

/**
 * Starts redis-server on a free port of 127.0.0.1, with no snapshots and no append-only file.
 * @throws Error with {@link REDIS_MISSING_MESSAGE} when redis-server is not installed, or the
 *   server's output when it fails to start (three tries, in case another process took the port)
 */
export async function startLocalRedis(): Promise<LocalRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'amanuensis-redis-'));
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await ready(child);
    } catch (err) {
      lastError = err;
      if ((err as Error).message === REDIS_MISSING_MESSAGE) break;
      continue;
    }
    // keep draining its log so the pipe never fills
    child.stdout!.resume();
    return {
      url: `redis://127.0.0.1:${port}`,
      port,
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) {
          const exited = once(child, 'exit');
          child.kill('SIGTERM');
          await exited;
        }
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError;
}
