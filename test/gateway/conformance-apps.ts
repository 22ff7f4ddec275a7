/**
 * The applications of the gateway conformance suite (conformance.ts), as one TSGI application
 * that dispatches on PATH_INFO, so that a server in another process (`tsgi serve
 * test/gateway/conformance-apps.ts:application`) can load it too.
 *
 * What happens inside the server (close() called, bytes produced, signal aborted) is recorded
 * per request id (`?id=...`) and read back over HTTP: `GET /_events?id=...` → JSON list.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Application, Environ, StartResponse } from '../../src/gateway/types.ts';
import { validator } from '../../src/gateway/validator.ts';

const encoder = new TextEncoder();
const text = (s: string) => encoder.encode(s);
const plain: [string, string][] = [['Content-Type', 'text/plain; charset=utf-8']];

const events = new Map<string, string[]>();
function record(environ: Environ, event: string): void {
  const id = new URLSearchParams(environ.QUERY_STRING).get('id');
  if (!id) return;
  let list = events.get(id);
  if (!list) events.set(id, (list = []));
  list.push(event);
}
function param(environ: Environ, name: string): string | null {
  return new URLSearchParams(environ.QUERY_STRING).get(name);
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An array body that records close(). */
function closable(environ: Environ, chunks: Uint8Array[]): Uint8Array[] & { close(): void } {
  return Object.assign(chunks, { close: () => record(environ, 'close') });
}

/** A generator body (sync or async) that records close() and its progress. */
function closableIterable<T extends Iterable<Uint8Array> | AsyncIterable<Uint8Array>>(
  environ: Environ,
  body: T,
): T & { close(): void } {
  return Object.assign(body, { close: () => record(environ, 'close') });
}

const SELF = import.meta.filename;

