// The database in the request cycle, over real sockets through the framework's handler: 50
// concurrent requests in one worker, each in its own atomic() block, half rolling back, leave
// exactly the committed half; ATOMIC_REQUESTS and nonAtomicRequests(); connections given back
// (or closed per CONN_MAX_AGE) when requests finish, and health-checked; the N+1 warning with
// the view's line; the tsgi.db query log and the DEBUG 500 page showing the failing SQL.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { overrideSettings } from '../../src/conf/index.ts';
import { WSGIHandler } from '../../src/core/handlers/wsgi.ts';
import { connections } from '../../src/db/connections.ts';
import { execute, withSchemaEditor } from '../../src/db/index.ts';
import { CASCADE, CharField, ForeignKey, IntegerField, Model } from '../../src/db/models/index.ts';
import { atomic, nonAtomicRequests } from '../../src/db/transaction.ts';
import { serve, type ServerHandle } from '../../src/gateway/server.ts';
import type { HttpRequest } from '../../src/http/request.ts';
import { HttpResponse } from '../../src/http/response.ts';
import { path } from '../../src/urls/index.ts';
import { getLogger } from '../../src/utils/log.ts';
import { captureLogs } from '../core/helpers.ts';
import { eachBackend } from './helpers.ts';

class Entry extends Model.define(
  { n: new IntegerField(), marker: new CharField({ maxLength: 20 }) },
  { appLabel: 'req' },
) {}
class Writer extends Model.define({ name: new CharField({ maxLength: 20 }) }, { appLabel: 'req' }) {}
class Note extends Model.define(
  { writer: new ForeignKey(() => Writer, { onDelete: CASCADE }), text: new CharField({ maxLength: 20 }) },
  { appLabel: 'req' },
) {}

async function concurrentEntry(request: HttpRequest, { n }: { n: number }): Promise<HttpResponse> {
  try {
    await atomic(async () => {
      await Entry.objects.create({ n, marker: 'concurrent' });
      await sleep(Number(request.GET.get('wait') ?? 0));
      // Only this block's own row is visible to it: no other request's uncommitted row.
      const mine = await Entry.objects.filter({ marker: 'concurrent', n }).count();
      if (mine !== 1) throw new Error(`saw ${mine} rows for ${n}`);
      if (n % 2 === 1) throw new Error('roll back');
    });
  } catch (error) {
    return new HttpResponse((error as Error).message, { status: 409 });
  }
  return new HttpResponse('committed');
}

async function failingAtomicView(): Promise<HttpResponse> {
  await Entry.objects.create({ n: -1, marker: 'atomic-requests' });
  throw new Error('the view failed after writing');
}

const nonAtomicView = nonAtomicRequests(async () => {
  await Entry.objects.create({ n: -2, marker: 'non-atomic' });
  throw new Error('the view failed after writing');
});

async function nPlusOne(): Promise<HttpResponse> {
  const names: string[] = [];
  for (const note of await Note.objects.all()) names.push((await note.writer).name);
  return new HttpResponse(names.join(','));
}

async function brokenQuery(): Promise<HttpResponse> {
  await execute('SELECT * FROM no_such_table WHERE id = 42');
  return new HttpResponse('unreachable');
}

const urlpatterns = [
  path('entry/<int:n>/', concurrentEntry),
  path('atomic/', failingAtomicView),
  path('non-atomic/', nonAtomicView),
  path('nplusone/', nPlusOne),
  path('broken/', brokenQuery),
  path('ping/', async () => new HttpResponse(String(await Entry.objects.count()))),
];

