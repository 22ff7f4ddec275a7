/**
 * `wsgi.input` over a node:http request (spec §3.3): async `read`, `readline` and iteration.
 * node:http has already framed the body, so reads end at Content-Length or at the last chunk of a
 * chunked body. Nothing is read, and `100 Continue` is not sent, until the application asks.
 * A server may bound the body (`BodyLimits`): its size, and how long the client may keep the
 * application waiting for it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { REASON_PHRASES } from './http-rules.ts';
import { sizeArgument, takeBytes } from './input-buffer.ts';
import type { InputStream } from './types.ts';

const EMPTY = new Uint8Array(0);
const NO_CHUNKS = Object.freeze([]) as unknown as Buffer[];
/** Past this many buffered bytes the socket is paused until the application reads (backpressure). */
const HIGH_WATER = 64 * 1024;

/** Raised by reads when the client goes away before the end of the body. */
export class IncompleteBodyError extends Error {
  readonly code = 'ERR_TSGI_INCOMPLETE_BODY';
}

/**
 * Raised by reads when the server refused the rest of the body (spec §3.3): it is larger than
 * the server allows (`status` 413), or the client kept the application waiting for it too long
 * (408). The server has answered with that status; the application's own answer is dropped.
 */
export class RequestBodyError extends Error {
  readonly code: 'ERR_TSGI_BODY_TOO_LARGE' | 'ERR_TSGI_BODY_TIMEOUT';
  readonly status: 408 | 413;
  constructor(status: 408 | 413, message: string) {
    super(message);
    this.status = status;
    this.code = status === 413 ? 'ERR_TSGI_BODY_TOO_LARGE' : 'ERR_TSGI_BODY_TIMEOUT';
  }
}
RequestBodyError.prototype.name = 'RequestBodyError';

/**
 * Bounds on a request body, enforced as it arrives. The clocks run only while the application
 * waits in a read for bytes that have not come (or while the server discards the rest of a body
 * after the response): time the application spends elsewhere, reading slowly or not at all, is
 * never blamed on the client. 0 turns a bound off.
 */
export interface BodyLimits {
  /** Bytes; a declared Content-Length is for the server to check before the application runs. */
  maxBytes: number;
  /** Longest wait for the next byte, ms (408). */
  idleTimeoutMs: number;
  /** Longest time waited for the whole body, ms, summed over the waits (408). */
  timeoutMs: number;
}

/** Options of {@link RequestInput}. */
export interface RequestInputOptions {
  /** Runs once, before the first byte is awaited: the server answers `Expect: 100-continue`. */
  onFirstRead?: (() => void) | undefined;
  /** Bounds on the body; needs `response`, on which a refusal is answered. */
  limits?: BodyLimits | undefined;
  /** The request's response, on which a refusal is answered. */
  response?: ServerResponse | undefined;
}

/**
 * The request body as an {@link InputStream}. `onFirstRead` runs once, before the first byte is
 * awaited: the server uses it to answer `Expect: 100-continue` (RFC 9110 §10.1.1).
 *
 * With `limits`, a body that grows past `maxBytes` is refused with 413 and one that keeps a read
 * waiting too long with 408: the pending and later reads reject with {@link RequestBodyError},
 * the answer goes out on `response` (if it has not started; the connection is closed either
 * way). When the response ends before the body has arrived, {@link discard} reads the rest and
 * drops it under the same limits, so that the connection can serve its next request.
 *
 * @example
 * const input = new RequestInput(req, () => res.writeContinue());
 * const body = await input.read();
 */
