/**
 * Promises during a render: a template renders synchronously and returns a string until it meets
 * a promise; then it starts over on the asynchronous path and returns a promise. What the first
 * attempt wrote into the context is undone, and functions it called are not called again.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { settings } from '../../src/conf/index.ts';
import { Context } from '../../src/template/context.ts';
import { Engine } from '../../src/template/engine.ts';

settings.configure({});
const engine = new Engine({
  loaders: [
    [
      'tsgi.template.loaders.locmem.Loader',
      {
        base: '<{% block a %}{% endblock %}>',
        child: '{% extends "base" %}{% block a %}{{ v }}{% endblock %}',
        inc: '[{{ v }}]',
      },
    ],
  ],
});

describe('promises in a render', () => {
  test('values, attributes, methods, list items, filter arguments and tag arguments may be promises', async () => {
    const t = engine.fromString(
      '{{ a }} {{ o.b }} {{ o.m }} {{ l.0 }} {% for x in l %}{{ x }}{% endfor %} {% with w=a %}{{ w }}{% endwith %} {% if a == "A" %}yes{% endif %} {% include name %}',
    );
    const values = {
      a: Promise.resolve('A'),
      o: Promise.resolve({ b: Promise.resolve('B'), m: () => Promise.resolve('M') }),
      l: [Promise.resolve(1), 2],
      name: Promise.resolve('inc'),
      v: 'V',
    };
    assert.equal(await t.render(new Context(values)), 'A B M 1 12 A yes [V]');
  });

  test('inheritance and includes on the asynchronous path', async () => {
    assert.equal(await engine.getTemplate('child').render(new Context({ v: Promise.resolve('x') })), '<x>');
  });

  test('a rejected promise fails the render with its error, pinned to the tag', async () => {
    const t = engine.fromString('one\n{{ bad }}');
    await assert.rejects(
      t.render(new Context({ bad: Promise.reject(new Error('nope')) })) as Promise<string>,
      (error: unknown) =>
        error instanceof Error &&
        error.message === 'nope' &&
        (error as { templateDebug?: { line: number } }).templateDebug?.line === 2,
    );
  });

  test('what the synchronous attempt set in the context is undone before the asynchronous one', async () => {
    const t = engine.fromString('[{{ x }}]{% firstof "set" as x %}{{ later }}');
    const values: Record<string, unknown> = { later: Promise.resolve('!') };
    assert.equal(await t.render(new Context(values)), '[]!');
    assert.equal(String(values['x']), 'set');
  });

  test('a method that returned a promise is not called again when the render starts over', async () => {
    let calls = 0;
    const user = {
      profile() {
        calls++;
        return Promise.resolve({ name: 'Ann' });
      },
    };
    const t = engine.fromString('{{ user.profile.name }}');
    assert.equal(await t.render(new Context({ user })), 'Ann');
    assert.equal(calls, 1);
  });

  test('a template goes on asynchronously while promises keep coming, and back when they stop', async () => {
    const t = engine.fromString('{{ v }}');
    assert.equal(typeof t.render(new Context({ v: 1 })), 'string');
    const first = t.render(new Context({ v: Promise.resolve(2) }));
    assert.ok(first instanceof Promise);
    assert.equal(await first, '2');
    // The next render starts asynchronously (no wasted synchronous attempt) ...
    const second = t.render(new Context({ v: 3 }));
    assert.ok(second instanceof Promise);
    assert.equal(await second, '3');
    // ... and, having met no promise, lets the one after that be synchronous again.
    assert.equal(t.render(new Context({ v: 4 })), '4');
  });

  test('a custom node can await its body', async () => {
    const t = engine.fromString('{% filter upper %}{{ v }}{% endfilter %}');
    assert.equal(await t.render(new Context({ v: Promise.resolve('low') })), 'LOW');
  });
});
