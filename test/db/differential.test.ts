// Differential test against Django 3.2's ORM: the same models (test/db/django/blog/models.py
// and fixtures/diff-models.ts), the same rows (fixtures/diff-data.json) and the same querysets
// (fixtures/diff-cases.json, a small language of queryset calls both sides interpret) run under
// Django (python3-django) and under tsgi; rows, their order, counts, values, aggregates, error
// classes and the query counts of selectRelated/prefetchRelated must match.
//
// On SQLite, tsgi is compared with Django on SQLite (in memory); on PostgreSQL, with Django on
// the same PostgreSQL server (python3-psycopg2, a database of its own), since the backends
// differ where Django's do (LIKE and case, where NULLs sort, decimals). The cases marked
// sqliteOnly name such a difference. Without Django or psycopg2 the suite is skipped, except in
// CI (CI=true), where it fails (test/prerequisites.ts).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { captureQueries, execute, withSchemaEditor } from '../../src/db/index.ts';
import {
  Avg,
  Count,
  Decimal,
  Exists,
  F,
  Max,
  Min,
  OuterRef,
  Prefetch,
  Q,
  Subquery,
  Sum,
  Trunc,
  Value,
  type TruncKind,
  type Expression,
  type QNode,
} from '../../src/db/models/index.ts';
import { atomic, setRollback } from '../../src/db/transaction.ts';
import { temporal, temporalKind } from '../../src/db/temporal.ts';
import { eachBackend } from './helpers.ts';
import { MODELS } from './fixtures/diff-models.ts';
import { skipUnlessPresent } from '../prerequisites.ts';

const PYTHON = '/usr/bin/python3';
const here = import.meta.dirname;
const dataFile = path.join(here, 'fixtures', 'diff-data.json');
const casesFile = path.join(here, 'fixtures', 'diff-cases.json');
const hasDjango = spawnSync(PYTHON, ['-c', 'import django'], { encoding: 'utf8' }).status === 0;
const hasPsycopg = spawnSync(PYTHON, ['-c', 'import psycopg2'], { encoding: 'utf8' }).status === 0;
const skip = skipUnlessPresent(
  !hasDjango
    ? 'Django 3.2 is not installed (apt-get install -y python3-django)'
    : !hasPsycopg
      ? 'psycopg2 is not installed (apt-get install -y python3-psycopg2)'
      : undefined,
);

interface Case {
  id: string;
  model: keyof typeof MODELS;
  chain: unknown[][];
  result?: string;
  args?: unknown[];
  follow?: string[];
  attrs?: string[];
  attrsList?: string[];
  queries?: boolean;
  aggregate?: Record<string, unknown>;
  values?: Record<string, unknown>;
  /** Where SQLite and PostgreSQL answer differently (in Django too). */
  sqliteOnly?: string;
}

type Answer = { value?: unknown; error?: string; queries?: number };

const data = JSON.parse(readFileSync(dataFile, 'utf8')) as {
  rows: Record<string, Array<Record<string, unknown>>>;
  tags: Record<string, number[]>;
};
const cases = JSON.parse(readFileSync(casesFile, 'utf8')) as Case[];

/** Django's error class names and ours. */
const ERRORS: Record<string, string> = { ValueError: 'TypeError', AssertionError: 'TypeError' };

type AnyModel = {
  objects: { all(): AnyQs };
  _meta: { concreteFields: Array<{ name: string; attname: string; isRelation: boolean }> };
};
type AnyQs = Record<string, (...args: unknown[]) => unknown> & PromiseLike<unknown[]>;

function modelOf(name: string): AnyModel {
  return (MODELS as unknown as Record<string, AnyModel>)[name]!;
}

/** Django's `author_id` is tsgi's `authorId`, in lookups and row keys. */
function toTs(model: string, key: string): string {
  const [first, ...rest] = key.split('__');
  const fk = modelOf(model)._meta.concreteFields.find((f) => f.isRelation && `${f.name}_id` === first);
  return [fk !== undefined ? fk.attname : first!, ...rest].join('__');
}

function toDjango(key: string): string {
  return key.replace(/^([a-z]\w*)Id$/, '$1_id');
}

