/**
 * `validator(app)`: middleware that checks both sides of every exchange against docs/spec.md —
 * the environ, `wsgi.input` and `wsgi.errors` the server provides, the calls the application
 * makes to `startResponse` and `write`, the body it returns, and how the server iterates and
 * closes that body. The checks of Python's `wsgiref.validate` and Ruby's `Rack::Lint`, transposed,
 * plus those both miss. It changes nothing in a correct exchange. A development tool: it is
 * neither fast nor meant for production.
 *
 * How violations surface (§8): an application's violation is thrown to the server at the moment
 * it happens (from the application call, `startResponse`, `write`, or the body's `next()`), so the
 * server answers 500 or cuts the connection and logs it. A server's violation is thrown where the
 * server called in, written to `wsgi.errors`, and passed to `onViolation`, or, without that
 * option, raised as an uncaught exception.
 *
 * close() never called (§5.3) is found on two clocks: a server that has finished with a body —
 * its iterator returned `done`, `return()` settled, `next()` threw, or every element of an array
 * body was read by index — must have called `close()` by the next turn of the event loop (a
 * `setImmediate` after that moment); and a body collected by the garbage collector unclosed is
 * reported whenever that happens.
 */
import { describe } from './describe.ts';
import { CONTROL, DIGITS, HOP_BY_HOP, TOKEN } from './http-rules.ts';
import type { Application, Body, ClosableBody, Environ, HeaderList, StartResponse, Write } from './types.ts';
import {
  CheckedErrors,
  CheckedInput,
  Reporter,
  ValidationError,
  checkEnviron,
  type Rule,
  type ValidatorOptions,
} from './validator-environ.ts';

export { ValidationError, RULES } from './validator-environ.ts';
export type { Rule, Side, ValidatorOptions } from './validator-environ.ts';

/** Reports a body collected unclosed: the backstop of the close-missing rule. */
const unclosed = new FinalizationRegistry<{ report: Reporter; what: string }>(({ report, what }) => {
  report.violation(
    'close-missing',
    `The server dropped the body of ${what} without calling its close(); call close() once on every path, including errors and disconnects`,
  );
});

function named(value: string): string {
  const text = value.length > 60 ? value.slice(0, 60) + '…' : value;
  return JSON.stringify(text).replace(/\\u0000/g, '\\0');
}

/**
 * Wraps `app` so that every exchange through it is checked against docs/spec.md. Keeps
 * `app.ready`.
 *
 * @example
 * import { serve, validator } from 'tsgi/gateway';
 * const handle = await serve(validator(app), { port: 8000 });
 *
 * // In a test, collect what goes wrong instead of failing at once:
 * const found: ValidationError[] = [];
 * const checked = validator(app, { onViolation: (error) => found.push(error) });
 */
export function validator(app: Application, options: ValidatorOptions = {}): Application {
  const setup = new Reporter(options);
  if (typeof app !== 'function') {
    throw setup.violation(
      'app-type',
      `The validator was given ${describe(app)} instead of an application; a TSGI application is a function (environ, startResponse) => body`,
    );
  }
  let ready: 'pending' | 'ok' | 'failed' = 'ok';
  if (app.ready !== undefined) {
    if (!(app.ready instanceof Promise))
      throw setup.violation(
        'ready-type',
        `The application's ready is ${describe(app.ready)}; when present it must be a Promise`,
      );
    ready = 'pending';
    // Registered before the server gets the wrapper, so it runs before any continuation of the server's.
    app.ready.then(
      () => (ready = 'ok'),
      () => (ready = 'failed'),
    );
  }
  const wrapped = ((...args: unknown[]) => {
    const report = new Reporter(options);
    if (args.length !== 2 || typeof args[1] !== 'function') {
      throw report.violation(
        'app-call',
        `The server called the application with ${args.length} arguments (${args.map((a) => describe(a)).join(', ')}); call it with (environ, startResponse)`,
      );
    }
    // An application with `ready` waits for it itself when called early (§2.3); one that failed to load is not served.
    if (ready === 'failed') {
      throw report.violation(
        'ready-failed',
        'The server called the application although its ready promise rejected; an application that failed to load is not served (answer 503)',
      );
    }
    return new Checked(report, args[0], args[1] as StartResponse).run(app);
  }) as Application;
  if (app.ready !== undefined) wrapped.ready = app.ready;
  return wrapped;
}

