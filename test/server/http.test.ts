/**
 * HTTP behaviour of `tsgi serve` over real sockets: limits, malformed requests, slowloris,
 * keep-alive and pipelining, 100-continue, HEAD, proxy headers, unix sockets, IPv6, TLS and a
 * Fetch (Hono) application.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { rawExchange, request, serve, type Served } from './helpers.ts';

const started: Served[] = [];
const dir = mkdtempSync(path.join(os.tmpdir(), 'tsgi-http-'));
after(async () => {
  await Promise.all(started.map((s) => s.stop(3000)));
  rmSync(dir, { recursive: true, force: true });
});

async function start(args: string[]): Promise<Served> {
  const s = await serve(args);
  started.push(s);
  return s;
}

const statusOf = (raw: string) => /^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1];

describe('tsgi serve: limits and malformed requests', () => {
  let s: Served;
  before(async () => {
    s = await start(['apps.echo', '--header-timeout', '1', '--limit-request-body', '1000', '--log-level', 'debug']);
  });

  const cases: Array<[string, string, string]> = [
    ['a request line over 4094 bytes', `GET /${'a'.repeat(4100)} HTTP/1.1\r\nHost: x\r\n\r\n`, '414'],
    ['a header line over 8190 bytes', `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(8190)}\r\n\r\n`, '431'],
    [
      'more than 100 header fields',
      `GET / HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 100 }, (_, i) => `X-H${i}: v\r\n`).join('')}\r\n`,
      '431',
    ],
    ['two Host headers', 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', '400'],
    [
      'two Content-Type headers',
      'POST / HTTP/1.1\r\nHost: a\r\nContent-Type: a/b\r\nContent-Type: c/d\r\nContent-Length: 0\r\n\r\n',
      '400',
    ],
    ['chunked on HTTP/1.0', 'POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', '400'],
    ['GET *', 'GET * HTTP/1.1\r\nHost: a\r\n\r\n', '400'],
    ['HTTP/2.0 in a request line', 'GET / HTTP/2.0\r\nHost: a\r\n\r\n', '505'],
    ['HTTP/1.1 without Host (RFC 9112 §3.2)', 'GET / HTTP/1.1\r\n\r\n', '400'],
    [
      'Host as a trailer',
      'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nHost: evil\r\n\r\n',
      '400',
    ],
    ['a Content-Length over --limit-request-body', 'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1001\r\n\r\n', '413'],
    [
      'a chunked body over --limit-request-body',
      `POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n${'400\r\n' + 'x'.repeat(1024) + '\r\n'}0\r\n\r\n`,
      '413',
    ],
    ['a bad method (llhttp)', 'G@T / HTTP/1.1\r\nHost: a\r\n\r\n', '400'],
    ['an unknown method (RFC 9110 §9.1, §15.6.2)', 'FOO /hello/ HTTP/1.1\r\nHost: a\r\n\r\n', '501'],
    ['a method in lower case (methods are case-sensitive)', 'get / HTTP/1.1\r\nHost: a\r\n\r\n', '501'],
    ['a method with a byte outside the token characters', 'bla:rgh / HTTP/1.1\r\nHost: a\r\n\r\n', '400'],
    [
      'a request smuggling attempt (CL and TE)',
      'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      '400',
    ],
  ];
  for (const [what, bytes, status] of cases) {
    test(`${what}: ${status}, connection closed, a concurrent client unaffected`, async () => {
      const other = net.connect(s.port, '127.0.0.1');
      await new Promise((r) => other.once('connect', r));
      other.write('GET /slow?ms=200 HTTP/1.1\r\nHost: x\r\n');
      const raw = await rawExchange(s.port, bytes);
      assert.equal(statusOf(raw), status, raw.slice(0, 300));
      assert.match(raw, /\r\nConnection: close\r\n/i);
      const reply = new Promise<string>((resolve) => {
        let got = '';
        other.on('data', (d: Buffer) => {
          got += d;
          if (got.includes('}\n')) resolve(got);
        });
      });
      other.write('\r\n');
      assert.equal(statusOf(await reply), '200');
      other.destroy();
    });
  }

  test('an unknown method: the answer names it', async () => {
    const raw = await rawExchange(s.port, 'BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n');
    assert.match(raw, /^HTTP\/1\.1 501 Not Implemented\r\n/);
    assert.match(raw, /\r\n\r\nNot Implemented: this server does not implement the method BREW\.\n$/);
  });

  test('CONNECT reaches the application (authority-form target), then the connection closes', async () => {
    const raw = await rawExchange(s.port, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n');
    assert.equal(statusOf(raw), '200');
    assert.match(raw, /"method":"CONNECT"/);
    assert.match(raw, /"uri":"example\.com:443"/);
  });

  test('bytes after a request that closes the connection do not replace its answer (RFC 9112 §9.6)', async () => {
    const raw = await rawExchange(
      s.port,
      'GET /first HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\nGARBAGE / HTTP/1.1\r\n\r\n',
    );
    assert.equal(statusOf(raw), '200');
    assert.match(raw, /"path":"\/first"/);
    assert.equal(raw.match(/HTTP\/1\.1 /g)?.length, 1);
  });

  test('the limits can be raised: a 4200-byte request line with --limit-request-line 8190', async () => {
    const big = await start([
      'apps.echo',
      '--limit-request-line',
      '8190',
      '--limit-request-fields',
      '3',
      '--limit-request-field-size',
      '50',
    ]);
    assert.equal(
      statusOf(
        await rawExchange(big.port, `GET /${'a'.repeat(4200)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
      ),
      '200',
    );
    assert.equal(
      statusOf(await rawExchange(big.port, 'GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n')),
      '431',
    );
    assert.equal(
      statusOf(await rawExchange(big.port, `GET / HTTP/1.1\r\nHost: x\r\nX-Long: ${'v'.repeat(42)}\r\n\r\n`)),
      '431',
    );
    assert.equal(
      statusOf(
        await rawExchange(
          big.port,
          `GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Long: ${'v'.repeat(40)}\r\n\r\n`,
        ),
      ),
      '200',
    );
  });

  test('slowloris: a head that does not arrive within --header-timeout is cut off (408)', async () => {
    const raw = await rawExchange(s.port, 'GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ', 15000);
    assert.equal(statusOf(raw), '408');
    assert.equal((await request(`${s.url}/`)).status, 200);
  });

  test('keep-alive, pipelining in order, HEAD without a body', async () => {
    const raw = await rawExchange(
      s.port,
      'GET /one HTTP/1.1\r\nHost: x\r\n\r\nHEAD /two HTTP/1.1\r\nHost: x\r\n\r\nGET /three HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    const paths = [...raw.matchAll(/"path":"([^"]+)"/g)].map((m) => m[1]);
    assert.deepEqual(paths, ['/one', '/three']);
    assert.equal(raw.match(/HTTP\/1\.1 200 OK/g)?.length, 3);
    // From the end of HEAD's status line to the next response: its header lines, the blank
    // line, and nothing after it (no body, though Content-Length says how long GET's would be).
    const head = raw.split('HTTP/1.1 200 OK')[2]!;
    assert.match(head, /\r\nContent-Length: [1-9]\d*\r\n/i);
    assert.match(head, /^(\r\n[^\r\n]+)+\r\n\r\n$/, `HEAD has no body: ${JSON.stringify(head)}`);
  });

  test('Expect: 100-continue, then a chunked body is echoed', async () => {
    const socket = net.connect(s.port, '127.0.0.1');
    let got = '';
    socket.on('data', (d: Buffer) => {
      got += d;
    });
    socket.write(
      'POST /up HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n',
    );
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (got.includes('100 Continue')) {
          clearInterval(t);
          resolve();
        }
      }, 10);
    });
    socket.write('5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n');
    await new Promise((r) => socket.on('close', r));
    assert.match(got, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK/);
    assert.match(got, new RegExp(`"body_base64":"${Buffer.from('hello world').toString('base64')}"`));
  });
});

describe('tsgi serve: keep-alive idle timeout', () => {
  /** Sends one request on a new connection, reads its answer, then waits for the connection to end. */
  async function idleAfterOneRequest(port: number): Promise<{ got: string; closedBy: 'server' | 'guard' }> {
    const socket = net.connect(port, '127.0.0.1');
    let got = '';
    socket.on('data', (d: Buffer) => {
      got += d;
    });
    socket.on('error', () => {});
    // A bound, not a measure: the test only says who closed the connection.
    let guard: NodeJS.Timeout | undefined;
    const closed = new Promise<'server' | 'guard'>((resolve) => {
      socket.once('end', () => resolve('server'));
      guard = setTimeout(() => {
        resolve('guard');
        socket.destroy();
      }, 15000);
    });
    await new Promise((r) => socket.once('connect', r));
    socket.write('GET /idle HTTP/1.1\r\nHost: x\r\n\r\n');
    const closedBy = await closed;
    clearTimeout(guard);
    socket.destroy();
    return { got, closedBy };
  }

  test('an idle keep-alive connection is closed by the server after --keep-alive seconds', async () => {
    const k = await start(['apps.echo', '--keep-alive', '1']);
    const { got, closedBy } = await idleAfterOneRequest(k.port);
    assert.equal(statusOf(got), '200');
    // The connection stayed open after the answer (keep-alive), announcing the setting ...
    assert.match(got, /\r\nConnection: keep-alive\r\n/i);
    assert.match(got, /\r\nKeep-Alive: timeout=1\r\n/i);
    // ... and the server, not the client, ended it once idle.
    assert.equal(closedBy, 'server');
    assert.equal(got.match(/HTTP\/1\.1 /g)?.length, 1);
  });

  test('--keep-alive 0 closes the connection after each response', async () => {
    const k = await start(['apps.echo', '--keep-alive', '0']);
    const { got, closedBy } = await idleAfterOneRequest(k.port);
    assert.equal(statusOf(got), '200');
    assert.match(got, /\r\nConnection: close\r\n/i);
    assert.equal(closedBy, 'server');
  });
});

