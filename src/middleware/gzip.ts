/**
 * `GZipMiddleware`, as Django's `django.middleware.gzip`: compresses responses for clients that
 * accept gzip, when it makes them smaller. Streaming responses are compressed chunk by chunk,
 * each chunk flushed so the client sees it as soon as it is produced.
 *
 * Mind BREACH: compressing a page that reflects user input next to a secret leaks the secret.
 */
import { createGzip, gzipSync, constants } from 'node:zlib';
import type { GetResponse } from './index.ts';
import type { HttpRequest } from '../http/request.ts';
import type { HttpResponse, HttpResponseBase, StreamingHttpResponse } from '../http/response.ts';
import { patchVaryHeaders } from '../http/cache.ts';

const ACCEPTS_GZIP = /\bgzip\b/;

/** Compresses an async sequence of chunks as one gzip stream, flushing after each chunk. */
export async function* compressSequence(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  const gzip = createGzip();
  const out: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => out.push(chunk));
  const flush = () => new Promise<void>((resolve) => gzip.flush(constants.Z_SYNC_FLUSH, () => resolve()));
  try {
    for await (const chunk of chunks) {
      gzip.write(chunk);
      await flush();
      if (out.length > 0) yield Buffer.concat(out.splice(0));
    }
    await new Promise<void>((resolve, reject) => {
      gzip.once('end', resolve);
      gzip.once('error', reject);
      gzip.end();
    });
    if (out.length > 0) yield Buffer.concat(out.splice(0));
  } finally {
    gzip.destroy();
  }
}

/**
 * The response's current content as an iterable that no longer depends on the response: the
 * response's iterator reads its source when first stepped, so it is stepped now, before the
 * source is replaced by the compressed sequence.
 */
function detachContent(response: StreamingHttpResponse): AsyncIterable<Uint8Array> {
  const iterator = response[Symbol.asyncIterator]();
  const first = iterator.next();
  first.catch(() => {}); // Awaited when iterated; not an unhandled rejection if never iterated.
  let started = false;
  return {
    [Symbol.asyncIterator]: () => ({
      next: () => {
        if (started) return iterator.next();
        started = true;
        return first;
      },
      return: async (value?: unknown) => {
        await iterator.return?.(value);
        return { done: true as const, value: undefined };
      },
    }),
  };
}

/**
 * @example
 * MIDDLEWARE: ['tsgi.middleware.gzip.GZipMiddleware', ...] // early: it sees the final response
 */
export class GZipMiddleware {
  readonly getResponse: GetResponse;

  constructor(getResponse: GetResponse) {
    this.getResponse = getResponse;
  }

  async call(request: HttpRequest): Promise<HttpResponseBase> {
    return this.processResponse(request, await this.getResponse(request));
  }

  processResponse(request: HttpRequest, response: HttpResponseBase): HttpResponseBase {
    // Below 200 bytes gzip's own overhead wins.
    if (!response.streaming && (response as HttpResponse).content.byteLength < 200) return response;
    if (response.has('Content-Encoding')) return response;
    patchVaryHeaders(response, ['Accept-Encoding']);
    if (!ACCEPTS_GZIP.test(String(request.META.HTTP_ACCEPT_ENCODING ?? ''))) return response;
    if (response.streaming) {
      const streaming = response as StreamingHttpResponse;
      streaming.streamingContent = compressSequence(detachContent(streaming));
      response.delete('Content-Length');
    } else {
      const plain = response as HttpResponse;
      const compressed = gzipSync(plain.content);
      if (compressed.byteLength >= plain.content.byteLength) return response;
      plain.content = compressed;
      response.set('Content-Length', String(compressed.byteLength));
    }
    const etag = response.get('ETag');
    // The compressed bytes differ from the ones the strong ETag named (RFC 9110 §8.8.3).
    if (etag !== undefined && etag.startsWith('"')) response.set('ETag', `W/${etag}`);
    response.set('Content-Encoding', 'gzip');
    return response;
  }
}
