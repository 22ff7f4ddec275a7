// tsgi/test: Client and RequestFactory, against views that echo what they received.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { settings, overrideSettings } from '../../src/conf/index.ts';
import { HttpResponse, HttpResponseRedirect, JsonResponse, StreamingHttpResponse } from '../../src/http/response.ts';
import type { HttpRequest } from '../../src/http/request.ts';
import { path } from '../../src/urls/index.ts';
import { Client as BaseClient, RequestFactory, overrideSettings as reexported } from '../../src/test/index.ts';
import { requestFinished, requestStarted } from '../../src/core/signals.ts';
import type { Application } from '../../src/gateway/types.ts';
import { validator } from '../../src/gateway/validator.ts';

function describeRequest(request: HttpRequest) {
  const files = Object.fromEntries(
    request.FILES.lists().map(([field, list]) => [
      field,
      list.map((f) => ({ name: f.name, size: f.size, type: f.contentType, text: Buffer.from(f.read()).toString() })),
    ]),
  );
  return {
    method: request.method,
    path: request.path,
    GET: Object.fromEntries(request.GET.lists()),
    POST: Object.fromEntries(request.POST.lists()),
    FILES: files,
    contentType: request.contentType,
    body:
      request.method === 'POST' && request.contentType === 'multipart/form-data'
        ? null
        : Buffer.from(request.body).toString(),
    cookies: request.COOKIES,
    xTest: request.headers.get('X-Test') ?? null,
    secure: request.isSecure(),
  };
}

const urlconf = {
  urlpatterns: [
    path('echo/', (request: HttpRequest) => new JsonResponse(describeRequest(request)), { name: 'echo' }),
    path('articles/<int:year>/', (_r: HttpRequest, { year }: { year: number }) => new JsonResponse({ year }), {
      name: 'year',
    }),
    path('set-cookie/', () => {
      const response = new HttpResponse('set');
      response.setCookie('flavour', 'ginger');
      return response;
    }),
    path('del-cookie/', () => {
      const response = new HttpResponse('deleted');
      response.deleteCookie('flavour');
      return response;
    }),
    path('go/', () => new HttpResponseRedirect('/articles/2024/')),
    path('loop/', () => new HttpResponseRedirect('/loop/')),
    path('boom/', () => {
      throw new Error('client boom');
    }),
    path('stream/', () => new StreamingHttpResponse(['a', 'b', 'c'])),
    path('text/', () => new HttpResponse('plain')),
  ],
};

// Every client of this file checks its exchanges with the gateway validator.
class Client extends BaseClient {
  constructor(options: ConstructorParameters<typeof BaseClient>[0] = {}) {
    super({ wrap: validator, ...options });
  }
}

before(() => {
  settings.configure({
    ROOT_URLCONF: urlconf,
    ALLOWED_HOSTS: [],
    SECRET_KEY: 'client-test',
    MIDDLEWARE: ['tsgi.middleware.csrf.CsrfViewMiddleware'],
  });
});