describe('tsgi serve: proxy headers', () => {
  const headers = { 'X-Forwarded-For': '203.0.113.7, 10.0.0.1', 'X-Forwarded-Proto': 'https' };

  test('trusted from a peer in --forwarded-allow-ips (default 127.0.0.1)', async () => {
    const s = await start(['apps.echo']);
    const body = JSON.parse((await request(`${s.url}/`, { headers })).body) as { remote_addr: string; scheme: string };
    assert.equal(body.remote_addr, '203.0.113.7');
    assert.equal(body.scheme, 'https');
    const fwd = JSON.parse(
      (await request(`${s.url}/`, { headers: { Forwarded: 'for="[2001:db8::1]:4711";proto=https, for=10.0.0.1' } }))
        .body,
    ) as { remote_addr: string; scheme: string };
    assert.equal(fwd.remote_addr, '2001:db8::1');
    assert.equal(fwd.scheme, 'https');
  });

  test('ignored from any other peer', async () => {
    const s = await start(['apps.echo', '--forwarded-allow-ips', '10.0.0.0/8']);
    const body = JSON.parse((await request(`${s.url}/`, { headers })).body) as { remote_addr: string; scheme: string };
    assert.equal(body.remote_addr, '127.0.0.1');
    assert.equal(body.scheme, 'http');
  });
});

