// Helpers of the request-body tests: multipart bodies of any size made on the fly, a raw-socket
// client that sends a body as fast as the server takes it and stops when the server closes, and
// an application wrapper that counts the bytes the framework reads from wsgi.input.
import { connect } from 'node:net';
import type { Application, Environ, InputStream } from '../../src/gateway/types.ts';

/**
 * One part of a multipart body: a field with its value, or of `size` bytes, or a file of `size`
 * bytes (`fill` repeated).
 */
export type Part =
  | { name: string; value: string }
  | { name: string; size: number; fill?: number }
  | { name: string; filename: string; size: number; fill?: number };

/** A body known by its length and made chunk by chunk (never held whole). */
export interface Body {
  length: number;
  chunks(): Generator<Buffer>;
}

const CHUNK = 64 * 1024;

/** A multipart/form-data body of these parts, with `boundary`. */
export function multipart(boundary: string, parts: readonly Part[]): Body {
  const pieces: Array<Buffer | { size: number; fill: number }> = [];
  for (const part of parts) {
    if ('value' in part) {
      pieces.push(
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`),
      );
    } else if (!('filename' in part)) {
      pieces.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"\r\n\r\n`));
      pieces.push({ size: part.size, fill: part.fill ?? 0x61 });
      pieces.push(Buffer.from('\r\n'));
    } else {
      pieces.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\n` +
            'Content-Type: application/octet-stream\r\n\r\n',
        ),
      );
      pieces.push({ size: part.size, fill: part.fill ?? 0x61 });
      pieces.push(Buffer.from('\r\n'));
    }
  }
  pieces.push(Buffer.from(`--${boundary}--\r\n`));
  const length = pieces.reduce((sum, p) => sum + (Buffer.isBuffer(p) ? p.length : p.size), 0);
  return {
    length,
    *chunks() {
      for (const piece of pieces) {
        if (Buffer.isBuffer(piece)) {
          yield piece;
          continue;
        }
        const block = Buffer.alloc(CHUNK, piece.fill);
        for (let left = piece.size; left > 0; left -= CHUNK) yield left >= CHUNK ? block : block.subarray(0, left);
      }
    },
  };
}

function bytes(size: number, fill: number): Body {
  return {
    length: size,
    *chunks() {
      const block = Buffer.alloc(CHUNK, fill);
      for (let left = size; left > 0; left -= CHUNK) yield left >= CHUNK ? block : block.subarray(0, left);
    },
  };
}

/** A body of `size` bytes of `fill`, in 64 KiB chunks. */
export function repeated(size: number, fill = 0x61): Body {
  return bytes(size, fill);
}

/** What the raw client saw: the status, the head, the body text, and how many body bytes it managed to send. */
export interface Exchange {
  status: number;
  head: string;
  text: string;
  sent: number;
}

/**
 * Sends a request with `body` over a raw socket (Content-Length, or chunked when `chunked`),
 * writing as fast as the server reads, and stops sending as soon as the whole response has
 * arrived, as HTTP clients do with an answer that comes before the end of their upload (curl:
 * "HTTP error before end of send, stop sending"); then closes. `sent` is what it had sent by
 * then: what the server took before answering, the socket buffers included.
 */
export function sendRaw(
  port: number,
  request: { method?: string; path: string; headers?: Record<string, string>; body?: Body; chunked?: boolean },
): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let sent = 0;
    let closed = false;
    socket.on('data', (data) => {
      received.push(data);
      if (responseComplete(Buffer.concat(received))) socket.destroy();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    socket.on('close', () => {
      closed = true;
      const raw = Buffer.concat(received).toString('latin1');
      const end = raw.indexOf('\r\n\r\n');
      if (end === -1) {
        reject(new Error(`The connection closed without a response (sent ${sent} bytes): ${JSON.stringify(raw)}`));
        return;
      }
      const head = raw.slice(0, end);
      resolve({
        status: Number(head.split(' ')[1]),
        head,
        text: Buffer.from(raw.slice(end + 4), 'latin1').toString('utf8'),
        sent,
      });
    });
    socket.once('connect', async () => {
      // Keep-alive, as browsers: a server that closes a connection whose client is still sending
      // resets it, and the client can lose the answer (the server's to prevent, by lingering).
      const headers: Record<string, string> = { Host: 'testserver', ...request.headers };
      if (request.body !== undefined) {
        if (request.chunked) headers['Transfer-Encoding'] = 'chunked';
        else headers['Content-Length'] = String(request.body.length);
      }
      const head =
        `${request.method ?? 'POST'} ${request.path} HTTP/1.1\r\n` +
        Object.entries(headers)
          .map(([k, v]) => `${k}: ${v}\r\n`)
          .join('') +
        '\r\n';
      socket.write(head);
      if (request.body === undefined) return;
      for (const chunk of request.body.chunks()) {
        if (closed || socket.destroyed || socket.writableEnded || received.length > 0) return;
        const framed = request.chunked
          ? [Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]
          : [chunk];
        let ok = true;
        for (const piece of framed) ok = socket.write(piece) && ok;
        sent += chunk.length;
        if (!ok) {
          await new Promise<void>((resume) => {
            const done = () => {
              socket.off('drain', done);
              socket.off('close', done);
              resume();
            };
            socket.on('drain', done);
            socket.on('close', done);
          });
        }
      }
      if (!closed && !socket.destroyed && request.chunked) socket.write('0\r\n\r\n');
    });
  });
}

/** Whether `raw` holds a whole response: its head and the Content-Length bytes of its body. */
function responseComplete(raw: Buffer): boolean {
  const end = raw.indexOf('\r\n\r\n');
  if (end === -1) return false;
  const length = /\r\ncontent-length: *(\d+)/i.exec(raw.subarray(0, end).toString('latin1'));
  return length !== null && raw.length - end - 4 >= Number(length[1]);
}

/** Counts what the application reads of wsgi.input, and gives it `tsgi.tmpdir` when set. */
export class InputCounter {
  read = 0;
  tmpdir: string | undefined;

  wrap(app: Application): Application {
    return (environ: Environ, startResponse) => {
      const input = environ['wsgi.input'];
      const counted: InputStream = {
        read: async (size?: number) => this.#count(await input.read(size)),
        readline: async (limit?: number) => this.#count(await input.readline(limit)),
        [Symbol.asyncIterator]: () => {
          const iterator = input[Symbol.asyncIterator]();
          return {
            next: async () => {
              const next = await iterator.next();
              if (next.done !== true) this.#count(next.value);
              return next;
            },
          };
        },
      };
      const wrapped: Environ = { ...environ, 'wsgi.input': counted };
      if (this.tmpdir !== undefined) wrapped['tsgi.tmpdir'] = this.tmpdir;
      return app(wrapped, startResponse);
    };
  }

  #count(chunk: Uint8Array): Uint8Array {
    this.read += chunk.byteLength;
    return chunk;
  }
}