describe('Client', () => {
  test('get() with a query and headers; the response has status, headers, content, json() and resolverMatch', async () => {
    const client = new Client();
    const response = await client.get(
      '/echo/',
      { a: ['1', '2'] },
      { query: { b: 'x y' }, headers: { 'X-Test': 'yes' } },
    );
    assert.equal(response.statusCode, 200);
    assert.equal(response.status, '200 OK');
    assert.equal(response.get('content-type'), 'application/json');
    const body = response.json<ReturnType<typeof describeRequest>>();
    assert.deepEqual(body.GET, { b: ['x y'], a: ['1', '2'] });
    assert.equal(body.xTest, 'yes');
    assert.equal(response.resolverMatch?.urlName, 'echo');
    assert.equal(response.request?.path, '/echo/');
    assert.deepEqual(JSON.parse(Buffer.from(response.content).toString()), body);
    const year = await client.get('/articles/2024/');
    assert.deepEqual(year.resolverMatch?.kwargs, { year: 2024 });
  });

  test('json() refuses a response that is not JSON, with the type in the message', async () => {
    const response = await new Client().get('/text/');
    assert.throws(() => response.json(), {
      message: 'Content-Type header is "text/html; charset=utf-8", not "application/json": the response is not JSON.',
    });
  });

  test('post(): multipart by default with fields and files; urlencoded; JSON; raw', async () => {
    const client = new Client();
    const multipart = (
      await client.post('/echo/', {
        title: 'Hi',
        tags: ['a', 'b'],
        doc: { name: 'notes.txt', content: 'file body', contentType: 'text/plain' },
        blob: new File(['blob body'], 'b.bin', { type: 'application/x-test' }),
      })
    ).json<ReturnType<typeof describeRequest>>();
    assert.equal(multipart.contentType, 'multipart/form-data');
    assert.deepEqual(multipart.POST, { title: ['Hi'], tags: ['a', 'b'] });
    assert.deepEqual(multipart.FILES, {
      doc: [{ name: 'notes.txt', size: 9, type: 'text/plain', text: 'file body' }],
      blob: [{ name: 'b.bin', size: 9, type: 'application/x-test', text: 'blob body' }],
    });
    const form = (
      await client.post('/echo/', { a: '1', b: ['2', '3'] }, { contentType: 'application/x-www-form-urlencoded' })
    ).json<ReturnType<typeof describeRequest>>();
    assert.deepEqual(form.POST, { a: ['1'], b: ['2', '3'] });
    const json = (await client.post('/echo/', { a: [1, { b: null }] }, { contentType: 'application/json' })).json<
      ReturnType<typeof describeRequest>
    >();
    assert.equal(json.body, '{"a":[1,{"b":null}]}');
    assert.deepEqual(json.POST, {});
    const raw = (await client.post('/echo/', 'raw text', { contentType: 'text/plain' })).json<
      ReturnType<typeof describeRequest>
    >();
    assert.equal(raw.body, 'raw text');
  });

  test('put/patch/delete/options/head send the method and a raw or JSON body', async () => {
    const client = new Client();
    for (const method of ['put', 'patch', 'delete', 'options'] as const) {
      const body = (await client[method]('/echo/', 'x=1')).json<ReturnType<typeof describeRequest>>();
      assert.equal(body.method, method.toUpperCase());
      assert.equal(body.body, 'x=1');
      assert.equal(body.contentType, 'application/octet-stream');
      assert.deepEqual(body.POST, {});
    }
    const patched = (await client.patch('/echo/', { n: 1 }, { contentType: 'application/json' })).json<
      ReturnType<typeof describeRequest>
    >();
    assert.equal(patched.body, '{"n":1}');
    const head = await client.head('/echo/');
    assert.equal(head.statusCode, 200);
    assert.equal(head.content.byteLength, 0);
  });

  test('bodies that cannot be encoded are refused with the fix', async () => {
    const client = new Client();
    await assert.rejects(client.post('/echo/', { a: null }), {
      message: "Cannot encode null for key 'a' as POST data. Did you mean to pass an empty string or omit the value?",
    });
    await assert.rejects(client.put('/echo/', { a: 1 }), {
      message:
        "Cannot encode an object as a application/octet-stream body. Pass a string or bytes, or use contentType 'application/json', 'application/x-www-form-urlencoded' or multipart.",
    });
  });

  test('cookies are kept across requests, and dropped when the server deletes them', async () => {
    const client = new Client();
    const set = await client.get('/set-cookie/');
    assert.equal(set.cookies.flavour, 'ginger');
    assert.deepEqual((await client.get('/echo/')).json<ReturnType<typeof describeRequest>>().cookies, {
      flavour: 'ginger',
    });
    await client.get('/del-cookie/');
    assert.deepEqual((await client.get('/echo/')).json<ReturnType<typeof describeRequest>>().cookies, {});
  });

  test('follow: redirects are followed and listed; a loop is an error', async () => {
    const client = new Client();
    const response = await client.get('/go/', null, { follow: true });
    assert.deepEqual(response.json(), { year: 2024 });
    assert.deepEqual(response.redirectChain, [['/articles/2024/', 302]]);
    assert.equal((await client.get('/go/')).statusCode, 302);
    await assert.rejects(client.get('/loop/', null, { follow: true }), {
      message: 'Redirect loop: more than 20 redirects starting at /loop/.',
    });
  });

  test("a view's exception is re-thrown by default; with raiseRequestException false it is the 500 page", async () => {
    await assert.rejects(new Client().get('/boom/'), { message: 'client boom' });
    const response = await new Client({ raiseRequestException: false }).get('/boom/');
    assert.equal(response.statusCode, 500);
  });

  test('secure requests, streaming bodies, default headers', async () => {
    const client = new Client({ headers: { 'X-Test': 'default' } });
    const body = (await client.get('/echo/', null, { secure: true })).json<ReturnType<typeof describeRequest>>();
    assert.equal(body.secure, true);
    assert.equal(body.xTest, 'default');
    assert.equal((await client.get('/stream/')).text, 'abc');
  });

  test('requestStarted fires before and requestFinished after the response is closed', async () => {
    const events: string[] = [];
    const offStart = requestStarted.connect(({ environ }) => void events.push(`started ${environ.PATH_INFO}`));
    const offFinish = requestFinished.connect(() => void events.push('finished'));
    try {
      await new Client().get('/stream/');
      assert.deepEqual(events, ['started /stream/', 'finished']);
    } finally {
      offStart();
      offFinish();
    }
  });

  test('overrideSettings is re-exported and applies to the next request', async () => {
    assert.equal(reexported, overrideSettings);
    const restore = reexported({
      ROOT_URLCONF: { urlpatterns: [path('echo/', () => new HttpResponse('overridden'))] },
    });
    try {
      assert.equal((await new Client().get('/echo/')).text, 'overridden');
    } finally {
      restore();
    }
  });
});

describe('Client wrap', () => {
  test('wrap() is applied once to the application, and sees every exchange', async () => {
    const seen: string[] = [];
    let wrapped = 0;
    const client = new BaseClient({
      wrap: (app) => {
        wrapped++;
        const spy: Application = (environ, startResponse) => {
          seen.push(environ.PATH_INFO);
          return app(environ, startResponse);
        };
        return spy;
      },
    });
    await client.get('/text/');
    await client.get('/articles/2024/');
    assert.equal(wrapped, 1);
    assert.deepEqual(seen, ['/text/', '/articles/2024/']);
  });
});

describe('RequestFactory', () => {
  test('builds requests with query, headers and bodies, to call views directly', async () => {
    const factory = new RequestFactory({ headers: { 'X-Test': 'factory' } });
    const get = await factory.get('/x/', { q: 'a' });
    assert.equal(get.method, 'GET');
    assert.equal(get.GET.get('q'), 'a');
    assert.equal(get.headers.get('X-Test'), 'factory');
    const post = await factory.post('/x/', { a: '1' }, { contentType: 'application/x-www-form-urlencoded' });
    assert.equal(post.POST.get('a'), '1');
    const multipart = await factory.post('/x/', { f: { name: 'a.txt', content: 'abc' } });
    assert.equal(multipart.FILES.get('f')?.size, 3);
    const json = await factory.put('/x/', { n: 1 }, { contentType: 'application/json' });
    assert.deepEqual(json.json(), { n: 1 });
    assert.equal((await factory.delete('/x/')).method, 'DELETE');
  });
});