describe('tsgi serve: sockets and TLS', () => {
  test('a unix socket', async () => {
    const sock = path.join(dir, 'tsgi.sock');
    const s = await start(['apps.echo', '--bind', `unix:${sock}`]);
    assert.match(s.stderr(), new RegExp(`Listening at: unix:${sock.replaceAll('.', '\\.')}`));
    const reply = await new Promise<string>((resolve, reject) => {
      http
        .get({ socketPath: sock, path: '/u', headers: { Host: 'x' } }, (res) => {
          let b = '';
          res.on('data', (d: Buffer) => {
            b += d;
          });
          res.on('end', () => resolve(b));
        })
        .on('error', reject);
    });
    assert.equal((JSON.parse(reply) as { path: string }).path, '/u');
    await s.stop();
    assert.equal(existsSync(sock), false);
  });

  test('IPv6 loopback', async (t) => {
    const probe = net.createServer();
    const ok = await new Promise<boolean>((resolve) => {
      probe.once('error', () => resolve(false));
      probe.listen(0, '::1', () => {
        probe.close();
        resolve(true);
      });
    });
    if (!ok) return t.skip('no IPv6 loopback on this machine');
    const s = await start(['apps.echo', '--bind', '[::1]:0']);
    assert.match(s.url, /^http:\/\/\[::1\]:\d+$/);
    const body = JSON.parse((await request(`${s.url}/v6`)).body) as { remote_addr: string };
    assert.equal(body.remote_addr, '::1');
  });

  test('TLS with a certificate made here', async () => {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const s = await start(['apps.echo', '--certfile', cert, '--keyfile', key]);
    assert.match(s.url, /^https:\/\//);
    const { readFileSync } = await import('node:fs');
    const body = await new Promise<string>((resolve, reject) => {
      https
        .get(`${s.url}/tls`, { ca: readFileSync(cert) }, (res) => {
          let b = '';
          res.on('data', (d: Buffer) => {
            b += d;
          });
          res.on('end', () => resolve(b));
        })
        .on('error', reject);
    });
    assert.equal((JSON.parse(body) as { scheme: string }).scheme, 'https');
  });

  test('a Hono application through its Fetch export', async () => {
    const s = await start(['apps.hono:default']);
    const r = await request(`${s.url}/hello/tsgi`);
    assert.equal(r.status, 200);
    assert.equal(r.body, 'Hello, tsgi!');
    const post = await request(`${s.url}/echo`, { method: 'POST', body: 'ping' });
    assert.deepEqual(JSON.parse(post.body), { got: 'ping' });
  });

  test('wsgi.multiprocess is true with several workers; --env reaches the workers', async () => {
    const s = await start(['apps.echo', '--workers', '2', '--env', 'APP_VERSION_TAG=release-7,b']);
    const body = JSON.parse((await request(`${s.url}/`)).body) as { multiprocess: boolean; version_tag: string };
    assert.equal(body.multiprocess, true);
    assert.equal(body.version_tag, 'release-7,b');
  });
});
