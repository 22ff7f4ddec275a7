/**
 * Fetch interop (docs/fetch.md): `toFetchHandler` runs a TSGI application wherever only
 * `fetch(Request) => Response` exists (Bun, Deno, Cloudflare Workers/workerd, service workers);
 * `fromFetchHandler` (fetch-from.ts) runs a Fetch application (Hono, itty, ...) under a TSGI server.
 *
 * This module and the ones it imports use web standards only: no `node:` import.
 */
import type { Application, ClosableBody, ErrorStream, HeaderList, StartResponse, Write } from './types.ts';
import { ConsoleErrorStream, environFromRequest } from './fetch-environ.ts';
import type { FetchEnvironOptions, RemoteAddress } from './fetch-environ.ts';
import { describe } from './describe.ts';
import { checkHeaders, isNullBodyStatus, parseStatus } from './http-rules.ts';

export { fromFetchHandler } from './fetch-from.ts';
export type { FetchApplication, FetchFunction, FetchObject } from './fetch-from.ts';
export type { RemoteAddress };

/** Options of `toFetchHandler`: how the environ is filled (`scriptName`, `remoteAddress`, `environ`, `errors`, `multiprocess`). */
export type ToFetchHandlerOptions = FetchEnvironOptions;

/** What `toFetchHandler` returns: the runtime's fetch handler. Extra arguments reach the options. */
export type FetchHandler = (request: Request, ...context: unknown[]) => Promise<Response>;

/**
 * Wraps a TSGI application as a Fetch handler.
 *
 * The environ is built from the Request (§3), `tsgi.signal` aborts when the request's signal does
 * or the response body is cancelled, the body streams out with backpressure, and the application's
 * body is closed exactly once whatever happens (§5.3).
 *
 * @example
 * // Bun
 * const handler = toFetchHandler(app, { remoteAddress: (req, server) => (server as Bun.Server).requestIP(req) });
 * Bun.serve({ port: 8000, fetch: handler });
 * // Deno
 * Deno.serve({ port: 8000 }, toFetchHandler(app, { remoteAddress: (_req, info) => info.remoteAddr.hostname }));
 * // Cloudflare Workers / workerd
 * export default { fetch: toFetchHandler(app) };
 */
export function toFetchHandler(app: Application, options: ToFetchHandlerOptions = {}): FetchHandler {
  if (typeof app !== 'function') {
    throw new TypeError(
      `toFetchHandler() takes a TSGI application (a function (environ, startResponse) => body); it was given ${describe(app)}.`,
    );
  }
  return async (request, ...context) => {
    const exchange = new FetchExchange(request, options, context);
    try {
      await app.ready;
    } catch (error) {
      exchange.report('The application failed to load (its ready promise rejected)', error);
      return plainResponse(request, 500, 'Internal Server Error');
    }
    const response = exchange.run(app);
    // Workers end a request's I/O context with its response: waitUntil keeps it until close().
    for (const item of context) {
      const waitUntil = (item as { waitUntil?: unknown } | null)?.waitUntil;
      if (typeof waitUntil === 'function') waitUntil.call(item, exchange.done);
    }
    return response;
  };
}

/** One request through the application: its environ, its response state, its output stream. */
class FetchExchange {
  readonly #request: Request;
  readonly #options: ToFetchHandlerOptions;
  readonly #context: readonly unknown[];
  readonly #abort = new AbortController();
  #code = 0;
  #statusText = '';
  #headers: Headers | null = null;
  #headersSent = false;
  #finished = false;
  #cancelled = false;
  #complete = false;
  #declared: number | undefined;
  #sent = 0;
  #outlet: Outlet;
  #resolve!: (response: Response) => void;
  #response = new Promise<Response>((resolve) => (this.#resolve = resolve));
  #errors: ErrorStream | null = null;
  #body: ClosableBody | null = null;
  #iterator: Iterator<Uint8Array> | AsyncIterator<Uint8Array> | null = null;
  #iterationDone = false;
  #closed: Promise<void> | null = null;
  #done: Promise<void> = Promise.resolve();

