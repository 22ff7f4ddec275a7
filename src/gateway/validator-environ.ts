/**
 * The validator's rule book, its error, its reporter and the request half of its checks (spec
 * §3): the environ, `wsgi.input` and `wsgi.errors`. `validator.ts` holds the response half.
 */
import { describe } from './describe.ts';
import { DIGITS, TOKEN } from './http-rules.ts';
import type { Environ, ErrorStream, InputStream } from './types.ts';

/**
 * Every rule the validator enforces, with the section of docs/spec.md that states it and the side
 * that breaks it: the application or the server.
 */
export const RULES = {
  // The application callable (§2).
  'app-type': ['§2.1', 'application'],
  'app-call': ['§2.1', 'server'],
  'ready-type': ['§2.3', 'application'],
  'ready-failed': ['§2.3', 'server'],
  // The environ (§3).
  'environ-object': ['§3', 'server'],
  'environ-required': ['§3', 'server'],
  'environ-cgi-string': ['§3', 'server'],
  'request-method': ['§3.1', 'server'],
  'script-name': ['§3.1', 'server'],
  'path-info': ['§3.1', 'server'],
  'server-name': ['§3.1', 'server'],
  'server-port': ['§3.1', 'server'],
  'server-protocol': ['§3.1', 'server'],
  'content-length-environ': ['§3.1', 'server'],
  'remote-port': ['§3.1', 'server'],
  'http-content-keys': ['§3.2', 'server'],
  'input-shape': ['§3.3', 'server'],
  'input-args': ['§3.3', 'application'],
  'input-overlap': ['§3.3', 'application'],
  'input-close': ['§3.3', 'application'],
  'input-result': ['§3.3', 'server'],
  'input-length': ['§3.3', 'server'],
  'errors-shape': ['§3.4', 'server'],
  'errors-write': ['§3.4', 'application'],
  'errors-close': ['§3.4', 'application'],
  'signal-type': ['§3.5', 'server'],
  'tmpdir-type': ['§3.5', 'server'],
  'wsgi-version': ['§3.6', 'server'],
  'url-scheme': ['§3.6', 'server'],
  'wsgi-flags': ['§3.6', 'server'],
  'file-wrapper-type': ['§5.5', 'server'],
  // startResponse (§4).
  'start-args': ['§4', 'application'],
  'start-result': ['§4', 'server'],
  'status-format': ['§4.1', 'application'],
  'status-informational': ['§4.1', 'application'],
  'headers-list': ['§4.2', 'application'],
  'header-name': ['§4.2', 'application'],
  'header-value': ['§4.2', 'application'],
  'header-status': ['§4.2', 'application'],
  'hop-by-hop': ['§4.2', 'application'],
  'content-length-header': ['§4.2', 'application'],
  'content-type-missing': ['§4.2', 'application'],
  'start-twice': ['§4.3', 'application'],
  'start-late': ['§4.3', 'application'],
  'body-before-start': ['§4.3', 'application'],
  'exc-info-rethrow': ['§4.3', 'server'],
  'headers-early': ['§4.3', 'server'],
  'write-chunk': ['§4.4', 'application'],
  'write-overlap': ['§4.4', 'application'],
  'write-late': ['§4.4', 'application'],
  'write-result': ['§4.4', 'server'],
  // The body (§5).
  'body-type': ['§5', 'application'],
  'body-chunk': ['§5.1', 'application'],
  'body-iterate-twice': ['§5.1', 'server'],
  'body-next-overlap': ['§5.1', 'server'],
  'body-next-late': ['§5.1', 'server'],
  'content-length-mismatch': ['§5.2', 'application'],
  'close-twice': ['§5.3', 'server'],
  'close-missing': ['§5.3', 'server'],
  'no-content-body': ['§5.4', 'application'],
  'content-length-forbidden': ['§5.4', 'application'],
  'content-type-forbidden': ['§5.4', 'application'],
} as const satisfies Record<string, readonly [section: string, side: 'application' | 'server']>;

export type Rule = keyof typeof RULES;
export type Side = 'application' | 'server';

/**
 * A broken rule of docs/spec.md. `rule` is its name in {@link RULES}, `section` where the spec
 * states it, `side` who broke it. The message is a sentence that names the bad value and ends
 * with the rule and the section, e.g. `(rule status-format, docs/spec.md §4.1)`.
 */
export class ValidationError extends Error {
  readonly rule: Rule;
  readonly section: string;
  readonly side: Side;
  constructor(rule: Rule, sentence: string) {
    const [section, side] = RULES[rule];
    super(`${sentence} (rule ${rule}, docs/spec.md ${section}).`);
    this.name = 'ValidationError';
    this.rule = rule;
    this.section = section;
    this.side = side;
  }
}

