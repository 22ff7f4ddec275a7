/**
 * Raw HTTP/1.1 over node:net for the conformance suite: send exact bytes, read exact bytes, and
 * split what came back into responses (Content-Length, chunked, or until close).
 */
import net from 'node:net';

/** One parsed response. */
export interface RawResponse {
  statusLine: string;
  status: number;
  headers: [string, string][];
  /** The first value of a header, case-insensitive. */
  header(name: string): string | undefined;
  body: Buffer;
  /** True when the body was framed completely (all Content-Length bytes, or the last chunk). */
  complete: boolean;
  /** The bytes of this response as received. */
  raw: Buffer;
}

/** Opens a connection to host:port. */
export function connect(port: number, host = '127.0.0.1'): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/**
 * Sends `request` (a string is sent as latin1 bytes) and resolves with every byte received until
 * the server closes the connection (or `timeoutMs`, a failure guard, passes: then it rejects).
 */
export async function exchangeRaw(port: number, request: string | Buffer, timeoutMs = 10_000): Promise<Buffer> {
  const socket = await connect(port);
  return readUntilClose(socket, timeoutMs, () =>
    socket.write(typeof request === 'string' ? Buffer.from(request, 'latin1') : request),
  );
}

/** Collects all bytes of a socket until it closes. */
export function readUntilClose(socket: net.Socket, timeoutMs = 10_000, start?: () => void): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(
          `The server did not close the connection within ${timeoutMs} ms; received so far: ${JSON.stringify(Buffer.concat(chunks).toString('latin1').slice(0, 500))}`,
        ),
      );
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => {
      // A reset after the server's answer: what arrived is what counts.
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    start?.();
  });
}

/** Resolves once `predicate` holds for the bytes received so far (they stay readable afterwards). */
export function readUntil(
  socket: net.Socket,
  predicate: (received: Buffer) => boolean,
  timeoutMs = 10_000,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (predicate(received)) finish();
    };
    const finish = () => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      resolve(received);
    };
    const onClose = () => {
      clearTimeout(timer);
      socket.off('data', onData);
      if (predicate(received)) resolve(received);
      else
        reject(
          new Error(
            `The connection closed before the expected bytes arrived; received: ${JSON.stringify(received.toString('latin1').slice(0, 500))}`,
          ),
        );
    };
    const timer = setTimeout(() => {
      socket.off('data', onData);
      socket.off('close', onClose);
      reject(
        new Error(
          `The expected bytes did not arrive within ${timeoutMs} ms; received: ${JSON.stringify(received.toString('latin1').slice(0, 500))}`,
        ),
      );
    }, timeoutMs);
    socket.on('data', onData);
    socket.on('close', onClose);
  });
}

/**
 * Splits bytes into responses. `methods` gives the request method of each response in order
 * (HEAD responses have no body); informational (1xx) responses are returned too.
 */
export function parseResponses(data: Buffer, methods: string[] = []): RawResponse[] {
  const responses: RawResponse[] = [];
  let at = 0;
  let index = 0;
  while (at < data.length) {
    const headEnd = data.indexOf('\r\n\r\n', at);
    if (headEnd < 0)
      throw new Error(`Incomplete response head: ${JSON.stringify(data.subarray(at).toString('latin1'))}`);
    const lines = data.subarray(at, headEnd).toString('latin1').split('\r\n');
    const statusLine = lines[0]!;
    const status = Number(statusLine.split(' ')[1]);
    const headers = lines.slice(1).map((line): [string, string] => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon), line.slice(colon + 1).trim()];
    });
    const header = (name: string) => headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
    let bodyStart = headEnd + 4;
    let body: Buffer = Buffer.alloc(0);
    let complete = true;
    const method = status >= 200 ? (methods[index++] ?? 'GET') : 'GET';
    if (status < 200 || status === 204 || status === 304 || method === 'HEAD') {
      // no body
    } else if (header('transfer-encoding')?.toLowerCase() === 'chunked') {
      const parts: Buffer[] = [];
      complete = false;
      let p = bodyStart;
      while (p < data.length) {
        const lineEnd = data.indexOf('\r\n', p);
        if (lineEnd < 0) break;
        const size = parseInt(data.subarray(p, lineEnd).toString('latin1'), 16);
        if (Number.isNaN(size)) break;
        if (size === 0) {
          const trailerEnd = data.indexOf('\r\n', lineEnd + 2);
          p = trailerEnd < 0 ? data.length : trailerEnd + 2;
          complete = trailerEnd >= 0;
          break;
        }
        if (lineEnd + 2 + size + 2 > data.length) {
          parts.push(data.subarray(lineEnd + 2, Math.min(data.length, lineEnd + 2 + size)));
          p = data.length;
          break;
        }
        parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
        p = lineEnd + 2 + size + 2;
      }
      body = Buffer.concat(parts);
      bodyStart = p;
    } else if (header('content-length') !== undefined) {
      const length = Number(header('content-length'));
      body = data.subarray(bodyStart, Math.min(data.length, bodyStart + length));
      complete = body.length === length;
      bodyStart += body.length;
    } else {
      body = data.subarray(bodyStart);
      bodyStart = data.length;
    }
    responses.push({ statusLine, status, headers, header, body, complete, raw: data.subarray(at, bodyStart) });
    at = bodyStart;
  }
  return responses;
}

/** Sends one request with `Connection: close` and parses the single response. */
export async function request(
  port: number,
  method: string,
  target: string,
  { headers = {}, body }: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  let head = `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  const payload = body === undefined ? Buffer.alloc(0) : typeof body === 'string' ? Buffer.from(body) : body;
  if (body !== undefined && !Object.keys(headers).some((h) => /^(content-length|transfer-encoding)$/i.test(h)))
    head += `Content-Length: ${payload.length}\r\n`;
  const data = await exchangeRaw(port, Buffer.concat([Buffer.from(head + '\r\n', 'latin1'), payload]));
  const responses = parseResponses(data, [method]);
  if (responses.length !== 1)
    throw new Error(
      `Expected one response, got ${responses.length}: ${JSON.stringify(data.toString('latin1').slice(0, 500))}`,
    );
  return responses[0]!;
}