function decode(value: unknown, model: string): unknown {
  if (Array.isArray(value)) return value.map((v) => decode(v, model));
  if (value === null || typeof value !== 'object') return value;
  const v = value as Record<string, unknown>;
  if ('$F' in v) {
    let expr: Expression = F(String(v.$F));
    for (const [op, operand] of (v.ops as Array<[string, unknown]>) ?? []) {
      expr =
        op === '+'
          ? expr.add(decode(operand, model))
          : op === '-'
            ? expr.sub(decode(operand, model))
            : expr.mul(decode(operand, model));
    }
    return expr;
  }
  if ('$date' in v) return temporal().PlainDate.from(String(v.$date));
  if ('$datetime' in v) return temporal().Instant.from(String(v.$datetime)).toZonedDateTimeISO('UTC');
  if ('$decimal' in v) return new Decimal(String(v.$decimal));
  if ('$value' in v) return new Value(v.$value);
  if ('$Trunc' in v) {
    const [source, kind, output, tzinfo] = v.$Trunc as [string, TruncKind, ('date' | 'datetime' | null)?, string?];
    return new Trunc(source, kind, { ...(output ? { output } : {}), ...(tzinfo ? { tzinfo } : {}) });
  }
  if ('$qs' in v) return build(v.$qs as Case);
  if ('$outer' in v) return new OuterRef(String(v.$outer));
  if ('$exists' in v) return new Exists(build(v.$exists as Case));
  if ('$subquery' in v) return new Subquery(build(v.$subquery as Case));
  const aggregates: Record<string, (source: string, options?: object) => Expression> = {
    $Count: Count,
    $Sum: Sum,
    $Avg: Avg,
    $Min: Min,
    $Max: Max,
  };
  for (const [key, make] of Object.entries(aggregates)) {
    if (key in v) {
      const [source, options = {}] = v[key] as [string, Record<string, unknown>?];
      const opts = { ...options } as Record<string, unknown>;
      if (opts.filter !== undefined) opts.filter = q(opts.filter as Record<string, unknown>, model);
      return make(source, opts);
    }
  }
  if ('$or' in v || '$and' in v || '$not' in v) return q(v, model);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decode(x, model)]));
}

function q(spec: Record<string, unknown>, model: string): QNode {
  if ('$or' in spec) return Q.or(...(spec.$or as Array<Record<string, unknown>>).map((s) => q(s, model)));
  if ('$and' in spec) return Q.and(...(spec.$and as Array<Record<string, unknown>>).map((s) => q(s, model)));
  if ('$not' in spec) return q(spec.$not as Record<string, unknown>, model).not();
  if ('$exists' in spec) return Q({}).and(Q({ __expression: decode(spec, model) }));
  return Q(Object.fromEntries(Object.entries(spec).map(([k, v]) => [toTs(model, k), decode(v, model)])));
}

function build(spec: Case): AnyQs {
  let qs = modelOf(spec.model).objects.all();
  for (const step of spec.chain ?? []) {
    const [name, ...args] = step as [string, ...unknown[]];
    const call = (method: string, ...a: unknown[]) => (qs = qs[method]!(...a) as AnyQs);
    if (name === 'filter' || name === 'exclude')
      call(name, ...args.map((a) => q(a as Record<string, unknown>, spec.model)));
    else if (name === 'order_by')
      call(
        'orderBy',
        ...args.map(
          (a) =>
            toTs(spec.model, String(a).replace(/^-/, '')) &&
            (String(a).startsWith('-') ? `-${toTs(spec.model, String(a).slice(1))}` : toTs(spec.model, String(a))),
        ),
      );
    else if (name === 'annotate')
      call(
        'annotate',
        Object.fromEntries(Object.entries(args[0] as object).map(([k, v]) => [k, decode(v, spec.model)])),
      );
    else if (name === 'values') call('values', ...args.map((a) => toTs(spec.model, String(a))));
    else if (name === 'values_list') {
      const last = args[args.length - 1];
      const options = last !== null && typeof last === 'object' ? (last as object) : undefined;
      const fields = (options ? args.slice(0, -1) : args).map((a) => toTs(spec.model, String(a)));
      call('valuesList', ...fields, ...(options ? [options] : []));
    } else if (name === 'slice') call('slice', ...args);
    else if (name === 'select_related') call('selectRelated', ...args);
    else if (name === 'prefetch_related') {
      call(
        'prefetchRelated',
        ...args.map((a) => {
          if (typeof a === 'string') return a;
          const p = a as { lookup: string; queryset?: Case; to_attr?: string };
          return new Prefetch(p.lookup, p.queryset ? build(p.queryset) : undefined, { toAttr: p.to_attr });
        }),
      );
    } else if (name === 'union') call('union', ...args.map((a) => build(a as Case)));
    else if (name === 'dates' || name === 'datetimes') call(name, toTs(spec.model, String(args[0])), ...args.slice(1));
    else if (name === 'distinct' || name === 'reverse' || name === 'none') call(name, ...args);
    else throw new Error(`unknown step ${name}`);
  }
  return qs;
}