export class RequestInput implements InputStream {
  readonly #req: IncomingMessage;
  #onFirstRead: (() => void) | undefined;
  #started = false;
  // Made when the application first reads: most requests have no body to read.
  #chunks: Buffer[] = NO_CHUNKS;
  #buffered = 0;
  #ended = false;
  #received = 0;
  #error: Error | undefined;
  #wake: (() => void) | undefined;
  readonly #limits: BodyLimits | undefined;
  readonly #res: ServerResponse | undefined;
  /** After the response: the rest of the body is dropped as it arrives. */
  #discarding = false;
  /** When the current wait for bytes began (performance.now()), or -1 when none is waiting. */
  #waitSince = -1;
  /** The time spent waiting in earlier waits, ms. */
  #waited = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(req: IncomingMessage, options?: RequestInputOptions | (() => void)) {
    this.#req = req;
    if (typeof options === 'function') this.#onFirstRead = options;
    else if (options !== undefined) {
      this.#onFirstRead = options.onFirstRead;
      const res = options.response;
      if (options.limits !== undefined && res !== undefined) {
        this.#limits = options.limits;
        this.#res = res;
      }
    }
  }

  /** True once the application has asked for the body (and `100 Continue` went out if due). */
  get started(): boolean {
    return this.#started;
  }

  /** True once the whole body has been received. */
  get ended(): boolean {
    return this.#ended;
  }

  /** True when the server answered the request itself, refusing its body (413, 408). */
  get refused(): boolean {
    return this.#error instanceof RequestBodyError;
  }

  #start(): void {
    this.#started = true;
    this.#chunks = [];
    const onFirstRead = this.#onFirstRead;
    this.#onFirstRead = undefined;
    if (onFirstRead) onFirstRead();
    const req = this.#req;
    if (req.complete && req.readableEnded) {
      this.#ended = true;
      return;
    }
    req.on('data', (chunk: Buffer) => {
      this.#received += chunk.length;
      const limits = this.#limits;
      if (limits !== undefined) {
        // Refused: what still comes before the connection closes is dropped.
        if (this.#error !== undefined) return;
        if (limits.maxBytes > 0 && this.#received > limits.maxBytes) {
          this.#refuse(413, `The request body is larger than ${limits.maxBytes} bytes.`);
          return;
        }
        if (this.#discarding) {
          // Each byte restarts the idle clock.
          this.#endWait();
          if (!this.#ended) this.#beginWait();
          return;
        }
      }
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
      if (this.#buffered >= HIGH_WATER) req.pause();
      this.#notify();
    });
    req.once('end', () => {
      this.#ended = true;
      this.#endWait();
      this.#notify();
    });
    // node reports a cut body as an 'error' ("aborted") and/or a 'close' before 'end'.
    const cut = (cause?: Error) => {
      if (!this.#ended && !req.complete) {
        const expected = req.headers['content-length'];
        this.#error = new IncompleteBodyError(
          `The client closed the connection before the request body was complete (received ${this.#received}${expected === undefined ? '' : ` of ${expected}`} bytes).`,
          { cause },
        );
      } else if (cause && !this.#ended) this.#error = cause;
      this.#ended = true;
      this.#endWait();
      this.#notify();
    };
    req.once('close', () => cut());
    req.once('error', (error: Error) => cut(error));
  }

  /**
   * For the server, when the response has ended: with limits, the rest of a body that has not
   * all arrived is read and dropped under the same limits, so that a keep-alive connection
   * reaches its next request and a client that trickles an unwanted body cannot hold the
   * connection for ever. (node:http would drop the rest itself, with no limit, once the response
   * has finished: this must run before that, when the response is ended.) Without limits it
   * does nothing.
   */
  discard(): void {
    const req = this.#req;
    if (this.#limits === undefined || this.#ended || this.#discarding || req.complete || req.destroyed) return;
    const headers = req.headers;
    if (headers['transfer-encoding'] === undefined && (headers['content-length'] ?? '0') === '0') return;
    this.#discarding = true;
    this.#chunks = [];
    this.#buffered = 0;
    if (!this.#started) {
      this.#onFirstRead = undefined;
      this.#start();
    }
    if (this.#ended) return;
    req.resume();
    this.#beginWait();
  }

  /**
   * Refuses the rest of the body: reads reject, the status goes out if the response has not
   * started, and the connection closes after it (node's parser would otherwise go on reading
   * the body). A refusal after the response started cuts the connection, unless that response
   * is complete.
   */
  #refuse(status: 408 | 413, message: string): void {
    if (this.#error !== undefined) return;
    this.#error = new RequestBodyError(status, message);
    this.#ended = true;
    this.#endWait();
    this.#chunks = [];
    this.#buffered = 0;
    this.#notify();
    const res = this.#res!;
    if (res.headersSent) {
      // A complete response (the rest of its body was being discarded) keeps its answer: the
      // connection closes after it, as node:http closes one (lingering where the server has it,
      // so that the client can read it). One still being sent can only be cut.
      if (res.writableEnded) this.#req.socket.destroySoon();
      else this.#req.socket.destroy();
      return;
    }
    const text = `${message}\n`;
    res.shouldKeepAlive = false;
    // RFC 9110's phrases (node still says "Payload Too Large" for 413).
    res.writeHead(status, REASON_PHRASES[status], [
      'Content-Type',
      'text/plain; charset=utf-8',
      'Content-Length',
      String(Buffer.byteLength(text)),
    ]);
    res.end(text);
  }

  #beginWait(): void {
    const limits = this.#limits;
    if (limits === undefined || (limits.idleTimeoutMs <= 0 && limits.timeoutMs <= 0)) return;
    this.#waitSince = performance.now();
    if (this.#timer === undefined) this.#arm(limits.idleTimeoutMs, limits.timeoutMs - this.#waited);
  }

  #endWait(): void {
    if (this.#waitSince < 0) return;
    this.#waited += performance.now() - this.#waitSince;
    this.#waitSince = -1;
  }

  /** One timer for both clocks, at the nearer bound; it re-arms itself while reads wait. */
  #arm(idleLeft: number, totalLeft: number): void {
    const limits = this.#limits!;
    const delay = Math.max(
      1,
      Math.min(limits.idleTimeoutMs > 0 ? idleLeft : Infinity, limits.timeoutMs > 0 ? totalLeft : Infinity),
    );
    this.#timer = setTimeout(this.#check.bind(this), delay);
    this.#timer.unref();
  }

  #check(): void {
    this.#timer = undefined;
    if (this.#ended || this.#waitSince < 0) return;
    const limits = this.#limits!;
    const idle = performance.now() - this.#waitSince;
    const total = this.#waited + idle;
    if (limits.idleTimeoutMs > 0 && idle >= limits.idleTimeoutMs) {
      this.#refuse(408, `No byte of the request body arrived for ${limits.idleTimeoutMs / 1000} s.`);
    } else if (limits.timeoutMs > 0 && total >= limits.timeoutMs) {
      this.#refuse(408, `The request body did not arrive within ${limits.timeoutMs / 1000} s.`);
    } else this.#arm(limits.idleTimeoutMs - idle, limits.timeoutMs - total);
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    if (wake) wake();
  }

  /** Waits for more data or the end; false when nothing more will come. */
  async #more(): Promise<boolean> {
    if (!this.#started) this.#start();
    if (this.#ended) return false;
    if (this.#req.isPaused()) this.#req.resume();
    this.#beginWait();
    await new Promise<void>((resolve) => (this.#wake = resolve));
    this.#endWait();
    return true;
  }

  #take(size: number): Uint8Array {
    this.#buffered -= size;
    return takeBytes(this.#chunks, size, Buffer.allocUnsafe);
  }

  /**
   * Up to `size` bytes: waits until `size` bytes are there or the body ends. Without `size`, the
   * rest of the body. An empty array means the end of the body.
   */
  async read(size?: number): Promise<Uint8Array> {
    size = sizeArgument(size, 'read(size)');
    if (size === 0) return EMPTY;
    while (size === undefined || this.#buffered < size) {
      if (!(await this.#more())) break;
    }
    // A body cut short is an error, not a short body: the application must not take it as whole.
    if (this.#error) throw this.#error;
    if (this.#buffered === 0) return EMPTY;
    return this.#take(size === undefined ? this.#buffered : Math.min(size, this.#buffered));
  }

  /** One line up to and including `\n`, at most `limit` bytes; an empty array at the end. */
  async readline(limit?: number): Promise<Uint8Array> {
    limit = sizeArgument(limit, 'readline(limit)');
    if (limit === 0) return EMPTY;
    let scanned = 0;
    while (true) {
      // Search only the bytes not searched yet.
      let offset = 0;
      for (const chunk of this.#chunks) {
        if (offset + chunk.length > scanned) {
          const from = Math.max(0, scanned - offset);
          const at = chunk.indexOf(10, from);
          if (at >= 0) {
            const end = offset + at + 1;
            return this.#take(limit === undefined ? end : Math.min(end, limit));
          }
        }
        offset += chunk.length;
      }
      scanned = offset;
      if (limit !== undefined && this.#buffered >= limit) return this.#take(limit);
      if (!(await this.#more())) break;
    }
    if (this.#error) throw this.#error;
    if (this.#buffered === 0) return EMPTY;
    return this.#take(limit === undefined ? this.#buffered : Math.min(limit, this.#buffered));
  }

  /** The body chunk by chunk, as it arrives. */
  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    while (true) {
      if (this.#buffered > 0) {
        const chunk = this.#chunks.shift()!;
        this.#buffered -= chunk.length;
        yield chunk;
        continue;
      }
      if (!(await this.#more())) {
        if (this.#error) throw this.#error;
        if (this.#buffered === 0) return;
      }
    }
  }

  /** Reads and discards the rest of the body; resolves at its end (or when the client left). */
  async drain(): Promise<void> {
    try {
      while ((await this.read(HIGH_WATER)).length > 0) {
        // discard
      }
    } catch {
      // The client left: nothing to drain.
    }
  }
}
