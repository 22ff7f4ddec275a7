/**
 * The lingering close (RFC 9112 §9.6; nginx's `lingering_close`, Apache's lingering close). A
 * server that closes a connection while the client is still sending (a body answered before it
 * was read: a 413, a 404 decided from the headers, a view that never reads) makes the kernel
 * answer the unread bytes with a reset, and a reset makes the client's kernel drop what it has
 * received but not yet read: the answer. So the server half-closes instead (FIN after the
 * response), reads and drops what still comes, and closes when the client closes its side or a
 * bound is reached: a time, an idle time, a number of bytes.
 */
import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import { describe } from './describe.ts';

/** Bounds of a lingering close. The clocks start once the response has left (the FIN is out). */
export interface LingerLimits {
  /**
   * The longest a connection is read after its last response, ms (nginx's `lingering_time`).
   * 0 turns lingering off: the connection is closed as soon as the response has left.
   */
  timeMs: number;
  /** The longest wait for the client's next byte, ms (nginx's `lingering_timeout`); 0: no bound. */
  idleMs: number;
  /** The most bytes read and dropped before the connection is cut anyway; 0: no bound. */
  maxBytes: number;
}

/**
 * nginx's times (30 s in all, 5 s between bytes); 128 MiB covers a body somewhat over the
 * production server's default `--limit-request-body` (100 MiB) sent whole before its sender reads.
 */
export const DEFAULT_LINGER: Readonly<LingerLimits> = Object.freeze({
  timeMs: 30_000,
  idleMs: 5_000,
  maxBytes: 128 * 1024 * 1024,
});

const lingering = new WeakSet<object>();

/** True while `socket` is in a lingering close: what it receives is dropped, nothing is answered. */
export function isLingering(socket: object): boolean {
  return lingering.has(socket);
}

/**
 * Makes every connection of `server` close by lingering (see {@link lingeringClose}) where
 * node:http closes it after its last response (`Connection: close`, a response that cannot be
 * followed, a client that half-closed) and where the server closes it after an answer of its
 * own (a refused request, a body refused after the response). {@link createServer} does it; a
 * server that wires {@link createListener} into its own `http.Server` should call it.
 *
 * node:http ends such a connection with `socket.destroySoon()`, which destroys the socket as soon
 * as the response has left, read or unread input alike; no public option changes that. Each
 * socket gets its own `destroySoon` (an own property, node's stays untouched), so that every
 * graceful close, node's and the server's, lingers. node:http calls it only when the socket has
 * one (it ends other streams with `end()`), so a socket with ours is one it expects.
 *
 * @example
 * const server = lingerOnClose(allowHalfOpen(http.createServer(listener)), { ...DEFAULT_LINGER, timeMs: 10_000 });
 */
export function lingerOnClose<T extends HttpServer>(server: T, limits: LingerLimits = DEFAULT_LINGER): T {
  checkLimits(limits);
  if (limits.timeMs <= 0) return server;
  const bounds: Readonly<LingerLimits> = { ...limits };
  // One function for all the server's sockets: `this` is the socket node:http or the server closes.
  const destroySoon = function (this: Socket): void {
    lingeringClose(this, bounds);
  };
  const install = (socket: Socket): void => {
    socket.destroySoon = destroySoon;
  };
  server.prependListener('connection', install);
  // node:https serves the TLS socket, which 'secureConnection' hands over (never on plain HTTP).
  server.prependListener('secureConnection', install);
  return server;
}

/**
 * Closes `socket` by lingering: ends its sending side after what is queued (FIN), then reads and
 * drops what the client still sends, no longer parsed as HTTP, until the client closes its side
 * (the socket then closes by itself, with nothing unread: no reset) or a bound of `limits` is
 * reached (then it is destroyed). Does nothing on a socket already lingering or destroyed.
 *
 * @example
 * res.on('finish', () => lingeringClose(res.socket!, DEFAULT_LINGER));
 */
export function lingeringClose(socket: Socket, limits: Readonly<LingerLimits>): void {
  if (socket.destroyed || lingering.has(socket)) return;
  if (limits.timeMs <= 0) {
    // No lingering: what node:http does.
    if (!socket.writableEnded) socket.end();
    if (socket.writableFinished) socket.destroy();
    else socket.once('finish', () => socket.destroy());
    return;
  }
  lingering.add(socket);
  new Linger(socket, limits).start();
}

class Linger {
  readonly #socket: Socket;
  readonly #limits: Readonly<LingerLimits>;
  /** The bytes dropped since the response left. */
  #received = 0;
  /** When the response left (performance.now()), or -1 before. */
  #since = -1;
  #lastByte = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #check = this.#arm.bind(this);

  constructor(socket: Socket, limits: Readonly<LingerLimits>) {
    this.#socket = socket;
    this.#limits = limits;
  }

  start(): void {
    const socket = this.#socket;
    // The input goes to this reader alone: node:http's parser would take what follows the body
    // for a next request, or fail on it and report a client error, on a connection that is
    // closing. (Adding a 'data' listener makes node:http hand the input back from its parser.)
    const parsers = socket.listeners('data');
    socket.on('data', this.#onData.bind(this));
    for (const listener of parsers) socket.removeListener('data', listener as (chunk: Buffer) => void);
    socket.once('close', this.#onClose.bind(this));
    socket.resume();
    // The clocks start once the response has left: a large answer to a slow reader takes its time.
    if (socket.writableFinished) this.#left();
    else socket.once('finish', this.#left.bind(this));
    // With both sides ended, the socket closes by itself (net.Socket's autoDestroy).
    if (!socket.writableEnded) socket.end();
  }

  #left(): void {
    const now = performance.now();
    this.#since = now;
    this.#lastByte = now;
    this.#received = 0;
    this.#arm();
  }

  #onData(chunk: Buffer): void {
    if (this.#since < 0) return;
    this.#lastByte = performance.now();
    this.#received += chunk.length;
    const max = this.#limits.maxBytes;
    if (max > 0 && this.#received > max) this.#socket.destroy();
  }

  /** One timer at the nearer bound; it re-arms itself while bytes keep coming. */
  #arm(): void {
    const { timeMs, idleMs } = this.#limits;
    const now = performance.now();
    const totalLeft = timeMs - (now - this.#since);
    const idleLeft = idleMs > 0 ? idleMs - (now - this.#lastByte) : Infinity;
    if (totalLeft <= 0 || idleLeft <= 0) {
      this.#socket.destroy();
      return;
    }
    this.#timer = setTimeout(this.#check, Math.max(1, Math.min(totalLeft, idleLeft)));
    this.#timer.unref();
  }

  #onClose(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

function checkLimits(limits: LingerLimits): void {
  for (const key of ['timeMs', 'idleMs', 'maxBytes'] as const) {
    const value = limits[key];
    if (typeof value !== 'number' || !(value >= 0))
      throw new TypeError(
        `The lingering close's ${key} must be a number of 0 or more (ms, bytes), not ${describe(value)}.`,
      );
  }
}
