/** Context, RequestContext and makeContext, as Django's: the stack of dicts and its operations. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Context, ContextPopException, makeContext, RequestContext } from '../../src/template/context.ts';
import { Engine } from '../../src/template/engine.ts';
import { settings } from '../../src/conf/index.ts';

settings.configure({});

describe('Context', () => {
  test('a stack of dicts, searched from the top', () => {
    const context = new Context({ a: 1, b: 2 });
    assert.equal(context.get('a'), 1);
    context.push({ a: 10 });
    assert.equal(context.get('a'), 10);
    assert.equal(context.get('b'), 2);
    assert.ok(context.has('b'));
    assert.ok(!context.has('c'));
    assert.equal(context.get('c', 'otherwise'), 'otherwise');
    context.pop();
    assert.equal(context.get('a'), 1);
    assert.throws(() => {
      context.pop();
      context.pop();
    }, ContextPopException);
  });

  test('push copies; update pushes the object itself; both pop with using', () => {
    const values = { x: 1 };
    const context = new Context();
    {
      using pushed = context.push(values);
      context.set('x', 2);
      assert.equal(pushed.dict['x'], 2);
      assert.equal(values.x, 1);
    }
    assert.equal(context.get('x'), undefined);
    {
      using _updated = context.update(values);
      context.set('x', 3);
    }
    assert.equal(values.x, 3);
    assert.equal(context.dicts.length, 1);
  });

  test('set writes the top level; setUpward the nearest that has the name', () => {
    const context = new Context({ a: 1 });
    context.push();
    context.setUpward('a', 2);
    context.set('b', 3);
    assert.equal(context.dicts[1]!['a'], 2);
    assert.equal(context.dicts[2]!['b'], 3);
    context.delete('b');
    assert.equal(context.get('b'), undefined);
    assert.equal(context.setdefault('c', 4), 4);
    assert.equal(context.setdefault('c', 5), 4);
  });

  test('flatten merges the levels, the top winning; True, False and None are always there', () => {
    const context = new Context({ a: 1 });
    context.push({ a: 2, b: 3 });
    assert.deepEqual({ ...context.flatten() }, { True: true, False: false, None: null, a: 2, b: 3 });
    assert.deepEqual(
      [...context].map((d) => Object.keys(d)),
      [['a', 'b'], ['a'], ['True', 'False', 'None']],
    );
  });

  test('the builtins level is never written, so empty contexts do not share what they set', () => {
    const one = new Context();
    const two = new Context();
    one.set('leak', 1);
    assert.equal(two.get('leak'), undefined);
    assert.equal(one.get('leak'), 1);
  });

  test('new() keeps the options and drops the values', () => {
    const context = new Context({ a: 1 }, { autoescape: false });
    const fresh = context.new({ b: 2 });
    assert.equal(fresh.get('a'), undefined);
    assert.equal(fresh.get('b'), 2);
    assert.equal(fresh.autoescape, false);
  });

  test('a context must be a plain object', () => {
    assert.throws(() => new Context([] as never), /context must be a dict rather than Array/);
    assert.throws(() => new Context(new Map() as never), /context must be a dict rather than Map/);
  });
});

describe('RequestContext', () => {
  const request = { path: '/here/' };
  const engine = new Engine({
    contextProcessors: [(r: object) => ({ where: (r as typeof request).path, who: 'processor' })],
  });

  test("the engine's processors add values; makeContext's values win over them", () => {
    const template = engine.fromString('{{ where }} {{ who }}');
    assert.equal(template.render(makeContext({ who: 'view' }, request)), '/here/ view');
    // As Django: a dict given to RequestContext itself sits below the processors' level.
    assert.equal(template.render(new RequestContext(request, { who: 'view' })), '/here/ processor');
  });

  test('processors given to the context run after the engine ones', () => {
    const template = engine.fromString('{{ who }} {{ extra }}');
    const context = new RequestContext(request, {}, { processors: [() => ({ who: 'mine', extra: 'x' })] });
    assert.equal(template.render(context), 'mine x');
  });

  test('an async processor makes the render asynchronous', async () => {
    const slow = new Engine({ contextProcessors: [async () => ({ late: 'here' })] });
    const output = slow.fromString('{{ late }}').render(new RequestContext(request));
    assert.ok(output instanceof Promise);
    assert.equal(await output, 'here');
  });

  test('the values of the processors go away after the render', () => {
    const context = new RequestContext(request);
    engine.fromString('{{ where }}').render(context);
    assert.equal(context.get('where'), undefined);
  });

  test('a processor must return an object', () => {
    const bad = new Engine({
      contextProcessors: [
        function broken() {
          return 'x' as never;
        },
      ],
    });
    assert.throws(
      () => bad.fromString('x').render(new RequestContext(request)),
      /The context processor broken returned string; it must return an object of names and values\./,
    );
  });
});

describe('printed values', () => {
  test("integers take a shortcut that prints what Django's localize() prints, whatever the settings", async () => {
    const { renderValue } = await import('../../src/template/output.ts');
    const { localize } = await import('../../src/utils/formats.ts');
    const { overrideSettings } = await import('../../src/conf/index.ts');
    const numbers = [0, -0, 7, -42, 1234, 1234567, Number.MAX_SAFE_INTEGER, 2 ** 60, 1.5, -1234.25];
    for (const USE_L10N of [false, true]) {
      for (const USE_THOUSAND_SEPARATOR of [false, true]) {
        using _r = overrideSettings({ USE_L10N, USE_THOUSAND_SEPARATOR });
        for (const useL10n of [undefined, false, true]) {
          for (const n of numbers) {
            assert.equal(
              renderValue(n, true, false, useL10n),
              String(localize(n, useL10n)),
              `${n} ${USE_L10N} ${USE_THOUSAND_SEPARATOR} ${useL10n}`,
            );
          }
        }
      }
    }
  });
});
