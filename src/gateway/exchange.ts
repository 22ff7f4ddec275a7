/**
 * One request through an application on node:http (spec §4, §5): `startResponse` and `write`,
 * sending the body with backpressure, Content-Length enforcement, `close()` exactly once, and the
 * error answers (500 before the headers, a cut connection after them).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe } from './describe.ts';
import { checkHeaders, parseStatus } from './http-rules.ts';
import type {
  Application,
  Body,
  ClosableBody,
  Environ,
  ErrorStream,
  HeaderList,
  StartResponse,
  Write,
} from './types.ts';

/** Raised by `write()` when the client has gone away; the server does not log it as an application error. */
export class ClientDisconnectedError extends Error {
  readonly code = 'ERR_TSGI_CLIENT_DISCONNECTED';
  constructor() {
    super('The client closed the connection before the response was complete.');
  }
}

const RESOLVED = Promise.resolve();
const INTERNAL_ERROR = Buffer.from('Internal Server Error\n');

/**
 * The response an exchange streams on each connection: the last one whose headers went out
 * before its body was complete (see {@link responseInFlight}).
 */
const sending = new WeakMap<object, ServerResponse>();

/**
 * The response being sent on a connection, its headers out and its end not yet given, if there
 * is one. (A response sent whole in one call is complete in the socket's queue.) For the server's
 * client-error handler, which must not write into it.
 */
export function responseInFlight(socket: object): ServerResponse | undefined {
  const res = sending.get(socket);
  return res !== undefined && !res.writableEnded ? res : undefined;
}

/** Bodies up to this many bytes are sent in one write with the head (see #sendArray). */
const SMALL_BODY = 2048;

function latin1(chunk: Uint8Array): string {
  return (chunk instanceof Buffer ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)).toString(
    'latin1',
  );
}

