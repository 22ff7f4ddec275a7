// tsgi/contrib/messages through getWsgiApplication() and the test client (Django's
// messages_tests, transposed): messages added in one request shown on the next, levels and tags,
// the cookie, session and fallback storages, the middleware and the context processor.
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { settings, overrideSettings } from '../../../src/conf/index.ts';
import { caches } from '../../../src/core/cache/index.ts';
import { getWsgiApplication } from '../../../src/core/wsgi.ts';
import { HttpRequest } from '../../../src/http/request.ts';
import { HttpResponse, HttpResponseRedirect } from '../../../src/http/response.ts';
import * as messages from '../../../src/contrib/messages/index.ts';
import { Message, MessageFailure, MessagesNotLoaded } from '../../../src/contrib/messages/index.ts';
import { CookieStorage } from '../../../src/contrib/messages/storage/cookie.ts';
import { render } from '../../../src/template/shortcuts.ts';
import { Client } from '../../../src/test/index.ts';
import type { ClientResponse } from '../../../src/test/index.ts';
import { path as route } from '../../../src/urls/index.ts';
import { markSafe } from '../../../src/utils/safestring.ts';
import { validated } from '../../core/helpers.ts';

const templates = mkdtempSync(path.join(os.tmpdir(), 'tsgi-messages-'));
writeFileSync(
  path.join(templates, 'show.html'),
  '{% for message in messages %}<li class="{{ message.tags }}">{{ message.message }}</li>{% endfor %}',
);
after(() => rmSync(templates, { recursive: true, force: true }));

const LEVELS: Record<string, number> = {
  debug: messages.DEBUG,
  info: messages.INFO,
  success: messages.SUCCESS,
  warning: messages.WARNING,
  error: messages.ERROR,
};

const urlconf = {
  urlpatterns: [
    route('add/<str:level>/', (request: HttpRequest, kwargs: { level: string }) => {
      for (const text of request.GET.getlist('msg')) {
        messages.addMessage(request, LEVELS[kwargs.level]!, text, { extraTags: request.GET.get('tags') ?? '' });
      }
      return new HttpResponseRedirect('/show/');
    }),
    route('add-safe/', (request: HttpRequest) => {
      messages.success(request, markSafe('<b>bold</b>'));
      messages.info(request, '<i>escaped</i>');
      return new HttpResponse('added');
    }),
    route('set-level/', (request: HttpRequest) => {
      messages.setLevel(request, messages.DEBUG);
      messages.debug(request, 'a debug message');
      return new HttpResponse(String(messages.getLevel(request)));
    }),
    route('show/', (request: HttpRequest) => render(request, 'show.html')),
    route('untouched/', () => new HttpResponse('nothing read')),
    route('await/', async (request: HttpRequest) => {
      const seen: string[] = [];
      for await (const message of messages.getMessages(request) as messages.BaseStorage) seen.push(String(message));
      return new HttpResponse(seen.join('|'));
    }),
    route('unloaded/', (request: HttpRequest) => {
      const seen = [...(messages.getMessages(request) as messages.BaseStorage)].map(String);
      return new HttpResponse(seen.join('|'));
    }),
  ],
};

before(() => {
  settings.configure({
    ROOT_URLCONF: urlconf,
    ALLOWED_HOSTS: ['testserver'],
    SECRET_KEY: 'messages-test',
    INSTALLED_APPS: ['tsgi.contrib.sessions', 'tsgi.contrib.messages'],
    CACHES: { default: { BACKEND: 'tsgi.core.cache.backends.locmem.LocMemCache', LOCATION: 'messages' } },
    SESSION_ENGINE: 'tsgi.contrib.sessions.backends.cache',
    MIDDLEWARE: [
      'tsgi.contrib.sessions.middleware.SessionMiddleware',
      'tsgi.contrib.messages.middleware.MessageMiddleware',
    ],
    TEMPLATES: [
      {
        BACKEND: 'tsgi.template.backends.django.DjangoTemplates',
        DIRS: [templates],
        OPTIONS: { contextProcessors: ['tsgi.contrib.messages.context-processors.messages'] },
      },
    ],
  });
});

beforeEach(() => caches.default.clear());

