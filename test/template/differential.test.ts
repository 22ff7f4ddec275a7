/**
 * Differential test against Django itself: every conformance case (cases.ts) is rendered by
 * Django 3.2's engine (Debian's python3-django, /usr/bin/python3, fixtures/django_render.py) and
 * by tsgi, and the two must agree: the same output, or the same class of error. The recorded
 * expectations of cases.ts are checked against Django too, so that they stay Django's.
 *
 * Skipped when Django 3.2 is not installed (apt-get install -y python3-django), except in CI
 * (CI=true), where a missing Django is a failing test (test/prerequisites.ts).
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { settings } from '../../src/conf/index.ts';
import { Context } from '../../src/template/context.ts';
import { path as route } from '../../src/urls/index.ts';
import { CASES, type Case } from './cases.ts';
import { decode, engineFor, mainOf, templatesOf } from './fixtures/decode.ts';
import { skipUnlessPresent } from '../prerequisites.ts';

const PYTHON = '/usr/bin/python3';
const ORACLE = path.join(import.meta.dirname, 'fixtures', 'django_render.py');
const probe = spawnSync(PYTHON, ['-c', 'import django; assert django.VERSION[:2] == (3, 2), django.VERSION'], {
  encoding: 'utf8',
});
const hasDjango = probe.status === 0;
const skip = skipUnlessPresent(
  hasDjango ? undefined : `Django 3.2 is not installed at ${PYTHON} (apt-get install -y python3-django)`,
);

settings.configure({
  ROOT_URLCONF: {
    urlpatterns: [
      route('posts/<int:year>/<slug:slug>/', (() => null) as never, { name: 'post' }),
      route('about/', (() => null) as never, { name: 'about' }),
    ],
  },
});

interface DjangoResult {
  name: string;
  output?: string;
  error?: string;
  message?: string;
}

const django = new Map<string, DjangoResult>();

before(() => {
  if (!hasDjango) return;
  const input = CASES.map((c) => ({
    name: c.name,
    templates: templatesOf(c),
    main: mainOf(c),
    context: c.context ?? {},
    options: c.options ?? {},
  }));
  const run = spawnSync(PYTHON, [ORACLE], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(run.status, 0, `${ORACLE} failed: ${run.stderr}`);
  for (const result of JSON.parse(run.stdout) as DjangoResult[]) django.set(result.name, result);
});

function tsgi(c: Case): DjangoResult {
  try {
    const context = new Context(decode(c.context ?? {}) as Record<string, unknown>, {
      autoescape: c.options?.autoescape ?? true,
    });
    const output = engineFor(c).getTemplate(mainOf(c)).render(context);
    assert.equal(typeof output, 'string');
    return { name: c.name, output: output as string };
  } catch (error) {
    return { name: c.name, error: (error as Error).name, message: (error as Error).message };
  }
}

describe('tsgi and Django 3.2 render the same', { skip }, () => {
  for (const c of CASES) {
    test(c.name, () => {
      const theirs = django.get(c.name);
      assert.ok(theirs, 'Django gave no answer for this case');
      const ours = tsgi(c);
      if (theirs.error !== undefined) {
        assert.equal(
          ours.error,
          theirs.error,
          `Django raised ${theirs.error}: ${theirs.message}; tsgi gave ${JSON.stringify(ours)}`,
        );
        if (c.error !== undefined)
          assert.ok(theirs.message!.includes(c.error[1]), `Django's message: ${theirs.message}`);
      } else {
        assert.equal(
          ours.output,
          theirs.output,
          ours.error !== undefined ? `tsgi raised ${ours.error}: ${ours.message}` : undefined,
        );
        if (c.expected !== undefined)
          assert.equal(theirs.output, c.expected, 'the recorded expectation is not what Django gives');
      }
    });
  }
});
