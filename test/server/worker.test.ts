/**
 * The `Worker` class (src/server/worker.ts) in this process, with its dependencies given by the
 * test: the master's side of the IPC channel is an array of messages, connections are real
 * loopback sockets handed over as the master hands them, the logs are temporary files.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { resolveConfig } from '../../src/server/config.ts';
import { monotonicMs, type FromWorker } from '../../src/server/ipc.ts';
import { APP_LOAD_ERROR } from '../../src/server/loader.ts';
import { LogFile, Logger } from '../../src/server/logger.ts';
import type { ServerConfig } from '../../src/server/settings.ts';
import { Worker, type WorkerDeps } from '../../src/server/worker.ts';
import { fixtures, until } from './helpers.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tsgi-worker-unit-'));
const servers: net.Server[] = [];
after(() => {
  for (const s of servers) s.close();
  rmSync(tmp, { recursive: true, force: true });
});

let files = 0;

/** A worker over the echo application, and what it told the master, logged and exited with. */
async function makeWorker(
  options: { args?: string[]; app?: string; connected?: boolean; maxRequests?: number; accessLog?: boolean } = {},
) {
  const dir = mkdtempSync(path.join(tmp, 'cwd-'));
  const { config } = await resolveConfig(options.args ?? [], {}, dir);
  const errorFile = path.join(tmp, `error-${++files}.log`);
  const accessFile = path.join(tmp, `access-${files}.log`);
  const sent: FromWorker[] = [];
  const exits: number[] = [];
  let watchdogs = 0;
  const deps: WorkerDeps = {
    setup: { app: options.app ?? 'apps.echo', config, maxRequests: options.maxRequests ?? 0, multiprocess: true },
    root: fixtures,
    send: (msg) => void sent.push(msg),
    connected: () => options.connected ?? true,
    exit: (code) => void exits.push(code),
    log: new Logger(new LogFile(errorFile, 2), 'debug'),
    accessLog: options.accessLog ? new LogFile(accessFile, 1) : null,
    startWatchdog: () => {
      watchdogs++;
      return { terminate: () => Promise.resolve() };
    },
  };
  const worker = new Worker(deps);
  return {
    worker,
    config: config satisfies ServerConfig,
    sent,
    exits,
    watchdogs: () => watchdogs,
    errorLog: () => readFileSync(errorFile, 'utf8'),
    accessLog: () => readFileSync(accessFile, 'utf8'),
  };
}

let ids = 0;

/**
 * Opens a loopback connection and hands its server side to the worker as the master does.
 * Resolves with the client's socket and the id of the hand-over.
 */
async function handOver(worker: Worker, at = monotonicMs()): Promise<{ client: net.Socket; id: number }> {
  // The worker's sockets come from the master's file descriptors, reading; the client writes only
  // once the worker has this one.
  const server = net.createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  const socket = await accepted;
  server.close();
  const id = ++ids;
  worker.receive({ t: 'conn', bind: 0, id, at }, socket);
  return { client, id };
}

/** Sends raw bytes and resolves with everything received until the worker closes the connection. */
function exchange(client: net.Socket, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    client.on('data', (c: Buffer) => chunks.push(c));
    client.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    client.on('error', reject);
    client.write(bytes);
  });
}