async function client(values: Record<string, unknown> = {}) {
  const restore = overrideSettings(values as never);
  const application = getWsgiApplication();
  await application.ready;
  return { client: new Client({ application: await validated(application) }), restore };
}

function add(c: Client, level: string, texts: string[], tags?: string): Promise<ClientResponse> {
  return c.get(`/add/${level}/`, { msg: texts, ...(tags ? { tags } : {}) });
}

describe('messages across requests (FallbackStorage, the default)', () => {
  test('added on one request, shown (with their tags) on the next, then gone', async () => {
    const { client: c, restore } = await client();
    try {
      const added = await add(c, 'success', ['Saved.', 'Sent.']);
      assert.equal(added.statusCode, 302);
      assert.ok(c.cookies.get('messages'), 'kept in the messages cookie');
      assert.equal(c.cookies.get('sessionid'), undefined, 'the session was not needed');
      const shown = await c.get('/show/');
      assert.equal(shown.text, '<li class="success">Saved.</li><li class="success">Sent.</li>');
      assert.equal(c.cookies.get('messages'), undefined, 'the cookie is deleted once shown');
      assert.equal((await c.get('/show/')).text, '');
    } finally {
      restore();
    }
  });

  test('messages not shown are kept for a later page', async () => {
    const { client: c, restore } = await client();
    try {
      await add(c, 'info', ['Kept.']);
      await c.get('/untouched/');
      assert.equal((await c.get('/show/')).text, '<li class="info">Kept.</li>');
    } finally {
      restore();
    }
  });

  test('more than the cookie holds (2048 bytes) goes to the session, in order', async () => {
    const { client: c, restore } = await client();
    try {
      // Random text: it does not compress, so it cannot all fit in the cookie.
      const texts = Array.from({ length: 12 }, (_, i) => `message ${i} ${randomBytes(150).toString('hex')}`);
      await add(c, 'warning', texts);
      assert.ok(c.cookies.get('messages')!.length <= 2048);
      assert.ok(c.cookies.get('sessionid'), 'the rest went to the session');
      const shown = await c.get('/show/');
      assert.deepEqual(
        [...shown.text.matchAll(/message (\d+)/g)].map((m) => Number(m[1])),
        texts.map((_, i) => i),
      );
      assert.equal((await c.get('/show/')).text, '');
    } finally {
      restore();
    }
  });

  test('extra tags come before the level tag; MESSAGE_TAGS renames a level', async () => {
    const { client: c, restore } = await client({ MESSAGE_TAGS: { [messages.ERROR]: 'danger' } });
    try {
      await add(c, 'error', ['Broken.'], 'urgent');
      assert.equal((await c.get('/show/')).text, '<li class="urgent danger">Broken.</li>');
    } finally {
      restore();
    }
  });

  test('levels: DEBUG is below MESSAGE_LEVEL (INFO) unless setLevel() or MESSAGE_LEVEL allows it', async () => {
    const { client: c, restore } = await client();
    try {
      await add(c, 'debug', ['hidden']);
      assert.equal((await c.get('/show/')).text, '');
      assert.equal((await c.get('/set-level/')).text, String(messages.DEBUG));
      assert.equal((await c.get('/show/')).text, '<li class="debug">a debug message</li>');
    } finally {
      restore();
    }
    const low = await client({ MESSAGE_LEVEL: messages.DEBUG });
    try {
      await add(low.client, 'debug', ['shown']);
      assert.equal((await low.client.get('/show/')).text, '<li class="debug">shown</li>');
    } finally {
      low.restore();
    }
  });

  test('a SafeString message stays safe; other text is escaped', async () => {
    const { client: c, restore } = await client();
    try {
      await c.get('/add-safe/');
      assert.equal(
        (await c.get('/show/')).text,
        '<li class="success"><b>bold</b></li><li class="info">&lt;i&gt;escaped&lt;/i&gt;</li>',
      );
    } finally {
      restore();
    }
  });

  test('for await in a view loads and shows them; a plain for before load() says how', async () => {
    const { client: c, restore } = await client();
    try {
      await add(c, 'info', ['one', 'two']);
      assert.equal((await c.get('/await/')).text, 'one|two');
      await add(c, 'info', ['three']);
      await assert.rejects(c.get('/unloaded/'), {
        name: 'MessagesNotLoaded',
        message:
          /^The messages were read before they were loaded: .*Use `for await \(const message of getMessages\(request\)\)`/,
      });
    } finally {
      restore();
    }
  });
});

