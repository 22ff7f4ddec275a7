/**
 * Request bodies under `tsgi serve`'s limits, over raw sockets: the idle and overall body
 * timeouts (408, counted only while the application waits to read), the body size limit (413 up
 * front for a declared length, while streaming for a chunked body), and the rest of an unread
 * body discarded under the same limits after the response.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { request, serve, sleep, type Served } from './helpers.ts';

const started: Served[] = [];
after(async () => {
  await Promise.all(started.map((s) => s.stop(3000)));
});

async function start(args: string[]): Promise<Served> {
  const s = await serve(['apps.echo', '--workers', '1', ...args]);
  started.push(s);
  return s;
}

/** A raw connection: write at will, read everything until the server closes it. */
function connect(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  let closedAt = 0;
  socket.on('data', (c: Buffer) => chunks.push(c));
  socket.on('error', () => {});
  const closed = new Promise<string>((resolve) =>
    socket.on('close', () => {
      closedAt = Date.now();
      resolve(Buffer.concat(chunks).toString('latin1'));
    }),
  );
  return {
    socket,
    closed,
    received: () => Buffer.concat(chunks).toString('latin1'),
    closedAt: () => closedAt,
    write: (bytes: string | Buffer) => new Promise<void>((resolve) => socket.write(bytes, () => resolve())),
  };
}

describe('tsgi serve: request bodies', () => {
  test('a body that stops arriving is answered 408 and closed after --body-idle-timeout; other requests are served meanwhile', async () => {
    const s = await start(['--body-idle-timeout', '1']);
    const c = connect(s.port);
    await c.write('POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n' + 'a'.repeat(10));
    // The stalled upload holds nothing else up.
    for (let i = 0; i < 5; i++) assert.equal((await request(`${s.url}/`)).status, 200);
    const reply = await c.closed;
    assert.match(reply, /^HTTP\/1\.1 408 Request Timeout\r\n/);
    assert.match(reply, /\r\nConnection: close\r\n/i);
    assert.match(reply, /\r\n\r\nNo byte of the request body arrived for 1 s\.\n$/);
  });

  test('a body that trickles in (a byte every 200 ms) is cut with 408 at --body-timeout, though it never idles', async () => {
    const s = await start(['--body-idle-timeout', '5', '--body-timeout', '2']);
    const c = connect(s.port);
    await c.write('POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n');
    const trickle = (async () => {
      while (!c.socket.destroyed && c.received() === '') {
        c.socket.write('a');
        await sleep(200);
      }
    })();
    const reply = await c.closed;
    await trickle;
    assert.match(reply, /^HTTP\/1\.1 408 Request Timeout\r\n/);
    assert.match(reply, /The request body did not arrive within 2 s\.\n$/);
  });

  test('time the application spends before it reads the body is not blamed on the client', async () => {
    const s = await start(['--body-idle-timeout', '1', '--body-timeout', '1']);
    const c = connect(s.port);
    // The application sleeps 2.5 s before it reads; the client sends the body after 2 s, longer
    // than both timeouts, but while nobody was waiting for it.
    await c.write('POST /slow?ms=2500 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\n');
    await sleep(2000);
    await c.write('hello');
    const reply = await c.closed;
    assert.match(reply, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(reply, new RegExp(`"body_base64":"${Buffer.from('hello').toString('base64')}"`));
  });

  test('a declared 10 GB body is refused from its Content-Length at once, with the default limit', async () => {
    const s = await start([]);
    const c = connect(s.port);
    await c.write('POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000000\r\n\r\n');
    const reply = await c.closed;
    assert.match(reply, /^HTTP\/1\.1 413 Content Too Large\r\n/);
    assert.match(reply, /The request body is larger than 104857600 bytes\.\n$/);
  });

  test('an endless chunked body is answered 413 once it passes the default limit (100 MiB), while it streams', async () => {
    const s = await start([]);
    const c = connect(s.port);
    await c.write('POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
    const chunk = Buffer.from('10000\r\n' + 'x'.repeat(0x10000) + '\r\n');
    let sent = 0;
    // Socket buffers hold a few MiB on each side: the client learns of the answer that much later.
    const cap = 400 * 1024 * 1024;
    while (!c.socket.destroyed && c.received() === '' && sent < cap) {
      await c.write(chunk);
      sent += 0x10000;
    }
    const reply = await c.closed;
    assert.match(reply, /^HTTP\/1\.1 413 Content Too Large\r\n/);
    assert.match(reply, /\r\nConnection: close\r\n/i);
    assert.match(reply, /The request body is larger than 104857600 bytes\.\n$/);
    assert.ok(sent > 100 * 1024 * 1024 && sent < cap, `${sent} bytes were sent`);
  });

  test('the unread rest of a body after the response is discarded: the connection serves its next request', async () => {
    const s = await start([]);
    const c = connect(s.port);
    await c.write('POST /early HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n');
    await sleep(100);
    await c.write('b'.repeat(200000));
    await c.write('GET /next HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const reply = await c.closed;
    assert.equal(reply.match(/HTTP\/1\.1 200 OK/g)?.length, 2, reply);
    assert.match(reply, /"path":"\/next"/);
  });

  test('the unread rest of a body that stops arriving after the response: closed after --body-idle-timeout', async () => {
    const s = await start(['--body-idle-timeout', '1']);
    const c = connect(s.port);
    await c.write('POST /early HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nabc');
    const reply = await c.closed;
    assert.match(reply, /^HTTP\/1\.1 200 OK\r\n/);
    assert.doesNotMatch(reply, /408/);
  });

  test('an unread chunked body after the response is still held to --limit-request-body', async () => {
    const s = await start(['--limit-request-body', '100000']);
    const c = connect(s.port);
    await c.write('POST /early HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n');
    const chunk = Buffer.from('4000\r\n' + 'x'.repeat(0x4000) + '\r\n');
    let sent = 0;
    // Past the limit the server closes its side (and drops what still comes, for a while: the
    // lingering close); the client stops when it sees that end.
    while (!c.socket.destroyed && !c.socket.readableEnded && sent < 50_000_000) {
      await c.write(chunk);
      sent += 0x4000;
      await new Promise(setImmediate);
    }
    const reply = await c.closed;
    assert.match(reply, /^HTTP\/1\.1 200 OK\r\n/);
    assert.ok(sent < 5_000_000, `${sent} bytes were sent`);
  });
});
