// The ORM against the raw drivers, Drizzle ORM, Kysely and Django's ORM, on the same database
// and the same two queries (issue 15's targets):
//   get:  one post by primary key           (tsgi: Post.objects.get({ pk }))
//   list: the 100 posts of an author, ordered (tsgi: Post.objects.filter({ author }).orderBy('id'))
// on SQLite (node:sqlite, a WAL file) and on PostgreSQL (a server this script starts, as the
// tests do; the ORM's driver is postgres.js, and both it and node-postgres run raw as references).
// Each query runs one after the other (await each), N times per round; the rounds of the
// implementations are interleaved so that load on a shared machine weighs on all alike, and the
// best round is reported in microseconds per query, with its ratio to the first raw driver: wall
// time, and the CPU time of the client process (what the ORM costs; on PostgreSQL the server's
// work is not in it). Django runs in its own process: its comparison uses CPU time, which the
// load of other processes on a shared machine barely moves.
//
//   node bench/orm.ts                 # both backends
//   BACKENDS=sqlite ROUNDS=7 node bench/orm.ts
//
// Django's side (bench/orm.py) needs python3-django (and python3-psycopg2 for PostgreSQL); the
// PostgreSQL half needs Debian's postgresql (as the tests). Missing ones are reported and skipped.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import pg from 'pg';
import postgres from 'postgres';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { drizzle as drizzleProxy } from 'drizzle-orm/sqlite-proxy';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { sqliteTable, integer as sInteger, text as sText } from 'drizzle-orm/sqlite-core';
import { pgTable, serial, integer as pInteger, varchar, text as pText, boolean as pBoolean } from 'drizzle-orm/pg-core';
import { eq, asc, sql } from 'drizzle-orm';
import { settings } from '../src/conf/index.ts';
import { connections, withSchemaEditor } from '../src/db/index.ts';
import {
  BooleanField,
  CASCADE,
  CharField,
  ForeignKey,
  IntegerField,
  Model,
  TextField,
} from '../src/db/models/index.ts';
import { postgresBinDir, startPostgres } from '../test/db/postgres.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const BACKENDS = (process.env.BACKENDS ?? 'sqlite,postgresql').split(',');
const GETS = 20_000;
const LISTS = 1_000;
const PYTHON = '/usr/bin/python3';

class Author extends Model.define({ name: new CharField({ maxLength: 100 }) }, { appLabel: 'bench' }) {}
class Post extends Model.define(
  {
    title: new CharField({ maxLength: 200 }),
    body: new TextField(),
    author: new ForeignKey(() => Author, { onDelete: CASCADE }),
    views: new IntegerField(),
    published: new BooleanField(),
  },
  { appLabel: 'bench' },
) {}

type Op = (i: number) => unknown;
interface Contender {
  name: string;
  get: Op;
  list: Op;
}

/** Wall and CPU microseconds per query. */
interface Timing {
  wall: number;
  cpu: number;
}
interface Result {
  get: Timing;
  list: Timing;
}

async function time(fn: Op, n: number): Promise<Timing> {
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  for (let i = 0; i < n; i++) await fn(i);
  const used = process.cpuUsage(cpu);
  return { wall: Number(process.hrtime.bigint() - start) / n / 1000, cpu: (used.user + used.system) / n };
}

function min(a: Timing, b: Timing): Timing {
  return { wall: Math.min(a.wall, b.wall), cpu: Math.min(a.cpu, b.cpu) };
}

/** Best µs/op of each contender for each query, rounds interleaved. */
async function race(contenders: Contender[]): Promise<Map<string, Result>> {
  const none = { wall: Infinity, cpu: Infinity };
  const best = new Map(contenders.map((c) => [c.name, { get: none, list: none }]));
  for (const c of contenders) {
    await time(c.get, GETS / 4);
    await time(c.list, LISTS / 4);
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of contenders) {
      const b = best.get(c.name)!;
      b.get = min(b.get, await time(c.get, GETS));
      b.list = min(b.list, await time(c.list, LISTS));
    }
  }
  return best;
}

