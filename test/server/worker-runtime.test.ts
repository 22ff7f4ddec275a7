/**
 * How `tsgi serve` starts its workers (src/server/arbiter.ts): with Node's module compile cache,
 * in the default directory unless the user chose one or turned it off, without leaking the
 * variable the master set into the application's environment; and with a capped young
 * generation unless the user set its size.
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

interface Runtime {
  dir: string | null;
  env: string | null;
  execArgv: string[];
}

const DEFAULTS: NodeJS.ProcessEnv = {
  NODE_COMPILE_CACHE: undefined,
  NODE_DISABLE_COMPILE_CACHE: undefined,
  NODE_OPTIONS: undefined,
};

async function runtime(env: NodeJS.ProcessEnv = {}): Promise<Runtime> {
  const s = await serve(['apps.runtime', '--workers', '1'], { env: { ...DEFAULTS, ...env } });
  started.push(s);
  const reply = await request(`${s.url}/`);
  assert.equal(reply.status, 200);
  return JSON.parse(reply.body) as Runtime;
}

describe('tsgi serve: how workers are started', () => {
  test("the compile cache is on by default, in node's default directory; the application does not see NODE_COMPILE_CACHE", async () => {
    const got = await runtime();
    assert.ok(got.dir?.startsWith(path.join(os.tmpdir(), 'node-compile-cache')), `compile cache dir: ${got.dir}`);
    assert.equal(got.env, null);
  });

  test('the compile cache directory the user set in NODE_COMPILE_CACHE is used, and stays in the environment', async () => {
    const got = await runtime({ NODE_COMPILE_CACHE: dir });
    assert.ok(got.dir?.startsWith(dir), `compile cache dir: ${got.dir}`);
    assert.equal(got.env, dir);
  });

  test('NODE_DISABLE_COMPILE_CACHE=1 turns the compile cache off', async () => {
    const got = await runtime({ NODE_DISABLE_COMPILE_CACHE: '1' });
    assert.equal(got.dir, null);
  });

  test('the young generation is capped by default; a size the user set in NODE_OPTIONS is left alone', async () => {
    assert.ok((await runtime()).execArgv.includes('--max-semi-space-size=4'));
    const own = await runtime({ NODE_OPTIONS: '--max-semi-space-size=16' });
    assert.ok(!own.execArgv.some((flag) => flag.includes('semi-space')), `execArgv: ${own.execArgv.join(' ')}`);
  });
});