/** Null when `value` is a body (§5), else a sentence saying what is wrong and how to fix it. */
export function bodyProblem(value: unknown): string | null {
  if (value instanceof Uint8Array) {
    return 'The application returned a bare Uint8Array, which is not a body: wrap it in an array (return [bytes]) (spec §5).';
  }
  if (
    value !== null &&
    typeof value === 'object' &&
    (typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function' ||
      typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function')
  ) {
    return null;
  }
  return `The application returned ${describe(value)}, which is not a body: return an Iterable<Uint8Array> or an AsyncIterable<Uint8Array>, e.g. [new TextEncoder().encode('text')] (spec §5).`;
}

function chunkProblem(chunk: unknown): TypeError {
  return new TypeError(
    `The application's body produced ${describe(chunk)}; every chunk must be a Uint8Array (encode text with TextEncoder) (spec §5).`,
  );
}

/** Options of an exchange, resolved once per listener. */
export interface ExchangeOptions {
  errors: ErrorStream;
  /** See `ListenerOptions.onResponseEnd` (server.ts). */
  onResponseEnd?:
    ((req: IncomingMessage, bodyBytes: number, headers: readonly string[] | undefined) => void) | undefined;
}

/**
 * The state of one request/response. Created by the listener; `run()` calls the application.
 */
export class Exchange {
  readonly #app: Application;
  readonly #req: IncomingMessage;
  readonly #res: ServerResponse;
  readonly #environ: Environ;
  readonly #errors: ErrorStream;
  readonly #onResponseEnd: ExchangeOptions['onResponseEnd'];
  readonly #controller: AbortController | undefined;
  /** True when the request carried `Expect: 100-continue` and 100 is sent on first read. */
  readonly #expectContinue: boolean;
  readonly #input: { readonly started: boolean; readonly refused?: boolean; discard?(): void };
  #watching = false;
  /** The bound 'end' listener on the request's socket while the application works, if any. */
  #peerEnded: (() => void) | undefined;

  #code = 0;
  #reason = '';
  #headers: HeaderList | undefined;
  /** Content-Length the application declared, or -1. */
  #declared = -1;
  #sent = 0;
  #headersSent = false;
  /** The headers as sent, names and values in turn (for onResponseEnd). */
  #sentHeaders: readonly string[] | undefined;
  #noBody = false;
  #ended = false;
  #clientGone = false;
  #body: ClosableBody | undefined;
  #closed = false;
  /**
   * The pending wait for 'drain', shared by every sender that waits (the pump, or writes an
   * application overlaps against §4.4): one 'drain' settles them all. Undefined when none waits.
   */
  #drain: Promise<void> | undefined;
  #drainResolve: (() => void) | undefined;

  readonly startResponse: StartResponse;
  readonly write: Write;

  constructor(
    app: Application,
    req: IncomingMessage,
    res: ServerResponse,
    environ: Environ,
    options: ExchangeOptions,
    controller: AbortController | undefined,
    expectContinue: boolean,
    input: { readonly started: boolean; readonly refused?: boolean; discard?(): void },
  ) {
    this.#app = app;
    this.#req = req;
    this.#res = res;
    this.#environ = environ;
    this.#errors = options.errors;
    this.#onResponseEnd = options.onResponseEnd;
    this.#controller = controller;
    this.#expectContinue = expectContinue;
    this.#input = input;
    // Bound methods, not arrow closures: measured, per-request arrow closures made V8 grow the
    // young generation to its maximum and cost a third of the throughput; bound functions do not.
    this.startResponse = this.#startResponse.bind(this);
    this.write = this.#write.bind(this);
  }

  /**
   * Starts watching for the client going away. Not done for a response finished synchronously
   * (the common array body): no listener to add and remove on the hot path.
   */
  #watch(): void {
    if (this.#watching) return;
    this.#watching = true;
    const res = this.#res;
    if (res.destroyed && !res.writableFinished) this.#onClose();
    else res.once('close', this.#onClose.bind(this));
    // The client ending its side (a FIN) is, over TCP, all a server sees of a client that closed
    // a tab: the signal aborts so the application can stop working, as Go cancels a request's
    // context on EOF. The response is still sent while the socket takes it (§3.5).
    if (this.#controller !== undefined && !this.#controller.signal.aborted) {
      const socket = this.#req.socket;
      if (socket.readableEnded) this.#controller.abort(new ClientDisconnectedError());
      else socket.once('end', (this.#peerEnded = this.#onPeerEnd.bind(this)));
    }
  }

  #onPeerEnd(): void {
    this.#peerEnded = undefined;
    if (!this.#res.writableFinished) this.#controller?.abort(new ClientDisconnectedError());
  }

  /** Calls the application and sends what it answers. Never throws. */
  run(): void {
    let result: ClosableBody | Promise<ClosableBody>;
    try {
      result = this.#app(this.#environ, this.startResponse);
    } catch (error) {
      this.#fail(error);
      return;
    }
    if (result instanceof Promise) {
      this.#watch();
      result
        .then(
          (body) => this.#consume(body),
          (error: unknown) => this.#fail(error),
        )
        .catch((error: unknown) => this.#internalError(error));
    } else {
      this.#consume(result);
    }
  }

  #onClose(): void {
    // The socket outlives this exchange on a keep-alive connection: stop listening for its end.
    if (this.#peerEnded !== undefined) {
      this.#req.socket.removeListener('end', this.#peerEnded);
      this.#peerEnded = undefined;
    }
    if (this.#res.writableFinished) return;
    this.#clientGone = true;
    this.#controller?.abort(new ClientDisconnectedError());
    this.#onDrain();
    // Close the body now: an async body may be waiting for something that never comes, and
    // close() is how it learns to stop (§5.3). Later calls are no-ops.
    if (this.#body !== undefined) this.#closeBody();
  }

  #startResponse(status: string, headers: HeaderList, excInfo?: unknown): Write {
    if (excInfo !== undefined && excInfo !== null) {
      // PEP 3333: too late to change the status once headers are out; re-raise the app's error.
      if (this.#headersSent) throw excInfo;
    } else if (this.#headers !== undefined) {
      throw new Error(
        'startResponse() was called a second time without excInfo: call it once, or pass the error being handled as the third argument to replace headers not yet sent (spec §4.3).',
      );
    }
    const [code, reason] = parseStatus(status);
    const declared = checkHeaders(headers);
    this.#code = code;
    this.#reason = reason;
    this.#headers = headers;
    this.#declared = declared;
    this.#noBody = this.#environ.REQUEST_METHOD === 'HEAD' || code === 204 || code === 304;
    return this.write;
  }

  #sendHeaders(contentLength: number): void {
    const headers = this.#headers!;
    const flat: string[] = new Array(headers.length * 2);
    for (let i = 0; i < headers.length; i++) {
      flat[2 * i] = headers[i]![0];
      flat[2 * i + 1] = headers[i]![1];
    }
    // RFC 9110 §8.6: no Content-Length in a 204; a HEAD gets the length a GET would, which only
    // bytes tell: an empty body on HEAD (the application may leave it out, §5.4) tells nothing,
    // and a HEAD response is never framed (node sends neither length nor chunked for it).
    if (
      contentLength >= 0 &&
      this.#declared < 0 &&
      this.#code !== 204 &&
      this.#code !== 304 &&
      (contentLength > 0 || !this.#noBody)
    ) {
      flat.push('Content-Length', String(contentLength));
      this.#declared = contentLength;
    }
    const res = this.#res;
    // The client waits for 100 before sending the body; if the app never read it, the body may or
    // may not follow, so the connection cannot be reused safely (RFC 9110 §10.1.1).
    if (this.#expectContinue && !this.#input.started) res.shouldKeepAlive = false;
    res.writeHead(this.#code, this.#reason, flat);
    this.#sentHeaders = flat;
    this.#headersSent = true;
  }

  /**
   * True when the server answered the request itself before the application did (its input
   * refused the body with 413 or 408, §3.3): the application's answer is dropped, as for a
   * client that left.
   */
  #preempted(): boolean {
    if (this.#headersSent || this.#input.refused !== true) return false;
    this.#clientGone = true;
    this.#ended = true;
    return true;
  }

  /** Sends one non-empty chunk; false when the transport wants the sender to wait for 'drain'. */
  #send(chunk: Uint8Array): boolean {
    if (!this.#headersSent) {
      if (this.#preempted()) return true;
      this.#sendHeaders(-1);
      // A streamed response: it will be in flight, its headers out, until it ends.
      sending.set(this.#req.socket, this.#res);
    }
    if (this.#noBody) return true;
    if (this.#declared >= 0) {
      const room = this.#declared - this.#sent;
      if (chunk.length > room) {
        if (room > 0) {
          this.#res.write(chunk.subarray(0, room));
          this.#sent += room;
        }
        throw new Error(
          `The application sent more than its Content-Length of ${this.#declared} bytes; the server sent only ${this.#declared} bytes (spec §5.2).`,
        );
      }
    }
    this.#sent += chunk.length;
    return this.#res.write(chunk);
  }

  #drained(): Promise<void> {
    this.#watch();
    if (this.#clientGone) return RESOLVED;
    if (this.#drain === undefined) {
      this.#drain = new Promise((resolve) => (this.#drainResolve = resolve));
      this.#res.once('drain', this.#onDrain.bind(this));
    }
    return this.#drain;
  }

  /** 'drain' (or the client gone): settles every sender waiting for it. */
  #onDrain(): void {
    const resolve = this.#drainResolve;
    this.#drain = undefined;
    this.#drainResolve = undefined;
    if (resolve) resolve();
  }

  #write(chunk: Uint8Array): Promise<void> {
    if (this.#clientGone) return Promise.reject(new ClientDisconnectedError());
    if (this.#ended)
      return Promise.reject(
        new Error(
          'write() was called after the response was complete: write only while the application runs (spec §4.4).',
        ),
      );
    if (this.#headers === undefined)
      return Promise.reject(
        new Error('write() was called before startResponse(): call startResponse() first (spec §4.4).'),
      );
    if (!(chunk instanceof Uint8Array)) return Promise.reject(chunkProblem(chunk));
    if (chunk.length === 0) return RESOLVED;
    try {
      if (this.#send(chunk)) return RESOLVED;
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#drained().then(() => {
      if (this.#clientGone) throw new ClientDisconnectedError();
    });
  }

  #consume(body: ClosableBody): void {
    const problem = bodyProblem(body);
    if (problem !== null) {
      this.#fail(new TypeError(problem));
      return;
    }
    this.#body = body;
    if (Array.isArray(body) && this.#headers !== undefined && !this.#headersSent && !this.#clientGone) {
      if (this.#sendArray(body as Uint8Array[])) return;
    }
    this.#watch();
    this.#pump(body).catch((error: unknown) => this.#internalError(error));
  }

  /** Fast path (§5.2, as PEP 3333 suggests): an array's length is known, so send a Content-Length. */
  #sendArray(body: Uint8Array[]): boolean {
    let total = 0;
    for (let i = 0; i < body.length; i++) {
      const chunk = body[i];
      if (!(chunk instanceof Uint8Array)) return false;
      total += chunk.length;
    }
    if (this.#declared >= 0 && this.#declared !== total) return false;
    if (this.#preempted()) {
      this.#closeBody();
      return true;
    }
    try {
      this.#sendHeaders(total);
    } catch (error) {
      this.#fail(error);
      return true;
    }
    this.#ended = true;
    const res = this.#res;
    if (this.#noBody || total === 0) res.end();
    else if (body.length === 1) {
      const chunk = body[0]!;
      // A small body goes out as a latin1 string (lossless: one char per byte): node:http joins
      // a string to the head and makes one write, where a buffer is a second chunk sent with
      // cork/writev. Measured under wrk (hello through the framework, 10 interleaved rounds):
      // 3.5% more requests/s (median), 2-8% less CPU a request. Past a few KiB the copies cost more.
      if (chunk.length <= SMALL_BODY) res.end(latin1(chunk), 'latin1');
      else res.end(chunk);
    } else {
      for (const chunk of body) if (chunk.length > 0) res.write(chunk);
      res.end();
    }
    this.#sent = total;
    this.#closeBody();
    return true;
  }

  async #pump(body: Body): Promise<void> {
    const isAsync = typeof (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function';
    let iterator: Iterator<Uint8Array> | AsyncIterator<Uint8Array>;
    let done = false;
    let failure: unknown;
    let failed = false;
    try {
      iterator = isAsync
        ? (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]()
        : (body as Iterable<Uint8Array>)[Symbol.iterator]();
    } catch (error) {
      this.#fail(error);
      return;
    }
    try {
      while (!this.#clientGone) {
        const step = isAsync ? await iterator.next() : (iterator.next() as IteratorResult<Uint8Array>);
        if (step.done) {
          done = true;
          break;
        }
        const chunk: unknown = step.value;
        if (!(chunk instanceof Uint8Array)) throw chunkProblem(chunk);
        if (chunk.length === 0) continue;
        if (this.#headers === undefined) {
          throw new Error(
            'The application produced a body chunk before calling startResponse(): call startResponse() first (spec §4.3).',
          );
        }
        if (!this.#send(chunk)) await this.#drained();
        // No body goes out for HEAD, 204, 304: stop producing one (§5.4).
        if (this.#noBody) break;
      }
    } catch (error) {
      failed = true;
      failure = error;
    }
    if (!done && typeof iterator.return === 'function') {
      try {
        await iterator.return();
      } catch (error) {
        this.#log(`tsgi: the body's return() threw: ${stack(error)}`);
      }
    }
    if (failed) this.#fail(failure);
    else this.#end();
  }

  /** Finishes a response whose body ended normally. */
  #end(): void {
    if (this.#clientGone) {
      this.#closeBody();
      return;
    }
    if (this.#headers === undefined) {
      this.#fail(
        new Error(
          'The application returned its body without calling startResponse(): call startResponse(status, headers) before the body ends (spec §4.3).',
        ),
      );
      return;
    }
    if (this.#preempted()) {
      this.#closeBody();
      return;
    }
    if (!this.#headersSent) {
      try {
        this.#sendHeaders(0);
      } catch (error) {
        this.#fail(error);
        return;
      }
    }
    this.#ended = true;
    if (!this.#noBody && this.#declared >= 0 && this.#sent < this.#declared) {
      // Fewer bytes than announced: the client must not take the response as complete (§5.2).
      this.#log(
        `tsgi: ${this.#environ.REQUEST_METHOD} ${this.#environ.RAW_URI}: the application sent ${this.#sent} bytes but its Content-Length is ${this.#declared}; the connection was closed (spec §5.2).\n`,
      );
      this.#cut();
    } else {
      this.#res.end();
    }
    this.#closeBody();
  }

  /** Closes the connection once what was written has been flushed: the client sees a truncated response. */
  #cut(): void {
    const socket = this.#res.socket;
    if (socket && !socket.destroyed) socket.destroySoon();
    else this.#res.destroy();
  }

  /** The application failed: 500 before the headers, a cut connection after (§6). */
  #fail(error: unknown): void {
    const res = this.#res;
    if (this.#preempted()) {
      this.#closeBody();
      return;
    }
    if (this.#clientGone || error instanceof ClientDisconnectedError) {
      this.#ended = true;
      if (!res.destroyed) res.destroy();
      this.#closeBody();
      return;
    }
    this.#log(
      `tsgi: error while handling ${this.#environ.REQUEST_METHOD} ${this.#environ.RAW_URI}:\n${stack(error)}\n`,
    );
    this.#ended = true;
    if (!this.#headersSent && !res.headersSent) {
      this.#headersSent = true;
      const headers = ['Content-Type', 'text/plain; charset=utf-8', 'Content-Length', String(INTERNAL_ERROR.length)];
      res.writeHead(500, 'Internal Server Error', headers);
      this.#sentHeaders = headers;
      res.end(this.#environ.REQUEST_METHOD === 'HEAD' ? undefined : INTERNAL_ERROR);
      this.#noBody = this.#environ.REQUEST_METHOD === 'HEAD';
      this.#sent = this.#noBody ? 0 : INTERNAL_ERROR.length;
    } else if (!this.#noBody && this.#declared >= 0 && this.#sent === this.#declared) {
      res.end();
    } else {
      this.#cut();
    }
    this.#closeBody();
  }

  /** The end of the exchange, whichever way it went: runs once. */
  #closeBody(): void {
    if (this.#closed) return;
    this.#closed = true;
    // The body the application left unread, under the server's limits (§3.3).
    this.#input.discard?.();
    if (this.#onResponseEnd !== undefined) {
      try {
        this.#onResponseEnd(this.#req, this.#noBody ? 0 : this.#sent, this.#sentHeaders);
      } catch (error) {
        this.#log(`tsgi: the server's onResponseEnd hook threw: ${stack(error)}\n`);
      }
    }
    const body = this.#body;
    if (body === undefined || typeof body.close !== 'function') return;
    try {
      const result = body.close();
      if (result instanceof Promise)
        result.catch((error: unknown) => this.#log(`tsgi: the body's close() failed: ${stack(error)}\n`));
    } catch (error) {
      this.#log(`tsgi: the body's close() failed: ${stack(error)}\n`);
    }
  }

  /** A bug of ours while answering: log it, cut the connection, never crash the process. */
  #internalError(error: unknown): void {
    this.#log(`tsgi: internal error while sending a response: ${stack(error)}\n`);
    try {
      if (!this.#res.destroyed) this.#res.destroy();
    } catch {
      // Already gone.
    }
    this.#closeBody();
  }

  #log(text: string): void {
    try {
      this.#errors.write(text);
      this.#errors.flush();
    } catch {
      // An error stream that fails must not take the server down.
    }
  }

  /** The request, for servers that extend the exchange (logging). */
  get request(): IncomingMessage {
    return this.#req;
  }
}

/** An error's stack, or a description of a thrown non-error. */
export function stack(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return `A non-Error was thrown: ${describe(error)}`;
}