/** One exchange under the validator. */
class Checked {
  readonly #report: Reporter;
  readonly #environ: Environ;
  readonly #serverStart: StartResponse;
  readonly #head: boolean;
  readonly #what: string;
  readonly #originals: [Environ['wsgi.input'], Environ['wsgi.errors']];
  #serverWrite: Write | undefined;
  #started = false;
  #code = 0;
  #headers: HeaderList = [];
  /** Content-Length the application declared, or -1. */
  #declared = -1;
  /** Bytes the application produced, through write() and the body. */
  #bytes = 0;
  /** A non-empty chunk has reached the server: the headers may be on the wire. */
  #headersOut = false;
  #writePending = false;
  /** The server has finished with the body (see the module comment). */
  #finished = false;
  #closed = false;
  #pendingSteps = 0;
  #closeCheck = 0;

  constructor(report: Reporter, environ: unknown, serverStart: StartResponse) {
    this.#report = report;
    checkEnviron(environ, report);
    this.#environ = environ;
    this.#serverStart = serverStart;
    this.#head = environ.REQUEST_METHOD === 'HEAD';
    this.#what = `${environ.REQUEST_METHOD} ${environ.RAW_URI ?? environ.SCRIPT_NAME + environ.PATH_INFO}`;
    this.#originals = [environ['wsgi.input'], environ['wsgi.errors']];
    environ['wsgi.input'] = new CheckedInput(environ['wsgi.input'], report, environ.CONTENT_LENGTH);
    environ['wsgi.errors'] = new CheckedErrors(environ['wsgi.errors'], report);
  }

  /**
   * Puts the server's own streams back into the environ once the exchange is over (the body closed,
   * or the application failed): a server may read `environ['wsgi.errors']` afterwards, as the
   * gateway test client does, and must find its own object there.
   */
  #restore(): void {
    [this.#environ['wsgi.input'], this.#environ['wsgi.errors']] = this.#originals;
  }