function django(kind: string, target: string): Result | string {
  const probe = spawnSync(PYTHON, ['-c', kind === 'sqlite' ? 'import django' : 'import django, psycopg2']);
  if (probe.status !== 0)
    return kind === 'sqlite'
      ? 'python3-django is not installed'
      : 'python3-django or python3-psycopg2 is not installed';
  const run = spawnSync(PYTHON, [path.join(import.meta.dirname, 'orm.py'), kind, target, String(ROUNDS)], {
    encoding: 'utf8',
  });
  if (run.status !== 0) return `Django failed: ${run.stderr.trim().split('\n').pop()}`;
  return JSON.parse(run.stdout) as Result;
}

function report(title: string, best: Map<string, Result>, dj: Result | string): void {
  const raw = [...best.values()][0]!;
  const cell = (t: Timing, r: Timing, digits: number) =>
    `${t.wall.toFixed(digits).padStart(9)}${(t.wall / r.wall).toFixed(2).padStart(7)}${t.cpu.toFixed(digits).padStart(9)}${(t.cpu / r.cpu).toFixed(2).padStart(7)}`;
  console.log(
    `\n${title}: µs per query, best of ${ROUNDS} interleaved rounds (${GETS} gets, ${LISTS} lists per round)`,
  );
  console.log(
    `${''.padEnd(20)}${'get: wall'.padStart(9)}${'× raw'.padStart(7)}${'cpu'.padStart(9)}${'× raw'.padStart(7)}   ${'list: wall'.padStart(9)}${'× raw'.padStart(7)}${'cpu'.padStart(9)}${'× raw'.padStart(7)}`,
  );
  const rows = [...best.entries()];
  if (typeof dj !== 'string') rows.push(['Django 3.2 ORM', dj]);
  for (const [name, b] of rows)
    console.log(`${name.padEnd(20)}${cell(b.get, raw.get, 2)}   ${cell(b.list, raw.list, 1)}`);
  if (typeof dj === 'string') console.log(`Django: skipped (${dj})`);
  const tsgi = best.get('tsgi ORM')!;
  const others = [...best.entries()].filter(([name], i) => i > 0 && name !== 'tsgi ORM');
  console.log(
    `tsgi: get ${(tsgi.get.wall / raw.get.wall).toFixed(2)}× raw (target ≤ 1.5), list ${(tsgi.list.wall / raw.list.wall).toFixed(2)}× raw (target ≤ 2); ` +
      others
        .map(
          ([name, b]) =>
            `${name} get ${(b.get.wall / tsgi.get.wall).toFixed(2)}× tsgi, list ${(b.list.wall / tsgi.list.wall).toFixed(2)}×`,
        )
        .join('; ') +
      (typeof dj !== 'string'
        ? `; Django (CPU) get ${(dj.get.cpu / tsgi.get.cpu).toFixed(1)}× tsgi, list ${(dj.list.cpu / tsgi.list.cpu).toFixed(1)}× (target ≥ 10)`
        : ''),
  );
}

async function fill(): Promise<void> {
  await withSchemaEditor(async (editor) => {
    await editor.createModel(Author);
    await editor.createModel(Post);
  });
  const authors = await Author.objects.bulkCreate(
    Array.from({ length: 100 }, (_, i) => new Author({ name: `author ${i}` })),
  );
  const posts = Array.from(
    { length: 10_000 },
    (_, i) =>
      new Post({
        title: `post ${i}`,
        body: `The body of post ${i}.`,
        author: authors[i % 100]!,
        views: i,
        published: i % 2 === 0,
      }),
  );
  await Post.objects.bulkCreate(posts, { batchSize: 1000 });
}

const GET_SQL = 'SELECT id, title, body, author_id, views, published FROM bench_post WHERE id = ';
const LIST_SQL = 'SELECT id, title, body, author_id, views, published FROM bench_post WHERE author_id = ';