/** Options of `validator()`. */
export interface ValidatorOptions {
  /**
   * Called with every violation, of either side, as it is found. When given, it replaces the
   * default treatment of server-side violations (raising them as uncaught exceptions).
   */
  onViolation?: (error: ValidationError) => void;
}

/**
 * Delivers violations. An application's violation is thrown to its caller, the server, which
 * answers 500 or cuts the connection (§6). A server's violation cannot be left to the server to
 * report: it is also written to `wsgi.errors` and, unless `onViolation` takes it, raised as an
 * uncaught exception so that a test run or a development server cannot miss it.
 */
export class Reporter {
  readonly #onViolation: ((error: ValidationError) => void) | undefined;
  errors: ErrorStream | undefined;

  constructor(options: ValidatorOptions) {
    this.#onViolation = options.onViolation;
  }

  /** Builds the error and reports it; the caller throws it when there is a caller to throw to. */
  violation(rule: Rule, sentence: string): ValidationError {
    const error = new ValidationError(rule, sentence);
    if (error.side === 'server') {
      try {
        this.errors?.write(`tsgi validator: ${error.message}\n`);
        this.errors?.flush();
      } catch {
        // A broken error stream is itself reported by the environ checks.
      }
    }
    if (this.#onViolation) this.#onViolation(error);
    else if (error.side === 'server') {
      queueMicrotask(() => {
        throw error;
      });
    }
    return error;
  }
}

const REQUIRED = [
  'REQUEST_METHOD',
  'SCRIPT_NAME',
  'PATH_INFO',
  'QUERY_STRING',
  'SERVER_NAME',
  'SERVER_PORT',
  'SERVER_PROTOCOL',
  'wsgi.version',
  'wsgi.url_scheme',
  'wsgi.input',
  'wsgi.errors',
  'wsgi.multithread',
  'wsgi.multiprocess',
  'wsgi.run_once',
] as const;

/** Checks the environ the server built (§3); throws the first violation. */
export function checkEnviron(environ: unknown, report: Reporter): asserts environ is Environ {
  const fail = (rule: Rule, sentence: string): never => {
    throw report.violation(rule, sentence);
  };
  if (environ === null || typeof environ !== 'object' || Array.isArray(environ)) {
    fail(
      'environ-object',
      `The server called the application with ${describe(environ)} as the environ; it must be a plain object`,
    );
  }
  const env = environ as Record<string, unknown>;
  const proto = Object.getPrototypeOf(env) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    fail(
      'environ-object',
      `The server called the application with ${describe(env)} as the environ; it must be a plain object, not an instance of a class`,
    );
  }
  if (!Object.isExtensible(env)) {
    fail(
      'environ-object',
      'The server passed a frozen or sealed environ; the application and its middleware may add keys to it, so it must stay extensible',
    );
  }
  const errors = env['wsgi.errors'] as Partial<ErrorStream> | undefined;
  if (errors && typeof errors.write === 'function' && typeof errors.flush === 'function')
    report.errors = errors as ErrorStream;
  for (const key of REQUIRED) {
    if (env[key] === undefined)
      fail('environ-required', `The environ has no ${key}; every request's environ must carry it`);
  }
  for (const [key, value] of Object.entries(env)) {
    // Keys with a dot are extensions (wsgi.*, tsgi.*, a server's own); CGI keys hold strings.
    if (!key.includes('.') && value !== undefined && typeof value !== 'string') {
      fail(
        'environ-cgi-string',
        `The environ's ${key} is ${describe(value)}; a CGI key (one without a dot) holds a string`,
      );
    }
  }
  for (const key of ['HTTP_CONTENT_TYPE', 'HTTP_CONTENT_LENGTH']) {
    if (key in env)
      fail(
        'http-content-keys',
        `The environ has ${key}; that header goes in ${key.slice(5)}, without the HTTP_ prefix`,
      );
  }
  const method = env.REQUEST_METHOD as string;
  if (!TOKEN.test(method))
    fail(
      'request-method',
      `The environ's REQUEST_METHOD is ${JSON.stringify(method)}, which is not an HTTP token such as "GET"`,
    );
  const script = env.SCRIPT_NAME as string;
  if (script !== '' && (!script.startsWith('/') || script.endsWith('/'))) {
    fail(
      'script-name',
      `The environ's SCRIPT_NAME is ${JSON.stringify(script)}; it must be empty or start with "/" and not end with "/" (the root is "", with PATH_INFO "/")`,
    );
  }
  const path = env.PATH_INFO as string;
  // OPTIONS * (RFC 9112 §3.2.4) is the one request whose path is not "/...".
  const asterisk = path === '*' && method === 'OPTIONS';
  if (path !== '' && !path.startsWith('/') && !asterisk) {
    fail('path-info', `The environ's PATH_INFO is ${JSON.stringify(path)}; it must be empty or start with "/"`);
  }
  if (script === '' && path === '')
    fail('path-info', 'The environ has an empty SCRIPT_NAME and an empty PATH_INFO; at the root, PATH_INFO is "/"');
  if (env.SERVER_NAME === '')
    fail('server-name', "The environ's SERVER_NAME is empty; it names the host the request was sent to");
  if (!DIGITS.test(env.SERVER_PORT as string)) {
    fail(
      'server-port',
      `The environ's SERVER_PORT is ${JSON.stringify(env.SERVER_PORT)}; it must be a port number written in digits, e.g. "8000"`,
    );
  }
  if (!/^HTTP\/\d(\.\d)?$/.test(env.SERVER_PROTOCOL as string)) {
    fail(
      'server-protocol',
      `The environ's SERVER_PROTOCOL is ${JSON.stringify(env.SERVER_PROTOCOL)}; it must look like "HTTP/1.1"`,
    );
  }
  const length = env.CONTENT_LENGTH;
  if (length !== undefined && !DIGITS.test(length as string)) {
    fail(
      'content-length-environ',
      `The environ's CONTENT_LENGTH is ${JSON.stringify(length)}; when present it must be digits only (leave it out when the request has no length)`,
    );
  }
  if (env.REMOTE_PORT !== undefined && !DIGITS.test(env.REMOTE_PORT as string)) {
    fail(
      'remote-port',
      `The environ's REMOTE_PORT is ${JSON.stringify(env.REMOTE_PORT)}; when present it must be a port number written in digits`,
    );
  }
  const version = env['wsgi.version'];
  if (!Array.isArray(version) || version.length !== 2 || version[0] !== 1 || version[1] !== 0) {
    fail('wsgi-version', `The environ's wsgi.version is ${describe(version)}; it must be the array [1, 0]`);
  }
  const scheme = env['wsgi.url_scheme'];
  if (scheme !== 'http' && scheme !== 'https')
    fail('url-scheme', `The environ's wsgi.url_scheme is ${describe(scheme)}; it must be "http" or "https"`);
  for (const key of ['wsgi.multithread', 'wsgi.multiprocess', 'wsgi.run_once']) {
    if (typeof env[key] !== 'boolean')
      fail('wsgi-flags', `The environ's ${key} is ${describe(env[key])}; it must be true or false`);
  }
  const input = env['wsgi.input'] as Partial<InputStream>;
  for (const method of ['read', 'readline', Symbol.asyncIterator] as const) {
    if (typeof input[method] !== 'function') {
      fail(
        'input-shape',
        `The environ's wsgi.input (${describe(input)}) has no ${String(method)} method; it must offer read(size?), readline(limit?) and async iteration`,
      );
    }
  }
  for (const method of ['write', 'flush'] as const) {
    if (typeof errors?.[method] !== 'function')
      fail(
        'errors-shape',
        `The environ's wsgi.errors (${describe(errors)}) has no ${method}() method; it must offer write(text) and flush()`,
      );
  }
  const signal = env['tsgi.signal'];
  if (signal !== undefined && !(signal instanceof AbortSignal))
    fail('signal-type', `The environ's tsgi.signal is ${describe(signal)}; when present it must be an AbortSignal`);
  const tmpdir = env['tsgi.tmpdir'];
  if (tmpdir !== undefined && (typeof tmpdir !== 'string' || !/^(\/|[A-Za-z]:[\\/])/.test(tmpdir)))
    fail(
      'tmpdir-type',
      `The environ's tsgi.tmpdir is ${describe(tmpdir)}; when present it must be the absolute path of a folder`,
    );
  const wrapper = env['wsgi.file_wrapper'];
  if (wrapper !== undefined && typeof wrapper !== 'function')
    fail(
      'file-wrapper-type',
      `The environ's wsgi.file_wrapper is ${describe(wrapper)}; when present it must be a function`,
    );
}

