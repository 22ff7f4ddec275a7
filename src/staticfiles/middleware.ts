/**
 * `StaticFilesMiddleware`: serves static files from inside the framework, for the embedded
 * default with no nginx in front (WhiteNoise's middleware). Put it right after SecurityMiddleware:
 *
 *   MIDDLEWARE = ['tsgi.middleware.security.SecurityMiddleware',
 *                 'tsgi.staticfiles.middleware.StaticFilesMiddleware', ...]
 *
 * Content-hashed files are cached for a year (`immutable`), others for STATICFILES_MAX_AGE
 * seconds; ETag/Last-Modified answer 304; Range answers 206/416; `.br`/`.gz` siblings are sent
 * to clients that accept them; the file body is a FileResponse, so the handler can pass it to
 * `wsgi.file_wrapper`. A path that is not an indexed file (`..`, encoded `..`, backslashes, NUL,
 * symlinks out of the root) is not ours: it goes on to the URLconf, which answers 404.
 */
import type { FileSource } from '../gateway/types.ts';
import { HttpResponse, type HttpResponseBase } from '../http/response.ts';
import { FileResponse } from '../http/file-response.ts';
import { StaticServing, metaHeader, type StaticServingOptions } from './serving.ts';
import type { StaticPlan } from './responder.ts';

/** The request fields the middleware reads. */
interface RequestLike {
  method: string | null;
  pathInfo: string;
  META: Record<string, unknown>;
}

type GetResponse = (request: never) => Promise<HttpResponseBase> | HttpResponseBase;

/** A FileResponse for a byte range of a file (the whole file when no Range was asked for). */
export class StaticFileResponse extends FileResponse {
  constructor(plan: StaticPlan & { file: FileSource }) {
    // Built from a (lazy) stream, not the path: the index already knows the size and type, so no
    // stat in the request path; the handler sends `fileSource` through wsgi.file_wrapper.
    // Files up to 1 MiB go in one read (blockSize is what the handler gives wsgi.file_wrapper).
    super(readRange(plan.file), {
      status: plan.status,
      blockSize: Math.min(Math.max(plan.file.length ?? 0, 65536), 1 << 20),
    });
    (this as { fileSource: FileSource | undefined }).fileSource = plan.file;
    for (const [name, value] of plan.headers) this.headers.set(name, value);
  }
}

async function* readRange(file: FileSource): AsyncGenerator<Uint8Array> {
  const { open } = await import('node:fs/promises');
  const handle = await open(file.path as string, 'r');
  try {
    let position = file.offset ?? 0;
    let remaining = file.length ?? Infinity;
    while (remaining > 0) {
      const size = Math.min(64 * 1024, remaining);
      const { bytesRead, buffer } = await handle.read(Buffer.allocUnsafe(size), 0, size, position);
      if (bytesRead === 0) return;
      position += bytesRead;
      remaining -= bytesRead;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/**
 * Turns a plan into a response: a FileResponse for the file, or, given the bytes of a file held
 * in memory (small files, see StaticFileIndex), a plain HttpResponse with them.
 */
export function responseFromPlan(plan: StaticPlan, bytes?: Uint8Array): HttpResponseBase {
  if (plan.file !== undefined && bytes === undefined)
    return new StaticFileResponse(plan as StaticPlan & { file: FileSource });
  const response = new HttpResponse(bytes ?? '', { status: plan.status });
  response.headers.delete('Content-Type');
  for (const [name, value] of plan.headers) response.headers.set(name, value);
  return response;
}

/**
 * Serves STATIC_URL from STATIC_ROOT (and from the finders in DEBUG).
 *
 * @example
 * MIDDLEWARE = ['tsgi.middleware.security.SecurityMiddleware', 'tsgi.staticfiles.middleware.StaticFilesMiddleware'];
 */
export class StaticFilesMiddleware {
  readonly getResponse: GetResponse;
  readonly serving: StaticServing;

  constructor(getResponse: GetResponse, options: StaticServingOptions = {}) {
    this.getResponse = getResponse;
    this.serving = new StaticServing(options); // the index is built now, at start-up
  }

  call(request: RequestLike): Promise<HttpResponseBase> | HttpResponseBase {
    const entry = this.serving.match(request.pathInfo);
    if (entry === undefined) return this.getResponse(request as never);
    const meta = request.META;
    const plan = this.serving.plan(entry, request.method ?? 'GET', (name) => metaHeader(meta, name));
    // Answered synchronously when the file is in memory (the common case for small files).
    const bytes = this.serving.bytes(plan);
    if (bytes === undefined || bytes instanceof Uint8Array) return responseFromPlan(plan, bytes);
    return bytes.then((loaded) => responseFromPlan(plan, loaded));
  }
}
