// Password hashing beyond the formats (differential.test.ts checks those against Django):
// PASSWORD_HASHERS order and its errors, the upgrade of old hashes through the setter, the work
// done for an unusable password or an unknown algorithm, runtime hardening, unusable passwords.
import { before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { overrideSettings, settings } from '../../../src/conf/index.ts';
import { ImproperlyConfigured } from '../../../src/core/exceptions.ts';
import {
  checkPassword,
  getHasher,
  getHashers,
  identifyHasher,
  isPasswordUsable,
  makePassword,
  maskHash,
  PBKDF2PasswordHasher,
  UNUSABLE_PASSWORD_PREFIX,
  ValueError,
} from '../../../src/contrib/auth/hashers.ts';
import { calls } from './fixtures/hashers.ts';

const COUNTING = 'test.contrib.auth.fixtures.hashers.CountingHasher';
const PBKDF2 = 'tsgi.contrib.auth.hashers.PBKDF2PasswordHasher';
const MD5 = 'tsgi.contrib.auth.hashers.MD5PasswordHasher';

before(() => {
  if (!settings.configured) settings.configure({ SECRET_KEY: 'hashers' });
});
beforeEach(() => {
  calls.length = 0;
});

test('the first of PASSWORD_HASHERS hashes, the others verify; Django dotted names work', async () => {
  using _ = overrideSettings({ PASSWORD_HASHERS: [MD5, 'django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher'] });
  assert.deepEqual(
    getHashers().map((h) => h.algorithm),
    ['md5', 'pbkdf2_sha1'],
  );
  assert.match(await makePassword('secret'), /^md5\$[A-Za-z0-9]{22}\$[0-9a-f]{32}$/);
  const sha1 = await makePassword('secret', { hasher: 'pbkdf2_sha1', salt: 'seasalt' });
  assert.match(sha1, /^pbkdf2_sha1\$260000\$seasalt\$/);
  assert.equal(await checkPassword('secret', sha1), true);
  assert.equal(identifyHasher(sha1).algorithm, 'pbkdf2_sha1');
});

test('an algorithm not in PASSWORD_HASHERS is refused with a sentence naming it', async () => {
  using _ = overrideSettings({ PASSWORD_HASHERS: [MD5] });
  assert.throws(() => getHasher('argon2'), {
    name: 'ValueError',
    message: "Unknown password hashing algorithm 'argon2'. Did you specify it in the PASSWORD_HASHERS setting?",
  });
  assert.throws(() => identifyHasher('bcrypt_sha256$$2b$12$abc'), ValueError);
  // checkPassword treats it as no match, after the same work.
  assert.equal(await checkPassword('x', 'bcrypt_sha256$$2b$12$abc'), false);
});

test('bad PASSWORD_HASHERS entries are ImproperlyConfigured, with the entry named', async () => {
  for (const [entry, message] of [
    [
      'test.contrib.auth.fixtures.hashers.Nope',
      /PASSWORD_HASHERS names 'test\.contrib\.auth\.fixtures\.hashers\.Nope', which cannot be loaded: .*does not define a 'Nope'/,
    ],
    ['test.contrib.auth.fixtures.hashers.notAHasher', /which is not a hasher class/],
    ['tsgi.contrib.auth.hashers.BCryptPasswordHasher', /cannot be loaded/],
  ] as const) {
    using _ = overrideSettings({ PASSWORD_HASHERS: [entry] });
    assert.throws(
      () => getHashers(),
      (error: Error) => error instanceof ImproperlyConfigured && message.test(error.message),
    );
  }
  using _ = overrideSettings({ PASSWORD_HASHERS: [] });
  await assert.rejects(makePassword('x'), /PASSWORD_HASHERS is empty/);
});

test('a correct password with an old hasher or old costs calls the setter; a wrong one never does', async () => {
  using _ = overrideSettings({ PASSWORD_HASHERS: [COUNTING, MD5] });
  const updated: string[] = [];
  const setter = (password: string) => void updated.push(password);
  const md5 = await makePassword('pw', { hasher: 'md5' });
  assert.equal(await checkPassword('wrong', md5, setter), false);
  assert.deepEqual(updated, []);
  assert.equal(await checkPassword('pw', md5, setter), true);
  assert.deepEqual(updated, ['pw'], 'another hasher: upgraded');
  updated.length = 0;
  const current = await makePassword('pw');
  assert.equal(await checkPassword('pw', current, setter), true);
  assert.deepEqual(updated, [], 'the preferred hasher with its costs: kept');
  const fewer = await (getHasher() as PBKDF2PasswordHasher).encode('pw', 'a'.repeat(22), 5);
  assert.equal(await checkPassword('pw', fewer, setter), true);
  assert.deepEqual(updated, ['pw'], 'fewer iterations: upgraded');
  const shortSalt = await (getHasher() as PBKDF2PasswordHasher).encode('pw', 'short', 10);
  updated.length = 0;
  assert.equal(await checkPassword('pw', shortSalt, setter), true);
  assert.deepEqual(updated, ['pw'], 'a salt of less than 128 bits: upgraded');
});

test('a failed check against an old work factor tops the work up to the current one (hardenRuntime)', async () => {
  using _ = overrideSettings({ PASSWORD_HASHERS: [COUNTING] });
  const old = await (getHasher() as PBKDF2PasswordHasher).encode('pw', 'a'.repeat(22), 4);
  calls.length = 0;
  assert.equal(await checkPassword('wrong', old), false);
  assert.deepEqual(calls, ['encode 4', 'encode 6'], 'verify at 4, then 6 more iterations: 10 in all');
});

test('no usable hash (null, unusable, unknown algorithm, damaged) still runs the default hasher once', async () => {
  using _ = overrideSettings({ PASSWORD_HASHERS: [COUNTING] });
  for (const encoded of [
    null,
    undefined,
    await makePassword(null),
    'nohasher$1$2$3',
    'counting_pbkdf2$notanumber$salt$hash',
  ]) {
    calls.length = 0;
    assert.equal(await checkPassword('pw', encoded), false, String(encoded));
    assert.deepEqual(calls, ['encode 10'], `the same work as a real check for ${String(encoded)}`);
  }
  calls.length = 0;
  assert.equal(await checkPassword(null, await makePassword('pw')), false);
  assert.equal(calls.length, 2, 'one hash made, one for the missing password');
});

test('unusable passwords: "!" and 40 random characters, never verifying, each different', async () => {
  const a = await makePassword(null);
  const b = await makePassword(null);
  assert.match(a, /^![A-Za-z0-9]{40}$/);
  assert.notEqual(a, b);
  assert.equal(a.startsWith(UNUSABLE_PASSWORD_PREFIX), true);
  assert.equal(isPasswordUsable(a), false);
  assert.equal(isPasswordUsable(await makePassword('')), true);
  assert.equal(isPasswordUsable(null), true);
  await assert.rejects(makePassword(42 as unknown as string), {
    name: 'TypeError',
    message: 'Password must be a string, got number.',
  });
});

test('safeSummary() masks the salt and the hash; bad salts are refused', async () => {
  using _ = overrideSettings({ PASSWORD_HASHERS: [PBKDF2] });
  const encoded = await new PBKDF2PasswordHasher().encode('pw', 'seasaltseasalt', 1000);
  assert.deepEqual(getHasher().safeSummary(encoded), {
    algorithm: 'pbkdf2_sha256',
    iterations: 1000,
    salt: 'seasal********',
    hash: maskHash(encoded.split('$')[3]!),
  });
  await assert.rejects(getHasher().encode('pw', 'a$b'), /must not contain '\$'/);
  await assert.rejects(getHasher().encode('pw', ''), /must be non-empty/);
});
