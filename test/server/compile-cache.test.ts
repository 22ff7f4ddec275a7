/**
 * The workers of `tsgi serve` run with Node's module compile cache (src/server/arbiter.ts
 * compileCacheEnv): in the default directory unless the user chose one or turned it off, and
 * without leaking the variable the master set into the application's environment.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { request, serve, type Served } from './helpers.ts';

const started: Served[] = [];
const dir = mkdtempSync(path.join(os.tmpdir(), 'tsgi-compile-cache-'));
after(async () => {
  await Promise.all(started.map((s) => s.stop(3000)));
  rmSync(dir, { recursive: true, force: true });
});

async function state(env: NodeJS.ProcessEnv): Promise<{ dir: string | null; env: string | null }> {
  const s = await serve(['apps.compilecache', '--workers', '1'], { env });
  started.push(s);
  const reply = await request(`${s.url}/`);
  assert.equal(reply.status, 200);
  return JSON.parse(reply.body) as { dir: string | null; env: string | null };
}

describe('tsgi serve: the compile cache of the workers', () => {
  test('on by default, in node\'s default directory; the application does not see NODE_COMPILE_CACHE', async () => {
    const got = await state({ NODE_COMPILE_CACHE: undefined, NODE_DISABLE_COMPILE_CACHE: undefined });
    assert.ok(got.dir?.startsWith(path.join(os.tmpdir(), 'node-compile-cache')), `compile cache dir: ${got.dir}`);
    assert.equal(got.env, null);
  });

  test('the directory the user set in NODE_COMPILE_CACHE is used, and stays in the environment', async () => {
    const got = await state({ NODE_COMPILE_CACHE: dir, NODE_DISABLE_COMPILE_CACHE: undefined });
    assert.ok(got.dir?.startsWith(dir), `compile cache dir: ${got.dir}`);
    assert.equal(got.env, dir);
  });

  test('NODE_DISABLE_COMPILE_CACHE=1 turns it off', async () => {
    const got = await state({ NODE_COMPILE_CACHE: undefined, NODE_DISABLE_COMPILE_CACHE: '1' });
    assert.equal(got.dir, null);
  });
});
