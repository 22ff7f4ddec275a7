/**
 * What a hello request does not load (docs/performance.md, Framework, start-up): the reference
 * project served by the gateway's reference server in a child process, one GET /hello/ over a
 * socket, then the child's list of loaded modules. An ESM import of node:http loads undici and
 * zlib (~40 ms of a cold start, ~10 MiB a worker); crypto, zlib and busboy are for requests that
 * sign, compress or upload. Checked for the sources and for the compiled build (dist/).
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
    http.get(url, { headers: { host: 'localhost' } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d)).on('end', () => resolve({ status: res.statusCode!, text }));
    }).on('error', reject);
  });
}

async function loadedAfterHello(nodeOptions: string): Promise<{ native: string[]; userland: string[] }> {
  const child = spawn(process.execPath, [script], { env: { ...process.env, NODE_OPTIONS: nodeOptions }, stdio: ['ignore', 'pipe', 'pipe'] });
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
  return JSON.parse(out.trim().split('\n').at(-1)!) as { native: string[]; userland: string[] };
}

describe('a hello request loads only what it needs', () => {
  const cases: Array<[string, string]> = [['the .ts sources', '--conditions=tsgi-source']];
  if (existsSync(path.join(repoRoot, 'dist/src/core/wsgi.js'))) cases.push(['the compiled build (dist/)', '']);
  for (const [name, options] of cases) {
    test(`${name}: no undici, zlib or crypto; no busboy`, async () => {
      const { native, userland } = await loadedAfterHello(options);
      assert.deepEqual(native, []);
      assert.deepEqual(userland.filter((f) => f.startsWith('busboy') || f.startsWith('streamsearch')), []);
    });
  }
});
