/**
 * What `tsgi serve MODULE:ATTR` loads (src/server/loader.ts): compiled JavaScript (CommonJS
 * `.js`, ES module `.mjs`), a bare Fetch function, and how a function is told to be a Fetch
 * handler or a TSGI application: by its declared parameters, exactly one for a Fetch handler.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot, request, runTsgi, serve, type Served } from './helpers.ts';

const started: Served[] = [];
const dir = mkdtempSync(path.join(os.tmpdir(), 'tsgi-loader-'));
after(async () => {
  await Promise.all(started.map((s) => s.stop(3000)));
  rmSync(dir, { recursive: true, force: true });
});

const gateway = (file: string) => pathToFileURL(path.join(repoRoot, 'src/gateway', file)).href;

const apps: Record<string, string> = {
  // What tsc emits for a CommonJS project (no package.json here: .js is CommonJS).
  'compiled.js': `"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.application = void 0;
const application = (environ, startResponse) => {
    startResponse('200 OK', [['Content-Type', 'text/plain']]);
    return [Buffer.from('compiled js ' + environ.PATH_INFO)];
};
exports.application = application;
`,
  'esm.mjs': `export function application(environ, startResponse) {
  startResponse('200 OK', [['Content-Type', 'text/plain']]);
  return [new TextEncoder().encode('mjs ' + environ.PATH_INFO)];
}
`,
  'fetchfn.ts': `export const application = (request: Request): Response => new Response('fetch ' + new URL(request.url).pathname + ' ' + request.method);
`,
  // A TSGI application wrapped by the gateway's validator: (...args), no declared parameter.
  'validated.ts': `import { validator } from '${gateway('validator.ts')}';
import type { Application } from '${gateway('types.ts')}';
const inner: Application = (environ, startResponse) => {
  startResponse('200 OK', [['Content-Type', 'text/plain']]);
  return [new TextEncoder().encode('validated ' + environ.PATH_INFO)];
};
export const application = validator(inner);
`,
};
for (const [file, source] of Object.entries(apps)) writeFileSync(path.join(dir, file), source);

describe('tsgi serve: what the loader loads', () => {
  const served: Array<[string, string, string, string]> = [
    ['a compiled CommonJS .js module', 'compiled', 'compiled js /p', 'a TSGI application'],
    ['an ES module .mjs', 'esm', 'mjs /p', 'a TSGI application'],
    ['a bare Fetch function, (request) => Response', 'fetchfn', 'fetch /p GET', 'a Fetch handler'],
    [
      "a TSGI application with no declared parameter, (...args) (the gateway's validator)",
      'validated',
      'validated /p',
      'a TSGI application',
    ],
  ];
  for (const [what, module, body, kind] of served) {
    test(what, async () => {
      const check = await runTsgi(['serve', module, '--check-config'], { cwd: dir });
      assert.equal(check.code, 0, check.stderr);
      assert.match(
        check.stdout,
        new RegExp(`and ${module} loads \\(${kind} from ${path.join(dir, module).replaceAll('.', '\\.')}\\.`),
      );
      const s = await serve([module], { cwd: dir });
      started.push(s);
      const reply = await request(`${s.url}/p`);
      assert.equal(reply.status, 200, reply.body);
      assert.equal(reply.body, body);
    });
  }

  test('--help states the rule', async () => {
    const r = await runTsgi(['serve', '--help']);
    assert.match(
      r.stdout,
      /ATTR may also be a Fetch handler: an object with fetch\(request\) \(a Hono app\), or a function of exactly one parameter,\n\(request\) => Response; a function of none or of two or more is taken for a TSGI application \(environ, startResponse\)\./,
    );
  });
});

describe('tsgi serve --check-config with an application that cannot load', () => {
  test('exits 4 with the reason, and prints nothing on standard output', async () => {
    const r = await runTsgi(['serve', 'apps.throws', '--check-config']);
    assert.equal(r.code, 4);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /\[ERROR\] The module apps\.throws \(apps\/throws\.ts\) failed to load:\nError: database is not configured\n/,
    );
    const missing = await runTsgi(['serve', 'apps.nope', '--check-config']);
    assert.equal(missing.code, 4);
    assert.match(missing.stderr, /No module named "apps\.nope"/);
  });
});
