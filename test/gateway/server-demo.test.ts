/**
 * The demo `npm start` runs (examples/demo/serve.ts): it prints its URL, serves the demo app
 * over a socket, and stops cleanly on TERM and INT.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { after, describe, test } from 'node:test';

const repoRoot = path.resolve(import.meta.dirname, '../..');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

interface Demo {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startDemo(port: number): Demo {
  const child = spawn(process.execPath, ['examples/demo/serve.ts'], {
    cwd: repoRoot,
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitFor(demo: Demo, text: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!demo.output().includes(text)) {
    if (Date.now() > deadline || demo.child.exitCode !== null)
      assert.fail(`The demo did not print ${JSON.stringify(text)}; it printed:\n${demo.output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('examples/demo (npm start)', () => {
  const started: Demo[] = [];
  after(() => {
    for (const demo of started) if (demo.child.exitCode === null) demo.child.kill('SIGKILL');
  });

  test('serves the demo app and stops cleanly on TERM', async () => {
    const port = await freePort();
    const demo = startDemo(port);
    started.push(demo);
    const base = `http://127.0.0.1:${port}`;
    await waitFor(demo, `tsgi demo serving on ${base}/`);
    const home = await fetch(base + '/');
    assert.equal(home.status, 200);
    assert.match(await home.text(), /<h1>tsgi is running<\/h1>/);
    assert.equal(await (await fetch(base + '/hello/%3Cyou%3E')).text(), '<p>Hello, &#60;you&#62;!</p>\n');
    assert.equal(
      await (await fetch(base + '/stream')).text(),
      [1, 2, 3, 4, 5].map((i) => `chunk ${i} of 5\n`).join(''),
    );
    const echo = await fetch(base + '/echo', {
      method: 'POST',
      body: 'some text',
      headers: { 'Content-Type': 'text/plain' },
    });
    assert.equal(await echo.text(), 'some text');
    assert.equal((await fetch(base + '/echo')).status, 405);
    assert.equal((await fetch(base + '/nothing')).status, 404);
    demo.child.kill('SIGTERM');
    assert.equal(await demo.exited, 0);
    assert.match(demo.output(), /SIGTERM: stopping\.\.\.\nstopped\.\n$/);
  });

  test('stops on INT (Ctrl-C) too', async () => {
    const port = await freePort();
    const demo = startDemo(port);
    started.push(demo);
    await waitFor(demo, 'serving on');
    demo.child.kill('SIGINT');
    assert.equal(await demo.exited, 0);
  });

  test('says what to do when the port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const { port } = blocker.address() as net.AddressInfo;
    const demo = startDemo(port);
    started.push(demo);
    assert.equal(await demo.exited, 1);
    assert.match(
      demo.output(),
      new RegExp(
        `Port ${port} on 127\\.0\\.0\\.1 is already in use: stop what uses it, or run with another port \\(PORT=8001 npm start\\)\\.`,
      ),
    );
    await new Promise((r) => blocker.close(r));
  });
});