/** The well-behaved apps: a validator may wrap these. */
const good: Record<string, (environ: Environ, startResponse: StartResponse) => ReturnType<Application>> = {
  '/plain': (environ, startResponse) => {
    startResponse('200 OK', plain);
    return closable(environ, [text('Hello, world!')]);
  },
  '/streaming': (environ, startResponse) => {
    startResponse('200 OK', plain);
    return closableIterable(
      environ,
      (function* () {
        yield text('one,');
        yield text('two,');
        yield text('three');
      })(),
    );
  },
  '/async': async (environ, startResponse) => {
    await sleep(1);
    startResponse('200 OK', plain);
    return closableIterable(
      environ,
      (async function* () {
        for (const part of ['a', 'b', 'c']) {
          await sleep(1);
          yield text(part);
        }
      })(),
    );
  },
  '/lazy-start': (environ, startResponse) =>
    // startResponse from inside the body, before its first chunk: headers are still on time.
    closableIterable(
      environ,
      (function* () {
        startResponse('201 Created', plain);
        yield text('made');
      })(),
    ),
  '/write': async (environ, startResponse) => {
    const write = startResponse('200 OK', plain);
    await write(text('written '));
    await write(new Uint8Array(0));
    await write(text('then '));
    return closable(environ, [text('returned')]);
  },
  '/exc-before': (environ, startResponse) => {
    startResponse('200 OK', plain);
    try {
      throw new Error('caught before the headers');
    } catch (error) {
      startResponse('500 Internal Server Error', plain, error);
      return closable(environ, [text('error page')]);
    }
  },
  '/head': (environ, startResponse) => {
    startResponse('200 OK', [...plain, ['Content-Length', '13']]);
    return closable(environ, [text('Hello, world!')]);
  },
  '/head-empty': (environ, startResponse) => {
    // The body is left out on HEAD (§5.4), without a Content-Length: the server cannot know it.
    startResponse('200 OK', plain);
    return closable(environ, environ.REQUEST_METHOD === 'HEAD' ? [] : [text('Hello, world!')]);
  },
  '/head-empty-stream': (environ, startResponse) => {
    startResponse('200 OK', plain);
    const head = environ.REQUEST_METHOD === 'HEAD';
    return closableIterable(
      environ,
      (function* () {
        if (!head) yield text('Hello, world!');
      })(),
    );
  },
  '/upload-wait': async (environ, startResponse) => {
    // Reads the whole body, then takes its time: a client that half-closed still waits (§3.5).
    const signal = environ['tsgi.signal'];
    signal?.addEventListener('abort', () => record(environ, 'abort'));
    let length = 0;
    for await (const chunk of environ['wsgi.input']) length += chunk.length;
    await sleep(Number(param(environ, 'ms') ?? 50));
    startResponse('200 OK', [['Content-Type', 'application/json']]);
    return closable(environ, [text(JSON.stringify({ length, aborted: signal?.aborted ?? null }))]);
  },
  '/no-content': (environ, startResponse) => {
    startResponse('204 No Content', []);
    return closable(environ, []);
  },
  '/not-modified': (environ, startResponse) => {
    startResponse('304 Not Modified', [['ETag', '"x"']]);
    return closable(environ, []);
  },
  '/forever': (environ, startResponse) => {
    startResponse('200 OK', plain);
    const signal = environ['tsgi.signal'];
    signal?.addEventListener('abort', () => record(environ, 'abort'));
    return closableIterable(
      environ,
      (async function* () {
        for (let i = 0; i < 100_000; i++) {
          if (i === 1) record(environ, 'streaming');
          yield text(`tick ${i}\n`);
          await sleep(2);
        }
      })(),
    );
  },
  '/large': (environ, startResponse) => {
    const total = Number(param(environ, 'size') ?? 16 * 1024 * 1024);
    const block = new Uint8Array(64 * 1024).fill(120);
    startResponse('200 OK', [
      ['Content-Type', 'application/octet-stream'],
      ['Content-Length', String(total)],
    ]);
    let produced = 0;
    return closableIterable(
      environ,
      (function* () {
        while (produced < total) {
          const chunk = block.subarray(0, Math.min(block.length, total - produced));
          produced += chunk.length;
          record(environ, `produced ${produced}`);
          yield chunk;
        }
      })(),
    );
  },
  '/echo': async (environ, startResponse) => {
    const input = environ['wsgi.input'];
    const how = param(environ, 'how') ?? 'read';
    const parts: Uint8Array[] = [];
    if (how === 'iterate') for await (const chunk of input) parts.push(chunk);
    else if (how === 'readline') {
      for (let line = await input.readline(); line.length > 0; line = await input.readline()) parts.push(line);
    } else if (how === 'sized') {
      for (let chunk = await input.read(7); chunk.length > 0; chunk = await input.read(7)) parts.push(chunk);
    } else if (how === 'hash') {
      // A large body: read in odd-sized pieces, answer only its length and digest.
      const hash = createHash('sha256');
      let length = 0;
      for (let chunk = await input.read(65_537); chunk.length > 0; chunk = await input.read(65_537)) {
        hash.update(chunk);
        length += chunk.length;
      }
      startResponse('200 OK', [['Content-Type', 'application/json']]);
      return closable(environ, [text(JSON.stringify({ length, sha256: hash.digest('hex') }))]);
    } else parts.push(await input.read());
    const body = Buffer.concat(parts);
    startResponse('200 OK', [['Content-Type', 'application/json']]);
    return closable(environ, [
      text(
        JSON.stringify({
          length: body.length,
          body: body.toString('latin1'),
          parts: parts.length,
          contentLength: environ.CONTENT_LENGTH ?? null,
        }),
      ),
    ]);
  },
  '/ignore-body': (environ, startResponse) => {
    startResponse('200 OK', plain);
    return closable(environ, [text('ignored')]);
  },
  '/environ': (environ, startResponse) => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(environ)) {
      if (typeof value === 'string' || typeof value === 'boolean' || key === 'wsgi.version') out[key] = value;
    }
    out['has.signal'] = environ['tsgi.signal'] instanceof AbortSignal;
    out['has.file_wrapper'] = typeof environ['wsgi.file_wrapper'] === 'function';
    startResponse('200 OK', [['Content-Type', 'application/json']]);
    return closable(environ, [text(JSON.stringify(out))]);
  },
  '/file': (environ, startResponse) => {
    const wrapper = environ['wsgi.file_wrapper']!;
    const offset = Number(param(environ, 'offset') ?? 0);
    const length = param(environ, 'length');
    startResponse('200 OK', [['Content-Type', 'text/plain']]);
    const body = wrapper({ path: SELF, offset, length: length === null ? undefined : Number(length) }, 100);
    const close = body.close.bind(body);
    return Object.assign(body, {
      close: async () => {
        record(environ, 'close');
        await close();
      },
    });
  },
};