  #fail(rule: Rule, sentence: string): never {
    throw this.#report.violation(rule, sentence);
  }

  run(app: Application): ClosableBody | Promise<ClosableBody> {
    const failed = (error: unknown): never => {
      this.#restore();
      throw error;
    };
    try {
      const result = app(this.#environ, this.#startResponse.bind(this) as StartResponse);
      if (result instanceof Promise) return result.then((body) => this.#wrapBody(body)).catch(failed);
      return this.#wrapBody(result);
    } catch (error) {
      return failed(error);
    }
  }

  #startResponse(...args: unknown[]): Write {
    if (args.length < 2 || args.length > 3) {
      this.#fail(
        'start-args',
        `The application called startResponse() with ${args.length} arguments; it takes (status, headers) or (status, headers, excInfo)`,
      );
    }
    const [status, headers, excInfo] = args;
    const hasExc = excInfo !== undefined && excInfo !== null;
    if (this.#finished || this.#closed)
      this.#fail(
        'start-late',
        `The application called startResponse(${describe(status)}) after the server finished with its body; the response is over`,
      );
    if (this.#started && !hasExc) {
      this.#fail(
        'start-twice',
        `The application called startResponse(${describe(status)}) a second time without excInfo; call it once, or pass the error being handled as the third argument`,
      );
    }
    const code = this.#checkStatus(status);
    const declared = this.#checkHeaders(headers, code);
    let write: unknown;
    try {
      write = this.#serverStart(status as string, headers as HeaderList, excInfo);
    } catch (error) {
      if (hasExc && error === excInfo && !this.#headersOut) {
        this.#report.violation(
          'headers-early',
          `The server re-threw excInfo from startResponse() before any body byte had been sent; headers go out with the first non-empty chunk, so they could still be replaced`,
        );
      }
      throw error;
    }
    if (hasExc && this.#headersOut) {
      this.#fail(
        'exc-info-rethrow',
        'The server accepted startResponse() with excInfo after the headers had been sent; it must re-throw excInfo then',
      );
    }
    if (typeof write !== 'function')
      this.#fail(
        'start-result',
        `The server's startResponse() returned ${describe(write)} instead of the write function`,
      );
    this.#serverWrite = write as Write;
    this.#started = true;
    this.#code = code;
    this.#headers = headers as HeaderList;
    this.#declared = declared;
    return this.#write.bind(this) as Write;
  }

  #checkStatus(status: unknown): number {
    const example = 'a status is three digits, a space and a reason phrase, e.g. "200 OK"';
    if (typeof status !== 'string')
      this.#fail(
        'status-format',
        `The application called startResponse() with the status ${describe(status)}; ${example}`,
      );
    const match = /^([1-9]\d\d) (.+)$/s.exec(status);
    if (!match || CONTROL.test(match[2]!))
      this.#fail(
        'status-format',
        `The application called startResponse() with the status ${named(status)}; ${example}`,
      );
    const code = Number(match[1]);
    if (code > 599)
      this.#fail(
        'status-format',
        `The application called startResponse() with the status ${named(status)}; status codes run from 100 to 599 (RFC 9110 §15)`,
      );
    if (code < 200) {
      this.#fail(
        'status-informational',
        `The application called startResponse() with the status ${named(status)}; a 1xx status is informational, never the final response, and is the server's to send`,
      );
    }
    return code;
  }

  /** Checks the header list (§4.2, §5.4); returns the declared Content-Length, or -1. */
  #checkHeaders(headers: unknown, code: number): number {
    if (!Array.isArray(headers))
      this.#fail(
        'headers-list',
        `The application called startResponse() with ${describe(headers)} as headers; pass an array of [name, value] pairs`,
      );
    let declared = -1;
    for (const pair of headers as unknown[]) {
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
        this.#fail(
          'headers-list',
          `The application's headers contain ${describe(pair)}; each header is a [name, value] pair of strings`,
        );
      }
      const [name, value] = pair as [string, string];
      const lower = name.toLowerCase();
      if (!TOKEN.test(name))
        this.#fail(
          'header-name',
          `The application's header name ${named(name)} is not an HTTP token; use letters, digits and !#$%&'*+-.^_\`|~ only`,
        );
      if (CONTROL.test(value)) {
        this.#fail(
          'header-value',
          `The value of the application's header ${name} is ${named(value)}, which contains a control character (CR, LF, NUL...); one header per pair, no line breaks`,
        );
      }
      if (lower === 'status')
        this.#fail(
          'header-status',
          'The application sent a Status header; the status goes in the first argument of startResponse(), not in a header',
        );
      if (HOP_BY_HOP.has(lower))
        this.#fail(
          'hop-by-hop',
          `The application sent the hop-by-hop header ${name}; connection management belongs to the server, remove it`,
        );
      if (lower === 'content-length') {
        if (!DIGITS.test(value))
          this.#fail(
            'content-length-header',
            `The application's Content-Length is ${named(value)}; it must be digits only`,
          );
        if (declared >= 0)
          this.#fail('content-length-header', 'The application sent two Content-Length headers; send one');
        if (code === 204)
          this.#fail(
            'content-length-forbidden',
            'The application sent a Content-Length with a 204 response; a 204 has no content and no length (RFC 9110 §8.6)',
          );
        declared = Number(value);
      }
      if (lower === 'content-type' && (code === 204 || code === 304)) {
        this.#fail(
          'content-type-forbidden',
          `The application sent a Content-Type with a ${code} response, which has no content; leave it out`,
        );
      }
    }
    return declared;
  }

  /** `n` non-empty bytes produced by the application through `where`: the checks of §4.2, §4.3, §5.2, §5.4. */
  #produce(n: number, where: string): void {
    if (!this.#started)
      this.#fail(
        'body-before-start',
        `The application produced ${n} body bytes through ${where} before calling startResponse(); call startResponse() first`,
      );
    if (this.#code === 204 || this.#code === 304) {
      this.#fail(
        'no-content-body',
        `The application produced ${n} body bytes for a ${this.#code} response, which has no content; return an empty body`,
      );
    }
    if (!this.#headersOut) {
      // Headers are read by the server when they go out: check them again, the list may have changed.
      this.#declared = this.#checkHeaders(this.#headers, this.#code);
      if (!this.#headers.some(([name]) => name.toLowerCase() === 'content-type')) {
        this.#fail(
          'content-type-missing',
          `The application sent a ${this.#code} response with content but no Content-Type header; say what the content is`,
        );
      }
    }
    this.#bytes += n;
    if (this.#declared >= 0 && this.#bytes > this.#declared) {
      this.#fail(
        'content-length-mismatch',
        `The application produced ${this.#bytes} bytes so far through ${where}, more than its Content-Length of ${this.#declared}`,
      );
    }
    this.#headersOut = true;
  }

  /** The body has ended in full: it must have started the response and met its length. */
  #complete(): void {
    if (!this.#started)
      this.#fail(
        'body-before-start',
        'The application returned its body and it ended without startResponse() having been called; call startResponse() before the body ends',
      );
    if (this.#declared >= 0 && this.#bytes < this.#declared && !this.#head && this.#code !== 304) {
      this.#fail(
        'content-length-mismatch',
        `The application's body ended after ${this.#bytes} bytes, fewer than its Content-Length of ${this.#declared}`,
      );
    }
  }

  #write(...args: unknown[]): Promise<void> {
    const chunk = args[0];
    if (this.#finished || this.#closed) {
      this.#fail(
        'write-late',
        `The application called write() after the server finished with its body; write only while the response is in progress`,
      );
    }
    if (args.length !== 1 || !(chunk instanceof Uint8Array)) {
      this.#fail(
        'write-chunk',
        `The application called write() with ${args.map((a) => describe(a)).join(', ') || 'nothing'}; it takes one Uint8Array (encode text with TextEncoder)`,
      );
    }
    if (this.#writePending)
      this.#fail(
        'write-overlap',
        'The application called write() before the promise of its previous write() settled; await each write()',
      );
    if (chunk.length > 0) this.#produce(chunk.length, 'write()');
    const result: unknown = this.#serverWrite!(chunk);
    if (!(result instanceof Promise))
      this.#fail('write-result', `The server's write() returned ${describe(result)} instead of a Promise`);
    this.#writePending = true;
    return result.then(
      () => {
        this.#writePending = false;
      },
      (error: unknown) => {
        this.#writePending = false;
        throw error;
      },
    );
  }

  #wrapBody(body: unknown): ClosableBody {
    const problem =
      body instanceof Uint8Array
        ? 'a bare Uint8Array, which iterates over numbers; wrap it in an array: [bytes]'
        : typeof body === 'string'
          ? `a string (${named(body)}); return [new TextEncoder().encode(text)]`
          : body === null || typeof body !== 'object'
            ? `${describe(body)}; return an Iterable<Uint8Array> or an AsyncIterable<Uint8Array>`
            : typeof (body as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] !== 'function' &&
                typeof (body as Partial<Iterable<unknown>>)[Symbol.iterator] !== 'function'
              ? `${describe(body)}, which is not iterable; return an Iterable<Uint8Array> or an AsyncIterable<Uint8Array>`
              : (body as ClosableBody).close !== undefined && typeof (body as ClosableBody).close !== 'function'
                ? `a body whose close is ${describe((body as ClosableBody).close)}; close, when present, is a method`
                : null;
    const inner = body as ClosableBody;
    try {
      if (problem !== null) this.#fail('body-type', `The application returned ${problem}`);
      const wrapper = Array.isArray(inner) ? this.#wrapArray(inner as unknown[], inner) : this.#wrapIterable(inner);
      unclosed.register(wrapper, { report: this.#report, what: this.#what }, wrapper);
      return wrapper;
    } catch (error) {
      // Rejected before the server ever saw it: the application's resources are released here.
      const close = (inner as { close?: unknown } | null)?.close;
      if (typeof close === 'function') {
        void Promise.resolve()
          .then(() => close.call(inner))
          .catch(() => {});
      }
      throw error;
    }
  }

  #closer(inner: ClosableBody, wrapper: () => object): () => void | Promise<void> {
    return () => {
      if (this.#closed)
        this.#fail(
          'close-twice',
          `The server called close() a second time on the body of ${this.#what}; call it exactly once`,
        );
      this.#closed = true;
      unclosed.unregister(wrapper());
      this.#restore();
      return inner.close?.();
    };
  }

  /** An array stays an array (its length is known, §5.2); its elements are checked at once. */
  #wrapArray(chunks: unknown[], inner: ClosableBody): ClosableBody {
    chunks.forEach((chunk, i) => {
      if (!(chunk instanceof Uint8Array))
        this.#fail(
          'body-chunk',
          `The application's body array holds ${describe(chunk)} at index ${i}; every chunk is a Uint8Array`,
        );
    });
    const bytes = chunks as Uint8Array[];
    bytes.forEach((chunk) => chunk.length > 0 && this.#produce(chunk.length, 'the body array'));
    this.#complete();
    const wrapper: Uint8Array[] & { close(): void | Promise<void> } = Object.assign([], {
      close: this.#closer(inner, () => wrapper),
    });
    // Elements read by index are seen as read; the last one read means the server is done (§5.3).
    let unread = bytes.length;
    bytes.forEach((chunk, i) => {
      let seen = false;
      Object.defineProperty(wrapper, i, {
        enumerable: true,
        get: () => {
          if (!seen && !this.#iterated) {
            seen = true;
            if (--unread === 0) this.#armCloseCheck();
          }
          return chunk;
        },
      });
    });
    Object.defineProperty(wrapper, Symbol.iterator, {
      value: () => this.#iterate(bytes[Symbol.iterator](), false, true),
    });
    return wrapper;
  }

  #iterated = false;

  #wrapIterable(inner: ClosableBody): ClosableBody {
    const wrapper: Partial<Body> & { close(): void | Promise<void> } = { close: this.#closer(inner, () => wrapper) };
    const asyncMethod = (inner as Partial<AsyncIterable<Uint8Array>>)[Symbol.asyncIterator];
    const syncMethod = (inner as Partial<Iterable<Uint8Array>>)[Symbol.iterator];
    if (typeof asyncMethod === 'function') {
      (wrapper as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] = () =>
        this.#iterate(asyncMethod.call(inner), true) as AsyncIterator<Uint8Array>;
    }
    if (typeof syncMethod === 'function') {
      (wrapper as Iterable<Uint8Array>)[Symbol.iterator] = () =>
        this.#iterate(syncMethod.call(inner), false) as Iterator<Uint8Array>;
    }
    // A file body stays recognisable, so that a server can still send it its own way (§5.5).
    for (const key of ['file', 'blockSize'] as const)
      if (key in inner)
        Object.defineProperty(wrapper, key, {
          value: (inner as unknown as Record<string, unknown>)[key],
          enumerable: true,
        });
    return wrapper as ClosableBody;
  }

  /** The server has finished with the body: close() must follow before the event loop turns (§5.3). */
  #finish(): void {
    this.#finished = true;
    this.#armCloseCheck();
  }

  #armCloseCheck(): void {
    if (this.#closed || this.#pendingSteps > 0) return;
    const ticket = ++this.#closeCheck;
    setImmediate(() => {
      if (ticket !== this.#closeCheck || this.#closed || this.#pendingSteps > 0) return;
      this.#report.violation(
        'close-missing',
        `The server finished with the body of ${this.#what} but had not called its close() by the next turn of the event loop; call close() as soon as iteration ends, on every path`,
      );
    });
  }

  /** An iterator over the application's body that checks the server's use and the application's chunks. */
  #iterate(
    inner: Iterator<unknown> | AsyncIterator<unknown>,
    isAsync: boolean,
    counted = false,
  ): Iterator<Uint8Array> | AsyncIterator<Uint8Array> {
    if (this.#iterated)
      this.#fail(
        'body-iterate-twice',
        `The server iterated the body of ${this.#what} a second time; a body is iterated once`,
      );
    if (this.#closed)
      this.#fail('body-next-late', `The server started iterating the body of ${this.#what} after calling its close()`);
    this.#iterated = true;
    // Iteration supersedes reads by index: the server is done when the iterator ends.
    this.#closeCheck++;
    let pending = false;
    const step = (result: unknown): IteratorResult<Uint8Array> => {
      if (result === null || typeof result !== 'object')
        this.#fail(
          'body-chunk',
          `The application's body iterator returned ${describe(result)} from next(); an iterator returns { value, done }`,
        );
      const { value, done } = result as IteratorResult<unknown>;
      if (done) {
        this.#finish();
        this.#complete();
        return { value: undefined, done: true };
      }
      if (!(value instanceof Uint8Array))
        this.#fail(
          'body-chunk',
          `The application's body produced ${describe(value)}; every chunk is a Uint8Array (encode text with TextEncoder)`,
        );
      // An array's chunks were counted when it was returned.
      if (value.length > 0 && !counted) this.#produce(value.length, 'its body');
      return { value, done: false };
    };
    const enter = (): void => {
      if (this.#closed || this.#finished) {
        this.#fail(
          'body-next-late',
          `The server asked the body of ${this.#what} for another chunk after ${this.#closed ? 'calling its close()' : 'its iteration had ended'}`,
        );
      }
      if (pending)
        this.#fail(
          'body-next-overlap',
          `The server called next() on the body of ${this.#what} before the previous next() had settled; await each chunk`,
        );
    };
    const track = <T>(promise: Promise<T>): Promise<T> => {
      this.#pendingSteps++;
      const settle = (): void => {
        this.#pendingSteps--;
        if (this.#finished) this.#finish();
      };
      return promise.then(
        (value) => {
          settle();
          return value;
        },
        (error: unknown) => {
          settle();
          throw error;
        },
      );
    };
    const ended = (error: unknown): never => {
      if (!(error instanceof ValidationError && error.side === 'server')) this.#finish();
      throw error;
    };
    if (isAsync) {
      const it = inner as AsyncIterator<unknown>;
      return {
        next: (): Promise<IteratorResult<Uint8Array>> => {
          enter();
          pending = true;
          return track(Promise.resolve().then(() => it.next()))
            .then(
              (result) => {
                pending = false;
                return step(result);
              },
              (error: unknown) => {
                pending = false;
                throw error;
              },
            )
            .catch(ended);
        },
        return: (): Promise<IteratorResult<Uint8Array>> => {
          this.#finished = true;
          return track(Promise.resolve().then(() => it.return?.())).then(
            () => ({ value: undefined, done: true }),
            (error: unknown) => ended(error),
          );
        },
      };
    }
    const it = inner as Iterator<unknown>;
    return {
      next: (): IteratorResult<Uint8Array> => {
        enter();
        try {
          return step(it.next());
        } catch (error) {
          return ended(error);
        }
      },
      return: (): IteratorResult<Uint8Array> => {
        try {
          it.return?.();
        } catch (error) {
          ended(error);
        }
        this.#finish();
        return { value: undefined, done: true };
      },
    };
  }
}
