// `<int:...>` past Number.MAX_SAFE_INTEGER (snowflake-style ids): the view gets an exact bigint,
// reverse() puts every digit back in the URL, and JsonResponse writes it as a JSON number with
// every digit, as Django 3.2 does with Python's ints. Over a socket against the same route and
// view run by Django (its test client, test/urls/fixtures/django_int_json.py). Skipped when
// Django is not installed; in CI (CI=true) that is a failure (test/prerequisites.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { skipUnlessPresent } from '../prerequisites.ts';
import path from 'node:path';
import { settings } from '../../src/conf/index.ts';
import { WSGIHandler } from '../../src/core/handlers/wsgi.ts';
import { serve, type ServerHandle } from '../../src/gateway/server.ts';
import type { HttpRequest } from '../../src/http/request.ts';
import { JsonResponse } from '../../src/http/response.ts';
import { path as route, reverse } from '../../src/urls/index.ts';

const PYTHON = '/usr/bin/python3';
const hasDjango = spawnSync(PYTHON, ['-c', 'import django'], { encoding: 'utf8' }).status === 0;
const skip = skipUnlessPresent(hasDjango ? undefined : 'Django is not installed (apt-get install -y python3-django)');
const oracle = path.join(import.meta.dirname, 'fixtures', 'django_int_json.py');

const seen: unknown[] = [];
function articleYear(_request: HttpRequest, { year }: { year: number | bigint }): JsonResponse {
  seen.push(year);
  return new JsonResponse({ year, url: reverse('article-year', { kwargs: { year } }) });
}

let server: ServerHandle;
before(async () => {
  settings.configure({
    ALLOWED_HOSTS: ['*'],
    MIDDLEWARE: [],
    ROOT_URLCONF: { urlpatterns: [route('articles/<int:year>/', articleYear, { name: 'article-year' })] },
  });
  server = await serve(new WSGIHandler().call, { port: 0 });
});
after(() => server.close());

/** JSON with integers past Number.MAX_SAFE_INTEGER read exactly, as bigints. */
function parseExact(text: string): unknown {
  const reviver = (_key: string, value: unknown, context?: { source?: string }) =>
    typeof value === 'number' && !Number.isSafeInteger(value) && /^-?\d+$/.test(context?.source ?? '')
      ? BigInt(context!.source!)
      : value;
  return JSON.parse(text, reviver as never);
}

const paths = [
  '/articles/2024/',
  '/articles/0042/',
  '/articles/9007199254740991/',
  '/articles/9007199254740992/',
  '/articles/9007199254740993/',
  '/articles/1234567890123456789012/',
  '/articles/000000000000000000000000000001/',
  '/articles/99999999999999999999999999999999999999/',
];

test('ids past Number.MAX_SAFE_INTEGER: the same JSON values and URLs as Django 3.2', { skip }, async () => {
  const run = spawnSync(PYTHON, [oracle], { input: JSON.stringify(paths), encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const django = JSON.parse(run.stdout) as Array<[number, string]>;
  for (const [i, p] of paths.entries()) {
    const response = await fetch(`http://127.0.0.1:${server.port}${p}`);
    const text = await response.text();
    assert.equal(response.status, django[i]![0], p);
    assert.deepEqual(parseExact(text), parseExact(django[i]![1]), p);
  }
  assert.equal(seen[3], 9007199254740992n);
  assert.equal(seen[5], 1234567890123456789012n);
  assert.equal(seen[1], 42);
});
