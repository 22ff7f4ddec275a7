/**
 * `wsgi.input` over a node:http request (spec §3.3): async `read`, `readline` and iteration.
 * node:http has already framed the body, so reads end at Content-Length or at the last chunk of a
 * chunked body. Nothing is read, and `100 Continue` is not sent, until the application asks.
 */
import type { IncomingMessage } from 'node:http';
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
 * The request body as an {@link InputStream}. `onFirstRead` runs once, before the first byte is
 * awaited: the server uses it to answer `Expect: 100-continue` (RFC 9110 §10.1.1).
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

  constructor(req: IncomingMessage, onFirstRead?: () => void) {
    this.#req = req;
    this.#onFirstRead = onFirstRead;
  }

  /** True once the application has asked for the body (and `100 Continue` went out if due). */
  get started(): boolean {
    return this.#started;
  }

  /** True once the whole body has been received. */
  get ended(): boolean {
    return this.#ended;
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
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
      this.#received += chunk.length;
      if (this.#buffered >= HIGH_WATER) req.pause();
      this.#notify();
    });
    req.once('end', () => {
      this.#ended = true;
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
      this.#notify();
    };
    req.once('close', () => cut());
    req.once('error', (error: Error) => cut(error));
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
    await new Promise<void>((resolve) => (this.#wake = resolve));
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