function isSize(value: unknown): boolean {
  return value === undefined || (Number.isSafeInteger(value) && (value as number) >= 0);
}

/**
 * `wsgi.input` as the application sees it under the validator: each call checked on the way in
 * (the application's side) and on the way out (the server's side).
 */
export class CheckedInput implements InputStream {
  readonly #inner: InputStream;
  readonly #report: Reporter;
  /** CONTENT_LENGTH, or -1 when the body has no declared length (chunked, none). */
  readonly #length: number;
  #received = 0;
  #pending = false;

  constructor(inner: InputStream, report: Reporter, contentLength: string | undefined) {
    this.#inner = inner;
    this.#report = report;
    this.#length = contentLength === undefined ? -1 : Number(contentLength);
  }

  #enter(what: string, args: unknown[]): void {
    if (args.length > 1 || !isSize(args[0])) {
      const shown = args.map((arg) => describe(arg)).join(', ');
      throw this.#report.violation(
        'input-args',
        `The application called wsgi.input.${what}(${shown}); it takes one optional argument, a non-negative integer`,
      );
    }
    if (this.#pending) {
      throw this.#report.violation(
        'input-overlap',
        `The application called wsgi.input.${what}() while an earlier read had not settled; await each read before the next`,
      );
    }
    this.#pending = true;
  }

  /** Checks what the server's stream returned; `limit` is the size asked for, if any. */
  #check(what: string, chunk: unknown, limit: number | undefined, atEnd: boolean): Uint8Array {
    if (!(chunk instanceof Uint8Array)) {
      throw this.#report.violation(
        'input-result',
        `The server's wsgi.input.${what} produced ${describe(chunk)}; reads give Uint8Array chunks`,
      );
    }
    if (limit !== undefined && chunk.length > limit) {
      throw this.#report.violation(
        'input-result',
        `The server's wsgi.input.${what} returned ${chunk.length} bytes when at most ${limit} were asked for`,
      );
    }
    this.#received += chunk.length;
    if (this.#length >= 0 && this.#received > this.#length) {
      throw this.#report.violation(
        'input-length',
        `The server's wsgi.input gave ${this.#received} bytes, more than the CONTENT_LENGTH of ${this.#length}; input ends at Content-Length`,
      );
    }
    if (atEnd && this.#length >= 0 && this.#received < this.#length) {
      throw this.#report.violation(
        'input-length',
        `The server's wsgi.input reported the end of the body after ${this.#received} of ${this.#length} bytes; a body cut short must make the read fail, not look complete`,
      );
    }
    return chunk;
  }

  async #call(what: string, args: unknown[], run: () => unknown): Promise<Uint8Array> {
    this.#enter(what, args);
    try {
      const result = run();
      if (!(result instanceof Promise)) {
        throw this.#report.violation(
          'input-result',
          `The server's wsgi.input.${what}() returned ${describe(result)} instead of a Promise`,
        );
      }
      const chunk = (await result) as unknown;
      const limit = args[0] as number | undefined;
      // read() without a size reads to the end; any read that returns nothing for a non-zero ask is at the end.
      const atEnd =
        (what === 'read' && limit === undefined) || (limit !== 0 && chunk instanceof Uint8Array && chunk.length === 0);
      const checked = this.#check(`${what}()`, chunk, limit, atEnd);
      if (what === 'readline') {
        const newline = checked.indexOf(10);
        if (newline >= 0 && newline !== checked.length - 1) {
          throw this.#report.violation(
            'input-result',
            `The server's wsgi.input.readline() returned ${checked.length} bytes with a line break at byte ${newline + 1}; a line ends at its first "\\n"`,
          );
        }
      }
      return checked;
    } finally {
      this.#pending = false;
    }
  }

  read(...args: unknown[]): Promise<Uint8Array> {
    return this.#call('read', args, () => this.#inner.read(args[0] as number | undefined));
  }

  readline(...args: unknown[]): Promise<Uint8Array> {
    return this.#call('readline', args, () => this.#inner.readline(args[0] as number | undefined));
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    const iterator = this.#inner[Symbol.asyncIterator]();
    try {
      while (true) {
        this.#enter('[Symbol.asyncIterator]().next', []);
        let step: IteratorResult<Uint8Array>;
        try {
          step = await iterator.next();
          if (step.done) this.#check('iteration', new Uint8Array(0), undefined, true);
          else this.#check('iteration', step.value, undefined, false);
        } finally {
          this.#pending = false;
        }
        if (step.done) return;
        yield step.value;
      }
    } finally {
      await iterator.return?.();
    }
  }

  /** wsgi.input belongs to the server: it is never closed by the application (§3.3). */
  close(): never {
    throw this.#report.violation(
      'input-close',
      'The application called wsgi.input.close(); the input stream belongs to the server, which ends it',
    );
  }
}

/** `wsgi.errors` under the validator: text only, never closed (§3.4). */
export class CheckedErrors implements ErrorStream {
  readonly #inner: ErrorStream;
  readonly #report: Reporter;

  constructor(inner: ErrorStream, report: Reporter) {
    this.#inner = inner;
    this.#report = report;
  }

  write(...args: unknown[]): void {
    if (args.length !== 1 || typeof args[0] !== 'string') {
      throw this.#report.violation(
        'errors-write',
        `The application called wsgi.errors.write() with ${args.map((arg) => describe(arg)).join(', ') || 'nothing'}; it takes one string`,
      );
    }
    this.#inner.write(args[0]);
  }

  flush(): void {
    this.#inner.flush();
  }

  /** wsgi.errors belongs to the server (§3.4). */
  close(): never {
    throw this.#report.violation(
      'errors-close',
      'The application called wsgi.errors.close(); the error stream belongs to the server',
    );
  }
}
