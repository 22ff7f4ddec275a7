// A raw client for answers that come before the request body is read: it sends its whole
// request, body included, before it reads anything (as many HTTP libraries do: Python's
// http.client, a shell pipe into nc), then reads until the server closes. A server that closes
// such a connection while the body is still coming (or unread) makes the kernel send a reset,
// which can erase the answer before the client reads it; a lingering close must not.
import net from 'node:net';

/** How the body goes out: in one write, as fast as the server takes it, or in small spaced writes. */
export type Pace = 'fast' | 'slow';

/** What the client read, and how its connection ended. */
export interface EarlyAnswer {
  /** Everything received, as latin1 text. */
  text: string;
  /** The error the socket failed with (ECONNRESET, EPIPE), if any. */
  error: string | undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends `head` (the request head, ending with the blank line) and `bodySize` bytes of body at
 * `pace`, then reads everything until the connection closes.
 */
export function sendAllThenRead(port: number, head: string, bodySize: number, pace: Pace): Promise<EarlyAnswer> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    // Nothing is read until the whole request is out: the answer waits in the kernel's buffer.
    socket.pause();
    const chunks: Buffer[] = [];
    let error: string | undefined;
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (e: NodeJS.ErrnoException) => (error ??= e.code ?? e.message));
    socket.on('close', () => resolve({ text: Buffer.concat(chunks).toString('latin1'), error }));
    // Resolves when the kernel has taken the bytes (or the connection is gone).
    const write = (bytes: string | Buffer) =>
      new Promise<void>((done) => {
        if (socket.destroyed) return done();
        socket.write(bytes, () => done());
      });
    void (async () => {
      const body = Buffer.alloc(bodySize, 0x61);
      if (pace === 'fast') await write(Buffer.concat([Buffer.from(head, 'latin1'), body]));
      else {
        await write(head);
        for (let at = 0; at < bodySize && !socket.destroyed; at += 16 * 1024) {
          await write(body.subarray(at, at + 16 * 1024));
          await sleep(1);
        }
      }
      socket.resume();
    })();
  });
}

/** A request head with `Connection: close` and a declared body of `bodySize` bytes. */
export function closingHead(method: string, target: string, bodySize: number, headers = ''): string {
  return `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${bodySize}\r\nConnection: close\r\n${headers}\r\n`;
}

/**
 * Runs `runs` exchanges and returns those that did not read the whole answer (`expected` is the
 * end of the answer: its body), each described: nothing is timed.
 */
export async function lostAnswers(
  runs: number,
  exchange: () => Promise<EarlyAnswer>,
  expected: RegExp,
): Promise<string[]> {
  const lost: string[] = [];
  for (let i = 0; i < runs; i++) {
    const answer = await exchange();
    if (!expected.test(answer.text))
      lost.push(`run ${i}: read ${JSON.stringify(answer.text.slice(0, 200))}, error ${answer.error ?? 'none'}`);
  }
  return lost;
}