describe('storages', () => {
  test('CookieStorage: signed; a tampered cookie is dropped', async () => {
    const { client: c, restore } = await client({
      MESSAGE_STORAGE: 'tsgi.contrib.messages.storage.cookie.CookieStorage',
    });
    try {
      await add(c, 'info', ['Hello']);
      const cookie = c.cookies.get('messages')!;
      assert.match(cookie, /^[\w.-]+:[\w-]+:[\w-]+$/);
      c.cookies.set('messages', cookie.slice(0, -2) + 'xx');
      assert.equal((await c.get('/show/')).text, '');
    } finally {
      restore();
    }
  });

  test('SessionStorage: in the session, under _messages', async () => {
    const { client: c, restore } = await client({
      MESSAGE_STORAGE: 'tsgi.contrib.messages.storage.session.SessionStorage',
    });
    try {
      await add(c, 'info', ['In the session']);
      assert.equal(c.cookies.get('messages'), undefined);
      assert.ok(c.cookies.get('sessionid'));
      assert.equal((await c.get('/show/')).text, '<li class="info">In the session</li>');
      assert.equal((await c.get('/show/')).text, '');
    } finally {
      restore();
    }
  });

  test("the cookie holds Django's encoding: the same messages read back, safe flag and extra tags kept", () => {
    const request = new HttpRequest();
    const storage = new CookieStorage(request);
    const encoded = storage.encode([
      new Message(messages.INFO, markSafe('<b>x</b>'), 'tag'),
      new Message(25, 'plain'),
    ])!;
    request.COOKIES = { messages: encoded };
    const decoded = new CookieStorage(request).decode(encoded) as Message[];
    assert.equal(decoded.length, 2);
    assert.equal(decoded[0]!.__html__(), '<b>x</b>');
    assert.equal(decoded[0]!.extraTags, 'tag');
    assert.equal(decoded[1]!.tags, 'success');
    assert.ok(decoded[1]!.equals(new Message(25, 'plain')));
  });

  test("SessionStorage needs SessionMiddleware before MessageMiddleware, as Django's", async () => {
    const application = getWsgiApplication();
    await application.ready;
    using _ = overrideSettings({
      MESSAGE_STORAGE: 'tsgi.contrib.messages.storage.session.SessionStorage',
      MIDDLEWARE: ['tsgi.contrib.messages.middleware.MessageMiddleware'],
    });
    const bare = getWsgiApplication();
    await bare.ready;
    await assert.rejects(new Client({ application: bare }).get('/show/'), {
      name: 'ImproperlyConfigured',
      message:
        'The session-based temporary message storage requires session middleware to be installed, and come before the message middleware in the MIDDLEWARE list.',
    });
  });
});

describe('the API without the middleware', () => {
  test('addMessage() says MessageMiddleware is missing, unless failSilently; getMessages() is empty', () => {
    const request = new HttpRequest();
    assert.throws(() => messages.success(request, 'x'), {
      name: 'MessageFailure',
      message: 'You cannot add messages without installing tsgi.contrib.messages.middleware.MessageMiddleware',
    });
    assert.ok(new MessageFailure('x') instanceof Error);
    messages.info(request, 'x', { failSilently: true });
    assert.deepEqual(messages.getMessages(request), []);
    assert.equal(messages.setLevel(request, messages.DEBUG), false);
    assert.throws(() => messages.addMessage({} as HttpRequest, messages.INFO, 'x'), {
      name: 'TypeError',
      message: "addMessage() argument must be an HttpRequest object, not 'Object'.",
    });
  });

  test('Message: tags, levelTag, equality, text', () => {
    const message = new Message(messages.WARNING, 'Careful', 'big');
    assert.equal(message.tags, 'big warning');
    assert.equal(message.levelTag, 'warning');
    assert.equal(String(message), 'Careful');
    assert.equal(new Message(99, 'x').tags, '');
    assert.ok(new MessagesNotLoaded('x') instanceof Error);
  });
});