  constructor(request: Request, options: ToFetchHandlerOptions, context: readonly unknown[]) {
    this.#request = request;
    this.#options = options;
    this.#context = context;
    this.#outlet = new Outlet(() =>
      this.#clientGone(new DOMException('The response body was cancelled: the client went away.', 'AbortError')),
    );
    const parent = request.signal;
    // Deno (legacy mode) aborts request.signal after a successful response too: §3.5 wants only
    // a client that left early, so a response sent in full stops the forwarding.
    const forward = (): void => {
      if (!this.#complete) this.#clientGone(parent.reason);
    };
    if (parent.aborted) forward();
    else parent.addEventListener('abort', forward, { once: true });
  }

  get #noBody(): boolean {
    return this.#request.method === 'HEAD' || isNullBodyStatus(this.#code);
  }

  report(what: string, error: unknown): void {
    const errors = this.#errors ?? this.#options.errors ?? new ConsoleErrorStream();
    const detail = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
    errors.write(`${what} for ${this.#request.method} ${this.#request.url}:\n${detail}\n`);
    errors.flush();
  }

  run(app: Application): Promise<Response> {
    this.#done = this.#drive(app);
    return this.#response;
  }

  async #drive(app: Application): Promise<void> {
    try {
      const environ = environFromRequest(this.#request, this.#options, this.#abort.signal, this.#context);
      this.#errors = environ['wsgi.errors'];
      const body: unknown = await app(environ, this.#startResponse);
      this.#body = body as ClosableBody;
      this.#iterator = iteratorOf(body);
      this.#announceLength(body);
      while (!this.#cancelled && !(this.#headersSent && this.#noBody)) {
        const step = await this.#iterator.next();
        if (step.done) {
          this.#iterationDone = true;
          break;
        }
        const chunk: unknown = step.value;
        if (!(chunk instanceof Uint8Array)) {
          throw new TypeError(
            `The application's body produced ${describe(chunk)}; every chunk must be a Uint8Array (encode text with TextEncoder) (spec §5).`,
          );
        }
        if (this.#code === 0) {
          throw new Error(
            'The application produced a body chunk before calling startResponse(): call startResponse() first (spec §4.3).',
          );
        }
        if (chunk.byteLength > 0) await this.#send(chunk);
      }
      if (this.#code === 0) {
        throw new Error(
          'The application returned its body without calling startResponse(): call startResponse(status, headers) before the body ends (spec §4.3).',
        );
      }
      if (!this.#cancelled && !this.#noBody && this.#declared !== undefined && this.#sent < this.#declared) {
        throw new Error(
          `The application sent ${this.#sent} bytes but its Content-Length is ${this.#declared}; the response was cut short (spec §5.2).`,
        );
      }
      this.#complete = true;
      this.#sendHeaders();
      this.#outlet.close();
    } catch (error) {
      this.#fail(error);
    } finally {
      this.#finished = true;
      await this.#closeBody();
    }
  }

  /**
   * An array body's length is known before anything is sent: announce it (PEP 3333 suggests
   * this; Bun and Deno then send Content-Length rather than chunks).
   */
  #announceLength(body: unknown): void {
    if (this.#headersSent || this.#code === 0 || this.#declared !== undefined || !Array.isArray(body)) return;
    if (isNullBodyStatus(this.#code) || !body.every((chunk) => chunk instanceof Uint8Array)) return;
    this.#declared = (body as Uint8Array[]).reduce((total, chunk) => total + chunk.byteLength, 0);
    this.#headers!.set('content-length', String(this.#declared));
  }

  #startResponse: StartResponse = (status: string, headers: HeaderList, excInfo?: unknown): Write => {
    if (excInfo !== undefined && excInfo !== null) {
      // §4.3: once headers are out, the error can only propagate.
      if (this.#headersSent) throw excInfo;
    } else if (this.#code !== 0) {
      throw new Error(
        'startResponse() was called a second time without excInfo: call it once, or pass the error being handled as the third argument to replace headers not yet sent (spec §4.3).',
      );
    }
    const [code, text] = parseStatus(status);
    if (code > 599) {
      throw new Error(
        `startResponse() got the status ${JSON.stringify(status)}: a Fetch Response only carries statuses 200 to 599 (docs/fetch.md).`,
      );
    }
    const declared = checkHeaders(headers);
    const built = new Headers();
    for (const [name, value] of headers) {
      try {
        built.append(name, value);
      } catch {
        throw new TypeError(
          `startResponse() got the header ${JSON.stringify(name)}: ${JSON.stringify(value)}, which is not a valid HTTP field (RFC 9110 §5.5): remove control characters from the name and value (spec §4.2).`,
        );
      }
    }
    this.#code = code;
    this.#statusText = text;
    this.#headers = built;
    this.#declared = declared < 0 ? undefined : declared;
    return this.#write;
  };

  #write: Write = async (chunk: Uint8Array): Promise<void> => {
    if (!(chunk instanceof Uint8Array)) {
      throw new TypeError(
        `write() takes a Uint8Array, not ${describe(chunk)} (encode text with TextEncoder) (spec §4.4).`,
      );
    }
    if (this.#code === 0)
      throw new Error('write() was called before startResponse(): call startResponse() first (spec §4.4).');
    if (this.#finished)
      throw new Error(
        'write() was called after the response was complete: write only while the application runs (spec §4.4).',
      );
    if (chunk.byteLength > 0) await this.#send(chunk);
  };

  async #send(chunk: Uint8Array): Promise<void> {
    this.#sendHeaders();
    if (this.#noBody || this.#cancelled) return;
    if (this.#declared !== undefined && this.#sent + chunk.byteLength > this.#declared) {
      const room = this.#declared - this.#sent;
      if (room > 0) {
        this.#sent += room;
        await this.#outlet.push(chunk.subarray(0, room));
      }
      throw new Error(
        `The application sent more than its Content-Length of ${this.#declared} bytes; only ${this.#declared} bytes were sent (spec §5.2).`,
      );
    }
    this.#sent += chunk.byteLength;
    await this.#outlet.push(chunk);
  }

  #sendHeaders(): void {
    if (this.#headersSent) return;
    this.#headersSent = true;
    let body: ReadableStream<Uint8Array> | null = this.#noBody ? null : this.#outlet.stream;
    if (body && this.#declared !== undefined) body = withLength(body, this.#declared);
    let response: Response;
    try {
      response = new Response(body, { status: this.#code, statusText: this.#statusText, headers: this.#headers! });
    } catch {
      // A reason phrase Fetch refuses (outside latin-1): the code is what matters.
      response = new Response(body, { status: this.#code, headers: this.#headers! });
    }
    this.#resolve(response);
  }

  #fail(error: unknown): void {
    // Once the client is gone, whatever the app throws on its way out (often the abort) is moot.
    if (!this.#cancelled) this.report('Error in the application', error);
    if (!this.#headersSent) {
      this.#headersSent = true;
      this.#resolve(plainResponse(this.#request, 500, 'Internal Server Error'));
    } else {
      // Headers are out: abort the stream so the client sees a truncated response, not a complete one.
      this.#outlet.error(error);
    }
  }

  /** The response stream was cancelled or the request aborted: stop producing, close the body now. */
  #clientGone(reason: unknown): void {
    if (this.#cancelled) return;
    this.#cancelled = true;
    this.#abort.abort(reason);
    this.#outlet.abandon(reason);
    void this.#closeBody();
  }

  /**
   * §5.3: `return()` on an iterator left early and `close()`, each once, on every path. Both are
   * called at once: a generator stuck in an `await` only runs its return() after that await
   * settles, and close() must not wait for it (the client is gone, resources go now).
   */
  #closeBody(): Promise<void> {
    const body = this.#body;
    if (body === null) return Promise.resolve(); // not returned yet: #drive closes it when it is
    this.#closed ??= (async () => {
      const iterator = this.#iterator;
      const steps: Array<Promise<unknown>> = [];
      if (iterator && !this.#iterationDone && typeof iterator.return === 'function') {
        steps.push(this.#attempt('return()', () => iterator.return!()));
      }
      if (typeof body.close === 'function') steps.push(this.#attempt('close()', () => body.close!()));
      await Promise.all(steps);
    })();
    return this.#closed;
  }

  async #attempt(what: string, step: () => unknown): Promise<void> {
    try {
      await step();
    } catch (error) {
      this.report(`Error in the body's ${what}`, error);
    }
  }

  /** Settles when the body has been closed; Workers' `ctx.waitUntil` keeps the isolate for it. */
  get done(): Promise<void> {
    return this.#done;
  }
}

function iteratorOf(body: unknown): Iterator<Uint8Array> | AsyncIterator<Uint8Array> {
  if (body instanceof Uint8Array) {
    // Iterable, but over numbers: the commonest slip, named as such.
    throw new TypeError(
      'The application returned a bare Uint8Array, which is not a body: wrap it in an array (return [bytes]) (spec §5).',
    );
  }
  if (body !== null && typeof body === 'object') {
    const asyncIterator = (body as Partial<AsyncIterable<Uint8Array>>)[Symbol.asyncIterator];
    if (typeof asyncIterator === 'function') return asyncIterator.call(body);
    const iterator = (body as Partial<Iterable<Uint8Array>>)[Symbol.iterator];
    if (typeof iterator === 'function') return iterator.call(body);
  }
  throw new TypeError(
    `The application returned ${describe(body)}, which is not a body: return an Iterable<Uint8Array> or an AsyncIterable<Uint8Array>, e.g. [new TextEncoder().encode('text')] (spec §5).`,
  );
}

/**
 * A stream body with a known length. Bun and Deno send the application's Content-Length as is;
 * workerd drops it for a stream unless the stream is a FixedLengthStream, its documented way.
 */
function withLength(body: ReadableStream<Uint8Array>, length: number): ReadableStream<Uint8Array> {
  const Fixed = (globalThis as { FixedLengthStream?: new (length: number) => TransformStream<Uint8Array, Uint8Array> })
    .FixedLengthStream;
  return Fixed ? body.pipeThrough(new Fixed(length)) : body;
}

function plainResponse(request: Request, status: number, text: string): Response {
  const headers = { 'content-type': 'text/plain; charset=utf-8' };
  const body = request.method === 'HEAD' ? null : `${status} ${text}\n`;
  return new Response(body, { status, statusText: text, headers });
}

/**
 * The response body stream. Its high-water mark is 0, so the producer runs only when the consumer
 * (the runtime writing to the socket) asks for a chunk: that is the backpressure (§5.2).
 */
class Outlet {
  readonly stream: ReadableStream<Uint8Array>;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #settlePull: (() => void) | null = null;
  #wakeProducer: (() => void) | null = null;
  #ended = false;

  constructor(onCancel: () => void) {
    this.stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller;
        },
        pull: () =>
          new Promise<void>((resolve) => {
            this.#settlePull = resolve;
            this.#wake();
          }),
        cancel: () => {
          this.#ended = true;
          this.#settle();
          this.#wake();
          onCancel();
        },
      },
      { highWaterMark: 0 },
    );
  }

  /** Resolves once the chunk is handed to a waiting reader, or at once if the stream has ended. */
  async push(chunk: Uint8Array): Promise<void> {
    if (this.#ended) return;
    if (!this.#settlePull) await new Promise<void>((resolve) => (this.#wakeProducer = resolve));
    if (this.#ended) return;
    this.#controller.enqueue(chunk);
    this.#settle();
  }

  /** Stops a producer waiting for demand: nobody will read what it has. */
  abandon(reason: unknown): void {
    this.#ended = true;
    try {
      this.#controller.error(reason); // a no-op when the stream was cancelled
    } catch {
      // Already closed or errored.
    }
    this.#settle();
    this.#wake();
  }

  close(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#controller.close();
    this.#settle();
  }

  error(reason: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#controller.error(reason);
    this.#settle();
  }

  #settle(): void {
    const settle = this.#settlePull;
    this.#settlePull = null;
    settle?.();
  }

  #wake(): void {
    const wake = this.#wakeProducer;
    this.#wakeProducer = null;
    wake?.();
  }
}