function serialize(value: unknown): unknown {
  if (value === null || value === undefined) return value ?? null;
  if (value instanceof Decimal) return value.toString();
  if (typeof value === 'bigint') return Number(value);
  const kind = temporalKind(value);
  if (kind === 'ZonedDateTime') {
    const z = (
      value as { withTimeZone(tz: string): { toPlainDateTime(): { toString(o: object): string } } }
    ).withTimeZone('UTC');
    return z.toPlainDateTime().toString({ fractionalSecondDigits: 6 }).replace('T', ' ');
  }
  if (kind === 'PlainDate') return String(value);
  if (Array.isArray(value)) return value.map(serialize);
  if (typeof value === 'object' && (value as { constructor?: unknown }).constructor === Object) {
    return Object.fromEntries(Object.entries(value as object).map(([k, v]) => [toDjango(k), serialize(v)]));
  }
  return value;
}

async function follow(obj: unknown, pathText: string): Promise<unknown> {
  let current: unknown = obj;
  for (const part of pathText.split('.')) {
    if (current === null || current === undefined) return null;
    if (Array.isArray(current)) return Promise.all(current.map((item) => follow(item, part)));
    current = await (current as Record<string, unknown>)[part];
    if (current !== null && typeof current === 'object' && typeof (current as { all?: unknown }).all === 'function') {
      current = await (current as { all(): PromiseLike<unknown[]> }).all();
    }
  }
  if (Array.isArray(current)) return current.map((c) => serialize((c as { pk?: unknown }).pk ?? c));
  if (current !== null && typeof current === 'object' && 'pk' in (current as object))
    return (current as { pk: unknown }).pk;
  return serialize(current);
}

async function row(obj: unknown, spec: Case): Promise<unknown> {
  if (obj === null || typeof obj !== 'object' || !('pk' in (obj as object))) return serialize(obj);
  const model = obj as { constructor: AnyModel } & Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const field of model.constructor._meta.concreteFields)
    out[toDjango(field.attname)] = serialize(model[field.attname]);
  for (const name of spec.attrs ?? []) out[name] = serialize(model[name]);
  for (const name of spec.attrsList ?? []) out[name] = (model[name] as Array<{ pk: unknown }>).map((o) => o.pk);
  for (const p of spec.follow ?? []) out[p] = await follow(obj, p);
  return out;
}

