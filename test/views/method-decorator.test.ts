// methodDecorator: function decorators of views on class-based views' methods, as Django's
// method_decorator: per call on the bound method, marks carried to the method (and from dispatch
// to the view function), the first of a list outermost. Through the framework over a socket for
// the CSRF exemption and the method restriction.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { settings } from '../../src/conf/index.ts';
import { WSGIHandler } from '../../src/core/handlers/wsgi.ts';
import { serve, type ServerHandle } from '../../src/gateway/server.ts';
import type { HttpRequest } from '../../src/http/request.ts';
import { HttpResponse } from '../../src/http/response.ts';
import type { HttpResponseBase } from '../../src/http/response.ts';
import { CsrfViewMiddleware, csrfExempt } from '../../src/middleware/csrf.ts';
import { path } from '../../src/urls/index.ts';
import { View, methodDecorator, neverCache, requirePOST } from '../../src/views/index.ts';
import type { ViewDecorator } from '../../src/views/index.ts';

/** A decorator that appends its name to X-Trail when the response comes back through it. */
function trail(name: string): ViewDecorator {
  return (view) => {
    const inner = async (request: HttpRequest, ...rest: unknown[]) => {
      const response = (await view(request, ...rest)) as HttpResponseBase;
      response.set('X-Trail', [response.get('X-Trail'), name].filter(Boolean).join(','));
      return response;
    };
    return Object.assign(inner, { [`marked${name}`]: true });
  };
}

class Exempt extends View {
  post(): HttpResponse {
    return new HttpResponse('posted without a token');
  }
}
methodDecorator(csrfExempt, 'dispatch')(Exempt);

class PostOnly extends View {
  get(): HttpResponse {
    return new HttpResponse('got');
  }
  post(): HttpResponse {
    return new HttpResponse('posted');
  }
}
methodDecorator([csrfExempt, requirePOST], 'dispatch')(PostOnly);

class Ordered extends View {
  greeting = 'hello';
  get(this: Ordered): HttpResponse {
    return new HttpResponse(`${this.greeting} ${String(this.kwargs.name)}`);
  }
}
methodDecorator([trail('outer'), trail('inner')], 'get')(Ordered);

class Field extends View {
  get = methodDecorator(neverCache)(function (this: Field, request: HttpRequest) {
    return new HttpResponse(`${request.method} via ${this.constructor.name}`);
  });
}

let server: ServerHandle;
before(async () => {
  settings.configure({
    ALLOWED_HOSTS: ['*'],
    MIDDLEWARE: [CsrfViewMiddleware] as unknown as string[],
    ROOT_URLCONF: {
      urlpatterns: [
        path('exempt/', Exempt.asView()),
        path('post-only/', PostOnly.asView()),
        path('ordered/<str:name>/', Ordered.asView()),
        path('field/', Field.asView()),
      ],
    },
  });
  server = await serve(new WSGIHandler().call, { port: 0 });
});
after(() => server.close());

const url = (p: string) => `http://127.0.0.1:${server.port}${p}`;

describe('methodDecorator', () => {
  test("on dispatch: csrfExempt exempts the whole view (asView carries dispatch's marks)", async () => {
    assert.equal((Exempt.asView() as unknown as { csrfExempt?: boolean }).csrfExempt, true);
    const response = await fetch(url('/exempt/'), { method: 'POST', body: 'a=1' });
    assert.equal(response.status, 200);
    assert.equal(await response.text(), 'posted without a token');
  });

  test("on dispatch: requirePOST refuses GET with 405, and the view's httpMethods narrow to POST", async () => {
    assert.deepEqual(PostOnly.asView().httpMethods, ['POST']);
    const get = await fetch(url('/post-only/'));
    assert.equal(get.status, 405);
    assert.equal(get.headers.get('allow'), 'POST');
    const post = await fetch(url('/post-only/'), { method: 'POST', body: 'x' });
    assert.equal(await post.text(), 'posted');
  });

  test('on a method by name: the first decorator of the list is the outermost; this and kwargs are kept', async () => {
    const response = await fetch(url('/ordered/ada/'));
    assert.equal(await response.text(), 'hello ada');
    assert.equal(response.headers.get('x-trail'), 'inner,outer');
    const get = (Ordered.prototype as unknown as Record<string, Record<string, unknown>>).get!;
    assert.equal(get.markedouter, true);
    assert.equal(get.markedinner, true);
  });

  test('on a function given as a method', async () => {
    const response = await fetch(url('/field/'));
    assert.equal(await response.text(), 'GET via Field');
    assert.match(response.headers.get('cache-control') ?? '', /no-cache/);
  });

  test('a name that is not a method, or something that is not a decorator, is refused with a sentence', () => {
    assert.throws(() => methodDecorator(neverCache, 'gett')(Field), {
      name: 'TypeError',
      message:
        "The name given to methodDecorator() must be the name of a method of the decorated class: Field has no method 'gett'.",
    });
    assert.throws(() => methodDecorator('neverCache' as never), {
      name: 'TypeError',
      message:
        'methodDecorator() takes a view decorator or a list of them (such as csrfExempt or requirePOST), got string.',
    });
  });
});