eachBackend(
  'requests',
  (backend) => {
    let server: ServerHandle;
    let base: string;
    before(async () => {
      await withSchemaEditor(async (editor) => {
        for (const model of [Entry, Writer, Note]) await editor.createModel(model);
      });
      const handler = new WSGIHandler();
      handler.loadMiddleware([]);
      server = await serve(handler.call, { port: 0 });
      base = `http://127.0.0.1:${server.port}`;
    });
    after(async () => {
      await server.close();
    });

    test('50 concurrent requests, each in its own atomic() block, half rolling back: exactly the committed half stays', async () => {
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, n) =>
          fetch(`${base}/entry/${n}/?wait=${(n * 7) % 13}`).then(async (r) => [r.status, await r.text()] as const),
        ),
      );
      assert.deepEqual(
        responses.map(([status]) => status),
        Array.from({ length: 50 }, (_, n) => (n % 2 === 0 ? 200 : 409)),
      );
      assert.ok(
        responses.every(([status, text]) => status === 200 || text === 'roll back'),
        JSON.stringify(responses),
      );
      const kept = await Entry.objects.filter({ marker: 'concurrent' }).orderBy('n').valuesList('n', { flat: true });
      assert.deepEqual(
        kept,
        Array.from({ length: 25 }, (_, i) => i * 2),
      );
    });

    test('ATOMIC_REQUESTS rolls back a failing view; nonAtomicRequests() exempts one', async () => {
      const restore = overrideSettings({
        DATABASES: { default: { ...backend.databases.default!, ATOMIC_REQUESTS: true } },
      });
      try {
        assert.equal((await fetch(`${base}/atomic/`)).status, 500);
        assert.equal((await fetch(`${base}/non-atomic/`)).status, 500);
        assert.equal(await Entry.objects.filter({ marker: 'atomic-requests' }).count(), 0);
        assert.equal(await Entry.objects.filter({ marker: 'non-atomic' }).count(), 1);
      } finally {
        restore();
      }
    });

    test('with DEBUG on, the N+1 pattern is one warning naming the model, the count and the view line', async () => {
      const writer = await Writer.objects.create({ name: 'w' });
      for (let i = 0; i < 12; i++) await Note.objects.create({ writer, text: `n${i}` });
      const logs = captureLogs('tsgi.db');
      const logger = getLogger('tsgi.db');
      logger.setLevel('DEBUG');
      const restore = overrideSettings({ DEBUG: true });
      try {
        const response = await fetch(`${base}/nplusone/`);
        assert.equal(response.status, 200);
        await response.text();
        await sleep(50);
      } finally {
        restore();
        logs.stop();
        logger.setLevel(0);
      }
      const warnings = logs.records.filter((r) => r.levelname === 'WARNING');
      assert.equal(warnings.length, 1, warnings.map((w) => w.message).join('\n'));
      assert.match(
        warnings[0]!.message,
        /^Possible N\+1 queries: one request ran the same query on req\.Writer 12 times, from test\/db\/requests\.test\.ts:\d+:\d+\. /,
      );
      assert.match(warnings[0]!.message, /selectRelated\(\) for a ForeignKey/);
      const queries = logs.records.filter((r) => r.levelname === 'DEBUG');
      assert.ok(queries.length >= 13);
      assert.match(queries[0]!.message, /^\(\d+\.\d{3}\) SELECT .*; args=\[.*\]; alias=default$/);
    });

    test('the DEBUG 500 page and the tsgi.db log show the failing SQL and its parameters', async () => {
      const logs = captureLogs('tsgi.db');
      const logger = getLogger('tsgi.db');
      logger.setLevel('DEBUG');
      const restore = overrideSettings({ DEBUG: true });
      try {
        const response = await fetch(`${base}/broken/`, { headers: { Accept: 'text/html' } });
        assert.equal(response.status, 500);
        const page = await response.text();
        assert.match(page, /<div id="sql"><h2>SQL<\/h2><pre>SELECT \* FROM no_such_table WHERE id = 42<\/pre>/);
        assert.match(page, backend.name === 'sqlite' ? /OperationalError/ : /ProgrammingError/);
      } finally {
        restore();
        logs.stop();
        logger.setLevel(0);
      }
      const failed = logs.records.filter((r) => r.message.includes('no_such_table'));
      assert.equal(failed.length, 1);
      assert.match(
        failed[0]!.message,
        /^\(\d+\.\d{3}\) SELECT \* FROM no_such_table WHERE id = 42; args=\[\]; alias=default$/,
      );
      assert.ok((failed[0] as unknown as { error?: Error }).error instanceof Error);
    });

    if (backend.name === 'postgresql') {
      test('a request leases one connection and gives it back when it finishes; CONN_MAX_AGE 0 without a pool closes it', async () => {
        const pool = () => (connections.get() as unknown as { pool: { totalCount: number; idleCount: number } }).pool;
        await Promise.all(Array.from({ length: 5 }, () => fetch(`${base}/ping/`).then((r) => r.text())));
        await sleep(50);
        // Back in the pool, but for the one of the code outside requests (this test's own queries).
        assert.ok(pool().totalCount - pool().idleCount <= 1, `${pool().idleCount} idle of ${pool().totalCount}`);
        const restore = overrideSettings({
          DATABASES: { default: { ...backend.databases.default!, CONN_MAX_AGE: 0, OPTIONS: { pool: false } } },
        });
        try {
          await Promise.all(Array.from({ length: 3 }, () => fetch(`${base}/ping/`).then((r) => r.text())));
          await sleep(50);
          assert.equal(pool().totalCount, 0, 'closed at the end of each request');
        } finally {
          restore();
        }
      });

      test('CONN_HEALTH_CHECKS replaces a connection the server dropped', async () => {
        const restore = overrideSettings({
          DATABASES: { default: { ...backend.databases.default!, CONN_HEALTH_CHECKS: true, CONN_MAX_AGE: 60 } },
        });
        try {
          assert.equal((await fetch(`${base}/ping/`)).status, 200);
          // Drop every other connection of the database, server side.
          await execute(
            'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
          );
          await sleep(100);
          const response = await fetch(`${base}/ping/`);
          assert.equal(response.status, 200, await response.text());
        } finally {
          restore();
        }
      });
    }
  },
  { extraSettings: { ROOT_URLCONF: { urlpatterns }, ALLOWED_HOSTS: ['*'] } },
);