async function sqlite(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tsgi-orm-bench-'));
  const file = path.join(dir, 'bench.sqlite3');
  const restore = settings.override({ DATABASES: { default: { ENGINE: 'tsgi.db.backends.sqlite3', NAME: file } } });
  try {
    await fill();
    const db = new DatabaseSync(file);
    db.exec('PRAGMA journal_mode = WAL');
    const get = db.prepare(`${GET_SQL}?`);
    const list = db.prepare(`${LIST_SQL}? ORDER BY id`);
    const kysely = new Kysely<{
      bench_post: { id: number; title: string; body: string; author_id: number; views: number; published: number };
    }>({
      dialect: new SqliteDialect({
        database: {
          close: () => {},
          prepare(text: string) {
            const statement = db.prepare(text);
            return {
              reader: statement.columns().length > 0,
              all: (p: readonly unknown[]) => statement.all(...(p as never[])),
              run: (p: readonly unknown[]) => statement.run(...(p as never[])),
              iterate: (p: readonly unknown[]) => statement.iterate(...(p as never[])),
            };
          },
        },
      }),
    });
    const statements = new Map<string, StatementSync>();
    const drizzleDb = drizzleProxy(async (text, params, method) => {
      let statement = statements.get(text);
      if (statement === undefined) {
        statement = db.prepare(text);
        statement.setReturnArrays(true);
        statements.set(text, statement);
      }
      if (method === 'get') return { rows: (statement.get(...(params as never[])) as unknown as unknown[]) ?? [] };
      return { rows: statement.all(...(params as never[])) as unknown[] };
    });
    const dPost = sqliteTable('bench_post', {
      id: sInteger('id').primaryKey(),
      title: sText('title'),
      body: sText('body'),
      authorId: sInteger('author_id'),
      views: sInteger('views'),
      published: sInteger('published', { mode: 'boolean' }),
    });
    const dGet = drizzleDb
      .select()
      .from(dPost)
      .where(eq(dPost.id, sql.placeholder('id')))
      .prepare();
    const dList = drizzleDb
      .select()
      .from(dPost)
      .where(eq(dPost.authorId, sql.placeholder('a')))
      .orderBy(asc(dPost.id))
      .prepare();
    const best = await race([
      { name: 'raw node:sqlite', get: (i) => get.get(1 + (i % 10_000)), list: (i) => list.all(1 + (i % 100)) },
      {
        name: 'tsgi ORM',
        get: (i) => Post.objects.get({ pk: 1 + (i % 10_000) }),
        list: (i) => Post.objects.filter({ author: 1 + (i % 100) }).orderBy('id'),
      },
      {
        name: 'Drizzle ORM',
        get: (i) => dGet.get({ id: 1 + (i % 10_000) }),
        list: (i) => dList.all({ a: 1 + (i % 100) }),
      },
      {
        name: 'Kysely',
        get: (i) =>
          kysely
            .selectFrom('bench_post')
            .selectAll()
            .where('id', '=', 1 + (i % 10_000))
            .executeTakeFirst(),
        list: (i) =>
          kysely
            .selectFrom('bench_post')
            .selectAll()
            .where('author_id', '=', 1 + (i % 100))
            .orderBy('id')
            .execute(),
      },
    ]);
    db.close();
    report('SQLite (node:sqlite, WAL file)', best, django('sqlite', file));
  } finally {
    await connections.closeAll();
    restore();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function postgresql(): Promise<void> {
  if (postgresBinDir() === undefined) {
    console.log('\nPostgreSQL: skipped (no initdb: apt-get install -y postgresql)');
    return;
  }
  const server = await startPostgres();
  const databases = {
    default: {
      ENGINE: 'tsgi.db.backends.postgresql',
      NAME: server.name,
      USER: server.user,
      HOST: server.host,
      PORT: server.port,
    },
  };
  const restore = settings.override({ DATABASES: databases });
  const pool = new pg.Pool({ host: server.host, port: server.port, user: server.user, database: server.name, max: 4 });
  // The server stops at the end: a client still closing must not crash the run.
  pool.on('error', () => {});
  const porsager = postgres({
    host: server.host,
    port: server.port,
    user: server.user,
    database: server.name,
    max: 1,
    onnotice: () => undefined,
  });
  try {
    await fill();
    const client = await pool.connect();
    const kysely = new Kysely<{
      bench_post: { id: number; title: string; body: string; author_id: number; views: number; published: boolean };
    }>({
      dialect: new PostgresDialect({
        pool: new pg.Pool({ host: server.host, port: server.port, user: server.user, database: server.name, max: 4 }),
      }),
    });
    const drizzleDb = drizzlePg({
      client: new pg.Pool({ host: server.host, port: server.port, user: server.user, database: server.name, max: 4 }),
    });
    const dPost = pgTable('bench_post', {
      id: serial('id').primaryKey(),
      title: varchar('title', { length: 200 }),
      body: pText('body'),
      authorId: pInteger('author_id'),
      views: pInteger('views'),
      published: pBoolean('published'),
    });
    const dGet = drizzleDb
      .select()
      .from(dPost)
      .where(eq(dPost.id, sql.placeholder('id')))
      .prepare('bench_get');
    const dList = drizzleDb
      .select()
      .from(dPost)
      .where(eq(dPost.authorId, sql.placeholder('a')))
      .orderBy(asc(dPost.id))
      .prepare('bench_list');
    const best = await race([
      {
        // Prepared (its default), rows as objects.
        name: 'raw postgres.js',
        get: (i) =>
          porsager`SELECT id, title, body, author_id, views, published FROM bench_post WHERE id = ${1 + (i % 10_000)}`,
        list: (i) =>
          porsager`SELECT id, title, body, author_id, views, published FROM bench_post WHERE author_id = ${1 + (i % 100)} ORDER BY id`,
      },
      {
        name: 'raw pg',
        get: (i) => client.query({ name: 'get', text: `${GET_SQL}$1`, values: [1 + (i % 10_000)] }),
        list: (i) => client.query({ name: 'list', text: `${LIST_SQL}$1 ORDER BY id`, values: [1 + (i % 100)] }),
      },
      {
        name: 'tsgi ORM',
        get: (i) => Post.objects.get({ pk: 1 + (i % 10_000) }),
        list: (i) => Post.objects.filter({ author: 1 + (i % 100) }).orderBy('id'),
      },
      {
        name: 'Drizzle ORM',
        get: (i) => dGet.execute({ id: 1 + (i % 10_000) }),
        list: (i) => dList.execute({ a: 1 + (i % 100) }),
      },
      {
        name: 'Kysely',
        get: (i) =>
          kysely
            .selectFrom('bench_post')
            .selectAll()
            .where('id', '=', 1 + (i % 10_000))
            .executeTakeFirst(),
        list: (i) =>
          kysely
            .selectFrom('bench_post')
            .selectAll()
            .where('author_id', '=', 1 + (i % 100))
            .orderBy('id')
            .execute(),
      },
    ]);
    client.release();
    await kysely.destroy();
    await (drizzleDb.$client as pg.Pool).end();
    report(
      'PostgreSQL (unix socket; tsgi on postgres.js)',
      best,
      django(
        'postgresql',
        JSON.stringify({ HOST: server.host, PORT: server.port, USER: server.user, NAME: server.name }),
      ),
    );
  } finally {
    await connections.closeAll();
    restore();
    await pool.end();
    await porsager.end();
    await server.stop();
  }
}

settings.configure({ USE_TZ: true, TIME_ZONE: 'UTC' });
console.log(`ORM benchmark, node ${process.version}, ${new Date().toISOString()}`);
if (BACKENDS.includes('sqlite')) await sqlite();
if (BACKENDS.includes('postgresql')) await postgresql();
