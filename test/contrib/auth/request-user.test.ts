// request.user and request.auser() as installUser() (AuthenticationMiddleware) gives them, on
// requests built by hand: no session or database, the loader is the test's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpRequest } from '../../../src/http/request.ts';
import { installUser, UserNotLoaded } from '../../../src/contrib/auth/middleware.ts';
import { AnonymousUser } from '../../../src/contrib/auth/models.ts';

test('without AuthenticationMiddleware: no auser(), request.user undefined until set', () => {
  const request = new HttpRequest();
  assert.equal('auser' in request, false);
  assert.equal(request.user, undefined);
  const user = new AnonymousUser();
  request.user = user as never;
  assert.equal(request.user, user);
  assert.deepEqual(Object.keys(request), Object.keys(new HttpRequest()), 'no property defined on the request');
});

test('installUser(): user throws until auser() loads it, once for concurrent calls; set() wins', async () => {
  const request = new HttpRequest();
  const loaded = new AnonymousUser();
  let loads = 0;
  installUser(request, async (r) => {
    assert.equal(r, request);
    loads++;
    return loaded;
  });
  assert.equal(typeof request.auser, 'function');
  assert.throws(() => request.user, UserNotLoaded);
  const [a, b] = await Promise.all([request.auser(), request.auser()]);
  assert.equal(a, loaded);
  assert.equal(b, loaded);
  assert.equal(await request.auser(), loaded);
  assert.equal(loads, 1);
  assert.equal(request.user, loaded);
  const other = new AnonymousUser();
  request.user = other as never;
  assert.equal(request.user, other);
  assert.equal(await request.auser(), other);
});

test('installUser(): a user set before loading is the one auser() answers, without a load', async () => {
  const request = new HttpRequest();
  installUser(request, () => assert.fail('not loaded: the user was set'));
  const user = new AnonymousUser();
  request.user = user as never;
  assert.equal(request.user, user);
  assert.equal(await request.auser(), user);
});

test('installUser(): a failed load is tried again on the next auser()', async () => {
  const request = new HttpRequest();
  const user = new AnonymousUser();
  let calls = 0;
  installUser(request, async () => {
    if (++calls === 1) throw new Error('database down');
    return user;
  });
  await assert.rejects(request.auser(), /database down/);
  assert.throws(() => request.user, UserNotLoaded);
  assert.equal(await request.auser(), user);
  assert.equal(calls, 2);
});

test('each request has its own user: two requests, two loads', async () => {
  const first = new HttpRequest();
  const second = new HttpRequest();
  installUser(first, async () => new AnonymousUser());
  installUser(second, async () => new AnonymousUser());
  const [a, b] = [await first.auser(), await second.auser()];
  assert.notEqual(a, b);
  assert.equal(first.user, a);
  assert.equal(second.user, b);
});