async function evaluate(spec: Case): Promise<unknown> {
  const result = spec.result ?? 'rows';
  const qs = build(spec);
  if (result === 'rows') return Promise.all(((await qs) as unknown[]).map((o) => row(o, spec)));
  if (result === 'count') return qs.count!();
  if (result === 'exists') return qs.exists!();
  if (result === 'first' || result === 'last') {
    const obj = await qs[result]!();
    return obj === null ? null : row(obj, spec);
  }
  if (result === 'get' || result === 'earliest' || result === 'latest')
    return row(await qs[result]!(...(spec.args ?? [])), spec);
  if (result === 'aggregate') {
    const spec2 = Object.fromEntries(Object.entries(spec.aggregate!).map(([k, v]) => [k, decode(v, spec.model)]));
    return serialize(await qs.aggregate!(spec2));
  }
  if (result === 'in_bulk') {
    const map = (await qs.inBulk!(...(spec.args ?? []))) as Map<unknown, unknown>;
    const out: Record<string, unknown> = {};
    for (const [k, v] of map) out[String(k)] = await row(v, spec);
    return out;
  }
  if (result === 'update') {
    return atomic(async () => {
      const values = Object.fromEntries(
        Object.entries(spec.values!).map(([k, v]) => [toTs(spec.model, k), decode(v, spec.model)]),
      );
      const count = await qs.update!(values);
      const after = await Promise.all(
        ((await modelOf(spec.model).objects.all().orderBy!('pk')) as unknown[]).map((o) => row(o, spec)),
      );
      setRollback(true);
      return [count, after];
    });
  }
  if (result === 'delete') {
    return atomic(async () => {
      const [total, perModel] = (await qs.delete!()) as [number, Record<string, number>];
      const counts: Record<string, number> = {};
      for (const name of Object.keys(MODELS)) counts[name] = (await modelOf(name).objects.all().count!()) as number;
      setRollback(true);
      return [total, perModel, counts];
    });
  }
  throw new Error(`unknown result ${result}`);
}

/** Django's answers, from the oracle script on SQLite, or on PostgreSQL with `pg` given. */
function oracle(pg?: Record<string, unknown>): Record<string, Answer> {
  if (!hasDjango) throw new Error('Django 3.2 is not installed: .ci/run must install python3-django.');
  if (pg !== undefined && !hasPsycopg)
    throw new Error('psycopg2 is not installed: .ci/run must install python3-psycopg2.');
  const run = spawnSync(PYTHON, [path.join(here, 'django', 'orm_oracle.py'), dataFile, casesFile], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, ORACLE_PG: pg === undefined ? '' : JSON.stringify(pg) },
  });
  if (run.status !== 0) throw new Error(`The Django oracle failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Record<string, Answer>;
}

eachBackend(
  'differential against Django 3.2',
  (backend) => {
    let django: Record<string, Answer> = {};
    before(async () => {
      if (backend.name === 'sqlite') django = oracle();
      else {
        await execute('DROP DATABASE IF EXISTS django_oracle');
        await execute('CREATE DATABASE django_oracle');
        const server = backend.server!;
        django = oracle({ HOST: server.host, PORT: server.port, USER: server.user, NAME: 'django_oracle' });
      }
      await withSchemaEditor(async (editor) => {
        for (const model of Object.values(MODELS)) await editor.createModel(model as never);
      });
      for (const [name, rows] of Object.entries(data.rows)) {
        for (const fields of rows) {
          const values = Object.fromEntries(Object.entries(fields).map(([k, v]) => [toTs(name, k), decode(v, name)]));
          await (modelOf(name).objects as unknown as { create(v: object): Promise<unknown> }).create(values);
        }
      }
      for (const [postId, tagIds] of Object.entries(data.tags)) {
        const post = (await (
          modelOf('Post').objects as unknown as {
            get(l: object): Promise<{ tags: { set(ids: number[]): Promise<void> } }>;
          }
        ).get({ pk: Number(postId) })) as {
          tags: { set(ids: number[]): Promise<void> };
        };
        await post.tags.set(tagIds);
      }
    });

    for (const spec of cases) {
      test(spec.id, async () => {
        const expected = django[spec.id];
        assert.ok(expected !== undefined, `Django has no answer for ${spec.id}`);
        let actual: Answer;
        try {
          if (spec.queries) {
            const [value, queries] = await captureQueries(() => evaluate(spec));
            actual = { value, queries: queries.length };
          } else actual = { value: await evaluate(spec) };
        } catch (error) {
          actual = { error: (error as Error).name };
          if (expected.error === undefined) throw error;
        }
        if (expected.error !== undefined) {
          assert.equal(
            actual.error,
            ERRORS[expected.error] ?? expected.error,
            `${spec.id}: Django raised ${expected.error}`,
          );
          return;
        }
        assert.deepEqual(actual, expected);
      });
    }
  },
  { skip },
);
