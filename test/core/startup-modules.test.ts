/**
 * What a hello request does not load (docs/performance.md, Framework, start-up): the reference
 * project served by the gateway's reference server in a child process, one GET /hello/ over a
 * socket, then the child's list of loaded modules. An ESM import of node:http loads undici and
 * zlib (~40 ms of a cold start, ~10 MiB a worker); crypto, zlib and busboy are for requests that
 * sign, compress or upload; an ESM import of node:fs builds fs/promises (and readline). The
 * framework's modules for errors, signing, request bodies, cache headers and system checks are
 * loaded on first use. And the same request called in-process (the start-up probe of
 * bench/framework.app.ts: no server) loads neither node:http (the reason phrases are the
 * framework's own) nor the stream machinery (the log handlers open process.stderr on their first
 * record). Checked for the sources and for the compiled build (dist/).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const script = path.join(repoRoot, 'test/fixtures/startup/serve-once.ts');

function get(url: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { host: 'localhost' } }, (res) => {
        let text = '';
        res
          .setEncoding('utf8')
          .on('data', (d: string) => (text += d))
          .on('end', () => resolve({ status: res.statusCode!, text }));
      })
      .on('error', reject);
  });
}

interface Loaded {
  native: string[];
  userland: string[];
  framework: string[];
}

/** Framework modules a hello request must not load (each is loaded on first use). */
const LAZY_FRAMEWORK = [
  'views/defaults',
  'views/debug', // error pages
  'core/signing',
  'utils/crypto', // signed cookies, CSRF token checks
  'http/spool',
  'http/multipartparser', // request bodies
  'http/cache', // cache and Vary headers of decorated views, the CSRF cookie
  'urls/checks',
  'core/checks/registry',
  'core/checks/messages', // system checks
];
/** Node built-ins it must not load: node:fs/promises (and its readline) through an ESM import of node:fs. */
const LAZY_NATIVE = ['internal/fs/promises', 'internal/readline/interface'];

function assertLazy({ native, userland, framework }: Loaded): void {
  assert.deepEqual(
    native.filter((m) => /undici|zlib|crypto/.test(m)),
    [],
  );
  assert.deepEqual(
    native.filter((m) => LAZY_NATIVE.includes(m)),
    [],
  );
  assert.deepEqual(
    userland.filter((f) => f.startsWith('busboy') || f.startsWith('streamsearch')),
    [],
  );
  assert.ok(
    framework.includes('http/request') && framework.includes('core/handlers/base'),
    `the list of framework modules looks wrong: ${framework.join(', ')}`,
  );
  assert.deepEqual(
    framework.filter((m) => LAZY_FRAMEWORK.includes(m)),
    [],
  );
}

async function loadedInProcess(nodeOptions: string): Promise<Loaded> {
  const child = spawn(process.execPath, [script, 'direct'], {
    env: { ...process.env, NODE_OPTIONS: nodeOptions },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (err += d));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 0, err);
  const result = JSON.parse(out.trim().split('\n').at(-1)!) as Loaded & { status: string; text: string };
  assert.equal(result.status, '200 OK', err);
  assert.equal(result.text, 'Hello, world!');
  return result;
}

async function loadedAfterHello(nodeOptions: string): Promise<Loaded> {
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, NODE_OPTIONS: nodeOptions },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d));
  const lines: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      if (out.includes('\n') && lines.length === 0) {
        lines.push(out.split('\n')[0]!);
        resolve();
      }
    });
    child.once('exit', () => reject(new Error(`the server exited before listening:\n${err}`)));
  });
  const hello = await get(`${lines[0]}/hello/`);
  assert.equal(hello.status, 200, err);
  assert.equal(hello.text, 'Hello, world!');
  assert.equal(await exited, 0, err);
  return JSON.parse(out.trim().split('\n').at(-1)!) as Loaded;
}

describe('a hello request loads only what it needs', () => {
  const cases: Array<[string, string]> = [['the .ts sources', '--conditions=tsgi-source']];
  if (existsSync(path.join(repoRoot, 'dist/src/core/wsgi.js'))) cases.push(['the compiled build (dist/)', '']);
  for (const [name, options] of cases) {
    test(`${name}: no undici, zlib or crypto; no busboy; no fs/promises; no lazy framework module`, async () => {
      assertLazy(await loadedAfterHello(options));
    });
    test(`${name}, called in-process: the same, and no node:http, net or streams`, async () => {
      const loaded = await loadedInProcess(options);
      assertLazy(loaded);
      assert.deepEqual(
        loaded.native.filter(
          (m) =>
            ['http', 'net', 'stream', '_http_server'].includes(m) ||
            (m.startsWith('internal/streams/') && m !== 'internal/streams/utils'),
        ),
        [],
      );
    });
  }
});
