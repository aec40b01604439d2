/**
 * A local HTTP server standing in for a model host, with the misbehaviours a download must
 * survive under the test's control: cut the connection after N bytes, ignore Range, stall, or
 * send the body chunked (no Content-Length), or answer 404 for a file it does not have. Each file has a strong ETag (its SHA-256), and a Range
 * request whose If-Range names another version gets the whole file, as HTTP says. It logs every
 * request (path, Range and If-Range headers, bytes sent).
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ServedRequest {
  readonly path: string;
  readonly range: string | undefined;
  readonly ifRange: string | undefined;
  /** Body bytes the server sent for this request. */
  sent: number;
  /** Resolves when the connection of this request has closed (the client went away, or the response ended and the socket closed). */
  readonly closed: Promise<void>;
}

export interface ModelServerBehaviour {
  /** Destroy the connection after this many body bytes, for the next `cuts` requests. */
  cutAfter?: number;
  cuts?: number;
  /** Answer every request with the whole file and 200, as a server without Range support. */
  ignoreRange?: boolean;
  /** Send this many body bytes, then send nothing more (until the client goes away). */
  stallAfter?: number;
  /** Stall only the next this many requests (default: every one). */
  stalls?: number;
  /** Send no Content-Length (the body goes chunked), as some servers and proxies do. */
  chunked?: boolean;
  /** Send this many body bytes, then hold the rest until {@link ModelServer.release}. */
  holdAfter?: number;
}

export class ModelServer {
  readonly requests: ServedRequest[] = [];
  behaviour: ModelServerBehaviour = {};
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private held: (() => void)[] = [];

  private constructor(private readonly files: Map<string, Buffer>) {
    this.server = createServer((req, res) => this.serve(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  /** Starts a server on a free loopback port serving `files` (URL path → bytes). */
  static async start(files: Record<string, Buffer>): Promise<ModelServer> {
    const server = new ModelServer(new Map(Object.entries(files)));
    server.server.listen(0, '127.0.0.1');
    await once(server.server, 'listening');
    return server;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Sends the rest of every held response, and holds no more. */
  release(): void {
    this.behaviour = { ...this.behaviour, holdAfter: undefined };
    const held = this.held;
    this.held = [];
    for (const finish of held) finish();
  }

  /** Serves other bytes at `path` from now on (a new version of the file). */
  replace(path: string, bytes: Buffer): void {
    this.files.set(path, bytes);
  }

  /** The ETag the server sends for the bytes. */
  static etag(bytes: Buffer): string {
    return `"${createHash('sha256').update(bytes).digest('hex')}"`;
  }

  /** Requests for one path. */
  requestsFor(path: string): ServedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    if (this.server.listening) {
      this.server.close();
      await once(this.server, 'close');
    }
  }

  private length(bytes: number): { 'content-length'?: number } {
    return this.behaviour.chunked === true ? {} : { 'content-length': bytes };
  }

  private serve(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const ifRange = req.headers['if-range'] as string | undefined;
    const log: ServedRequest = { path, range: req.headers.range, ifRange, sent: 0, closed: once(res, 'close').then(() => undefined) };
    this.requests.push(log);
    const file = this.files.get(path);
    if (file === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const etag = ModelServer.etag(file);
    let start = 0;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range !== null && this.behaviour.ignoreRange !== true && (ifRange === undefined || ifRange === etag)) {
      start = Number(range[1]);
      if (start >= file.length) {
        res.writeHead(416, { 'content-range': `bytes */${file.length}` }).end();
        return;
      }
      res.writeHead(206, { etag, ...this.length(file.length - start), 'content-range': `bytes ${start}-${file.length - 1}/${file.length}` });
    } else {
      res.writeHead(200, { etag, ...this.length(file.length) });
    }
    const body = file.subarray(start);
    const { cutAfter, cuts = 0, stallAfter, stalls, holdAfter } = this.behaviour;
    if (cutAfter !== undefined && cuts > 0) {
      this.behaviour = { ...this.behaviour, cuts: cuts - 1 };
      log.sent = Math.min(cutAfter, body.length);
      // a FIN after the bytes (a reset could discard some in flight): the client gets them all, then an early end
      res.write(body.subarray(0, log.sent), () => res.socket?.end());
      return;
    }
    if (stallAfter !== undefined && (stalls === undefined || stalls > 0)) {
      if (stalls !== undefined) this.behaviour = { ...this.behaviour, stalls: stalls - 1 };
      log.sent = Math.min(stallAfter, body.length);
      res.write(body.subarray(0, log.sent));
      return;
    }
    if (holdAfter !== undefined) {
      res.write(body.subarray(0, holdAfter));
      this.held.push(() => res.end(body.subarray(holdAfter)));
      log.sent = body.length;
      return;
    }
    log.sent = body.length;
    res.end(body);
  }
}
