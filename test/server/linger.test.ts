/**
 * `tsgi serve`'s lingering close (--lingering-time, --lingering-timeout, --lingering-bytes): an
 * answer given before the request body was read reaches a client that sends its whole body
 * before it reads, on a connection the server closes. Over raw sockets, each case repeated:
 * closed at once, the server lost such answers in 7 of 30 runs for a 413, and in every run of
 * the cases below.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { closingHead, lostAnswers, sendAllThenRead, type Pace } from '../gateway/early-answer-client.ts';
import { makeProject, serve, type Project, type Served } from './helpers.ts';

const RUNS = 50;
const MiB = 1024 * 1024;
/** Each pace with a body that makes the old close lose the answer. */
const PACES: ReadonlyArray<[Pace, number]> = [
  ['fast', 4 * MiB],
  ['slow', 256 * 1024],
];

const started: Served[] = [];
const projects: Project[] = [];
after(async () => {
  await Promise.all(started.map((s) => s.stop(3000)));
  for (const p of projects) p.remove();
});

async function start(args: string[], cwd?: string): Promise<Served> {
  const s = await serve([...args, '--workers', '1'], cwd === undefined ? {} : { cwd });
  started.push(s);
  return s;
}

describe('tsgi serve: the answer before the body is read reaches a client that reads last', () => {
  test(`the 413 for a declared body over --limit-request-body (${RUNS} runs of each pace)`, async () => {
    const s = await start(['apps.echo', '--limit-request-body', '65536']);
    for (const [pace, size] of PACES) {
      const lost = await lostAnswers(
        RUNS,
        () => sendAllThenRead(s.port, closingHead('POST', '/upload', size), size, pace),
        /^HTTP\/1\.1 413 Content Too Large\r\n[^]*\r\n\r\nThe request body is larger than 65536 bytes\.\n$/,
      );
      assert.deepEqual(lost, [], `${pace}: ${lost.length} answers lost`);
    }
  });

  test(`an application that answers without reading, Connection: close (${RUNS} runs of each pace)`, async () => {
    const s = await start(['apps.echo']);
    for (const [pace, size] of PACES) {
      const lost = await lostAnswers(
        RUNS,
        () => sendAllThenRead(s.port, closingHead('POST', '/early', size), size, pace),
        /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nearly\n$/,
      );
      assert.deepEqual(lost, [], `${pace}: ${lost.length} answers lost`);
    }
  });

  test(`the framework's 404, decided before the body is read (${RUNS} runs of each pace)`, async () => {
    const p = makeProject();
    projects.push(p);
    const s = await start(['site.wsgi'], p.dir);
    for (const [pace, size] of PACES) {
      const lost = await lostAnswers(
        RUNS,
        () =>
          sendAllThenRead(
            s.port,
            closingHead('POST', '/no-such-page/', size, 'Content-Type: application/octet-stream\r\n'),
            size,
            pace,
          ),
        /^HTTP\/1\.1 404 Not Found\r\n[^]*<h1>Not Found<\/h1>[^]*<\/html>\n?$/,
      );
      assert.deepEqual(lost, [], `${pace}: ${lost.length} answers lost`);
    }
  });

  test('--lingering-bytes bounds what is read and dropped: a client that sends without end is cut', async () => {
    const s = await start(['apps.echo', '--lingering-bytes', String(MiB), '--limit-request-body', '0']);
    const socket = net.connect({ port: s.port, host: '127.0.0.1', allowHalfOpen: true });
    let reply = '';
    socket.on('data', (c: Buffer) => (reply += c.toString('latin1')));
    socket.on('error', () => {});
    const closed = new Promise((resolve) => socket.on('close', resolve));
    socket.write(closingHead('POST', '/early', 1e12));
    const block = Buffer.alloc(64 * 1024, 0x61);
    let sent = 0;
    // The default (128 MiB) would take all of this.
    while (!socket.destroyed && sent < 512 * MiB) {
      if (!socket.write(block)) await new Promise((resolve) => socket.once('drain', resolve).once('close', resolve));
      sent += block.length;
    }
    await closed;
    assert.match(reply, /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nearly\n$/);
    assert.ok(sent < 64 * MiB, `the client sent ${sent} bytes before the server cut it`);
  });
});