describe('Worker', () => {
  test('boot loads the application, starts the watchdog and tells the master it is ready', async () => {
    const w = await makeWorker();
    assert.equal(await w.worker.boot(), true);
    assert.deepEqual(w.sent, [{ t: 'ready' }]);
    assert.equal(w.watchdogs(), 1);
    w.worker.drain();
    await until(() => w.exits.length === 1, 5000, 'the exit');
    assert.deepEqual(w.exits, [0]);
  });

  test('an application that cannot load: exit with APP_LOAD_ERROR and the reason in the error log', async () => {
    const w = await makeWorker({ app: 'apps.nosuchmodule' });
    assert.equal(await w.worker.boot(), false);
    assert.deepEqual(w.exits, [APP_LOAD_ERROR]);
    assert.match(w.errorLog(), /\[ERROR\] No module named "apps\.nosuchmodule"/);
    // The master hears why, for its own log line.
    assert.equal(w.sent.length, 1);
    assert.equal(w.sent[0]!.t, 'failed');
    assert.match((w.sent[0] as { reason: string }).reason, /^No module named "apps\.nosuchmodule": none of /);
  });

  test('a connection handed over is taken at once, served, and reported closed', async () => {
    const w = await makeWorker();
    await w.worker.boot();
    const { client, id } = await handOver(w.worker);
    assert.deepEqual(w.sent.slice(1), [{ t: 'took', id, ok: true }]);
    const reply = await exchange(client, 'GET /hello HTTP/1.1\r\nHost: unit\r\nConnection: close\r\n\r\n');
    assert.match(reply, /^HTTP\/1\.1 200 OK\r\n/);
    assert.match(reply, /"path":"\/hello"/);
    await until(() => w.sent.some((m) => m.t === 'closed'), 5000, "'closed'");
    w.worker.drain();
  });

  test('a connection that arrives late (the loop was blocked) or while draining goes back to the master', async () => {
    const w = await makeWorker();
    await w.worker.boot();
    const late = await handOver(w.worker, monotonicMs() - 5000);
    assert.deepEqual(w.sent.at(-1), { t: 'took', id: late.id, ok: false });
    w.worker.drain();
    const drained = await handOver(w.worker);
    assert.deepEqual(w.sent.at(-1), { t: 'took', id: drained.id, ok: false });
    late.client.destroy();
    drained.client.destroy();
  });

  test('stop: requests in flight finish (Connection: close), then the worker exits 0', async () => {
    const w = await makeWorker();
    await w.worker.boot();
    const { client } = await handOver(w.worker);
    const reply = exchange(client, 'GET /slow?ms=300 HTTP/1.1\r\nHost: unit\r\n\r\n');
    await until(() => w.worker.inflight.size === 1, 5000, 'the request in flight');
    w.worker.receive({ t: 'stop', idle: true });
    assert.equal(w.worker.draining, true);
    assert.deepEqual(w.exits, []);
    assert.match(await reply, /\r\nConnection: close\r\n/i);
    await until(() => w.exits.length === 1, 5000, 'the exit');
    assert.deepEqual(w.exits, [0]);
    assert.match(w.errorLog(), /Worker exiting \(pid: \d+\)/);
  });

  test('the access log counts the body bytes sent, without wrapping the response: GET, HEAD, a refusal', async () => {
    const w = await makeWorker({ accessLog: true, args: ['--access-log-format', '%(m)s %(U)s %(s)s %(b)s %(B)s'] });
    await w.worker.boot();
    const { client } = await handOver(w.worker);
    const reply = await exchange(
      client,
      'GET /a HTTP/1.1\r\nHost: unit\r\n\r\nHEAD /b HTTP/1.1\r\nHost: unit\r\n\r\nGET * HTTP/1.1\r\nHost: unit\r\n\r\n',
    );
    const lengths = [...reply.matchAll(/Content-Length: (\d+)/gi)].map((m) => Number(m[1]));
    assert.equal(lengths.length, 3);
    await until(() => w.accessLog().split('\n').length > 3, 5000, 'three access log lines');
    assert.deepEqual(w.accessLog().trim().split('\n'), [
      `GET /a 200 ${lengths[0]} ${lengths[0]}`,
      'HEAD /b 200 - 0',
      `GET * 400 ${lengths[2]} ${lengths[2]}`,
    ]);
    w.worker.drain();
  });

  test("the access log reads the response headers as sent: the application's, the Content-Length the server added, a refusal's", async () => {
    const w = await makeWorker({
      accessLog: true,
      args: ['--access-log-format', '%(s)s %({content-type}o)s %({content-length}o)s %({x-served-by}o)s'],
    });
    await w.worker.boot();
    const { client } = await handOver(w.worker);
    const reply = await exchange(client, 'GET /a HTTP/1.1\r\nHost: unit\r\n\r\nGET * HTTP/1.1\r\nHost: unit\r\n\r\n');
    const lengths = [...reply.matchAll(/Content-Length: (\d+)/gi)].map((m) => m[1]);
    await until(() => w.accessLog().split('\n').length > 2, 5000, 'two access log lines');
    assert.deepEqual(w.accessLog().trim().split('\n'), [
      `200 application/json ${lengths[0]} ${process.pid}`,
      `400 text/plain; charset=utf-8 ${lengths[1]} -`,
    ]);
    w.worker.drain();
  });

  test('the access log counts what a streamed body sent', async () => {
    const w = await makeWorker({ accessLog: true, args: ['--access-log-format', '%(U)s %(s)s %(B)s'] });
    await w.worker.boot();
    const { client } = await handOver(w.worker);
    const reply = await exchange(client, 'GET /stream?n=5 HTTP/1.1\r\nHost: unit\r\nConnection: close\r\n\r\n');
    assert.match(reply, /Transfer-Encoding: chunked/i);
    await until(() => w.accessLog().includes('\n'), 5000, 'the access log line');
    assert.equal(w.accessLog(), '/stream 200 5000\n');
    w.worker.drain();
  });

  test('--max-requests: the worker asks the master to retire it after that many responses', async () => {
    const w = await makeWorker({ maxRequests: 2 });
    await w.worker.boot();
    const { client } = await handOver(w.worker);
    await exchange(
      client,
      'GET /1 HTTP/1.1\r\nHost: unit\r\n\r\nGET /2 HTTP/1.1\r\nHost: unit\r\nConnection: close\r\n\r\n',
    );
    await until(() => w.sent.some((m) => m.t === 'retire'), 5000, "'retire'");
    assert.match(w.errorLog(), /Autorestarting worker after current request \(2 requests served, --max-requests\)\./);
    w.worker.drain();
  });

  test('an uncaught exception after boot: the master is asked to replace the worker; without a master it drains', async () => {
    const w = await makeWorker();
    await w.worker.boot();
    w.worker.onUncaughtException(new Error('stray'));
    assert.deepEqual(w.sent.at(-1), { t: 'fatal' });
    assert.match(w.errorLog(), /Uncaught exception in worker \d+; its state may be corrupt[^]*Error: stray/);
    const alone = await makeWorker({ connected: false });
    await alone.worker.boot();
    alone.worker.onUncaughtException(new Error('stray'));
    assert.equal(alone.worker.draining, true);
    await until(() => alone.exits.length === 1, 5000, 'the exit');
    assert.deepEqual(alone.exits, [0]);
    w.worker.drain();
  });

  test('quit (the fast stop): the worker exits at once, its request in flight or not', async () => {
    const w = await makeWorker();
    await w.worker.boot();
    const { client } = await handOver(w.worker);
    client.write('GET /slow?ms=5000 HTTP/1.1\r\nHost: unit\r\n\r\n');
    await until(() => w.worker.inflight.size === 1, 5000, 'the request in flight');
    w.worker.quit();
    await until(() => w.exits.length === 1, 5000, 'the exit');
    assert.deepEqual(w.exits, [0]);
    client.destroy();
  });

  test('an uncaught exception while booting is a boot failure', async () => {
    const w = await makeWorker();
    w.worker.onUncaughtException(new Error('early'));
    assert.deepEqual(w.exits, [3]);
  });

  test('heartbeats: the shared counter moves and the master hears them', async () => {
    const w = await makeWorker({ args: ['--timeout', '1'] });
    await w.worker.boot();
    await until(() => w.sent.filter((m) => m.t === 'beat').length >= 2, 5000, 'two beats');
    assert.ok(Atomics.load(w.worker.beat, 0) >= 2);
    w.worker.drain();
  });
});
