/** {% now %}: the current date and time, formatted by the built-in `date` filter, in the current time zone. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { overrideSettings, settings } from '../../src/conf/index.ts';
import { Context } from '../../src/template/context.ts';
import { Engine } from '../../src/template/engine.ts';
import { override } from '../../src/utils/timezone.ts';

settings.configure({ USE_TZ: true, TIME_ZONE: 'Europe/Paris' });
const engine = new Engine();
const render = (source: string) => engine.fromString(source).render(new Context()) as string;

test('the current date, formatted', () => {
  const before = new Date().getUTCFullYear();
  const year = Number(render('{% now "Y" %}'));
  assert.ok(year === before || year === before + 1, String(year));
  assert.match(render('{% now "Y-m-d H:i" %}'), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);
});

test('as a variable', () => {
  assert.match(render('{% now "Y-m-d" as today %}[{{ today }}]'), /^\[\d{4}-\d{2}-\d{2}\]$/);
});

test('in the current time zone when USE_TZ, in TIME_ZONE (whatever zone is active) when it is off', () => {
  assert.match(render('{% now "O" %}'), /^\+0[12]00$/);
  assert.equal(
    override('Asia/Tokyo', () => render('{% now "O" %}')),
    '+0900',
  );
  // Without USE_TZ the time is naive, in TIME_ZONE, which its offset reads (as Django 3.2's).
  using _r = overrideSettings({ USE_TZ: false });
  assert.match(
    override('Asia/Tokyo', () => render('[{% now "O" %}]')),
    /^\[\+0[12]00\]$/,
  );
});

test('one argument', () => {
  assert.throws(() => render('{% now %}'), /'now' statement takes one argument/);
});