/** Deliberately broken apps: the server must cope; a validator would (rightly) reject them. */
const broken: Record<string, (environ: Environ, startResponse: StartResponse) => ReturnType<Application>> = {
  '/exc-after': (environ, startResponse) => {
    startResponse('200 OK', plain);
    return closableIterable(
      environ,
      (function* () {
        yield text('partial');
        try {
          throw new Error('failed after the headers');
        } catch (error) {
          startResponse('500 Internal Server Error', plain, error);
        }
        yield text('never');
      })(),
    );
  },
  '/cl-short': (environ, startResponse) => {
    startResponse('200 OK', [['Content-Length', '10']]);
    return closable(environ, [text('12345')]);
  },
  '/cl-short-stream': (environ, startResponse) => {
    startResponse('200 OK', [['Content-Length', '10']]);
    return closableIterable(
      environ,
      (function* () {
        yield text('123');
        yield text('45');
      })(),
    );
  },
  '/cl-long': (environ, startResponse) => {
    startResponse('200 OK', [['Content-Length', '5']]);
    return closableIterable(
      environ,
      (function* () {
        yield text('123');
        yield text('4567890');
      })(),
    );
  },
  '/throw': (environ) => {
    record(environ, 'called');
    throw new Error('conformance: the app threw');
  },
  '/reject': async () => {
    await sleep(1);
    throw new Error('conformance: the app rejected');
  },
  '/throw-in-body': (environ, startResponse) => {
    startResponse('200 OK', plain);
    return closableIterable(
      environ,
      (function* (): Generator<Uint8Array> {
        if (environ.PATH_INFO) throw new Error('conformance: the body threw before its first chunk');
        yield text('never');
      })(),
    );
  },
  '/bad-body': () => null as unknown as Uint8Array[],
  '/string-body': (_environ, startResponse) => {
    startResponse('200 OK', plain);
    return 'a string' as unknown as Uint8Array[];
  },
  '/string-chunk': (environ, startResponse) => {
    startResponse('200 OK', plain);
    return closable(environ, ['not bytes' as unknown as Uint8Array]);
  },
  '/no-start': (environ) => closable(environ, [text('no headers')]),
  '/hop-by-hop': (_environ, startResponse) => {
    startResponse('200 OK', [['Connection', 'close']]);
    return [text('never')];
  },
  '/overlap-write': async (environ, startResponse) => {
    // write() again before the previous write settled (§4.4 forbids it): the server must not hang.
    const write = startResponse('200 OK', [['Content-Type', 'application/octet-stream']]);
    const size = Number(param(environ, 'size') ?? 1024 * 1024);
    await Promise.all([
      write(new Uint8Array(size).fill(97)),
      write(new Uint8Array(size).fill(98)),
      write(new Uint8Array(size).fill(99)),
    ]);
    return closable(environ, [text('end')]);
  },
  '/twice': (_environ, startResponse) => {
    startResponse('200 OK', plain);
    startResponse('200 OK', plain);
    return [text('never')];
  },
};

/**
 * Builds the dispatching application. `wrap` (e.g. the gateway validator) is applied to the
 * well-behaved apps only.
 */
export function conformanceApplication(wrap: (app: Application) => Application = (app) => app): Application {
  const wrapped = new Map<string, Application>();
  for (const [path, app] of Object.entries(good)) wrapped.set(path, wrap(app as Application));
  for (const [path, app] of Object.entries(broken)) wrapped.set(path, app as Application);
  return (environ, startResponse) => {
    if (environ.PATH_INFO === '/_events') {
      const id = param(environ, 'id') ?? '';
      startResponse('200 OK', [['Content-Type', 'application/json']]);
      return [text(JSON.stringify(events.get(id) ?? []))];
    }
    const app =
      wrapped.get(environ.PATH_INFO) ??
      (environ.PATH_INFO.startsWith('/environ/') ? wrapped.get('/environ') : undefined);
    if (!app) {
      startResponse('404 Not Found', plain);
      return [text(`no conformance app at ${environ.PATH_INFO}`)];
    }
    return app(environ, startResponse);
  };
}

/** The source of this file: what `/file` serves. */
export const fileServed = (): Buffer => readFileSync(SELF);

/**
 * The application `tsgi serve test/gateway/conformance-apps.ts:application` loads: the same as
 * runConformance's, its well-behaved parts wrapped in the validator.
 */
export const application: Application = conformanceApplication(validator);
