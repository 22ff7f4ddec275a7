/**
 * The conformance suite of the template language (cases.ts, from Django's documentation): each
 * case rendered by tsgi must give Django's output, or raise Django's error. Every case runs
 * twice: synchronously, and with each context value a promise, which takes the asynchronous
 * path of the compiled code; both must agree.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { settings } from '../../src/conf/index.ts';
import { Context } from '../../src/template/context.ts';
import { path } from '../../src/urls/index.ts';
import { CASES, type Case } from './cases.ts';
import { decode, engineFor, mainOf } from './fixtures/decode.ts';

settings.configure({
  ROOT_URLCONF: {
    urlpatterns: [
      path('posts/<int:year>/<slug:slug>/', (() => null) as never, { name: 'post' }),
      path('about/', (() => null) as never, { name: 'about' }),
    ],
  },
});

function contextOf(c: Case, promised: boolean): Context {
  const values = decode(c.context ?? {}) as Record<string, unknown>;
  const entries = Object.entries(values).map(([k, v]) => [k, promised ? Promise.resolve(v) : v]);
  return new Context(Object.fromEntries(entries), { autoescape: c.options?.autoescape ?? true });
}

async function check(c: Case, promised: boolean): Promise<void> {
  let output: unknown;
  let error: unknown;
  try {
    output = engineFor(c).getTemplate(mainOf(c)).render(contextOf(c, promised));
    // Without promises the render is synchronous; with them, only when one is met.
    if (!promised) assert.equal(typeof output, 'string', 'without promises the render is synchronous');
    output = await output;
  } catch (e) {
    error = e;
  }
  if (c.expected !== undefined) {
    if (error !== undefined) throw error;
    assert.equal(output, c.expected);
  } else {
    const [name, message] = c.error!;
    assert.ok(error instanceof Error, `expected ${name}, got the output ${JSON.stringify(output)}`);
    assert.equal(error.name, name, error.message);
    assert.ok(
      error.message.includes(message),
      `${JSON.stringify(error.message)} should include ${JSON.stringify(message)}`,
    );
  }
}

describe('the template language, as Django documents it', () => {
  for (const c of CASES) {
    test(c.name, async () => {
      await check(c, false);
      await check(c, true);
    });
  }
});
