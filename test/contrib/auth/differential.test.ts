// Differential test of password hashing and validation against Django 3.2 itself
// (auth_oracle.py on Debian's python3-django and python3-argon2):
// - a hash made by Django verifies in tsgi, and one made by tsgi verifies in Django, for every
//   hasher both have (PBKDF2-SHA256, PBKDF2-SHA1, Argon2id, the legacy salted and unsalted
//   SHA-1 and MD5); with the same salt, both make the very same string;
// - scrypt in Django 4.0's format (Django 3.2 has none), against Python's hashlib.scrypt;
// - mustUpdate() agrees with Django's must_update() (cost settings, short salts);
// - the validators give the same messages and codes, in the same order, for the same inputs;
// - password reset tokens: the same token for the same user and moment, each side's token checks
//   on the other, and both refuse it after the same PASSWORD_RESET_TIMEOUT (a reset link mailed
//   by a Django site still works after the move, and the other way round).
//
// Skipped when Django 3.2 or argon2-cffi is missing, except in CI (CI=true), where it fails.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { overrideSettings, settings } from '../../../src/conf/index.ts';
import { ValidationError } from '../../../src/core/exceptions.ts';
import {
  Argon2PasswordHasher,
  checkPassword,
  getHasher,
  makePassword,
  PBKDF2PasswordHasher,
  ScryptPasswordHasher,
} from '../../../src/contrib/auth/hashers.ts';
import {
  getPasswordValidators,
  passwordValidatorsHelpTexts,
  validatePassword,
} from '../../../src/contrib/auth/password-validation.ts';
import { CharField, EmailField, Model } from '../../../src/db/models/index.ts';
import { PasswordResetTokenGenerator } from '../../../src/contrib/auth/tokens.ts';
import { djangoSkip, oracle, value } from './oracle.ts';

if (!settings.configured) settings.configure({ SECRET_KEY: 'differential-secret', USE_TZ: true });

const HASHERS = [
  'tsgi.contrib.auth.hashers.PBKDF2PasswordHasher',
  'tsgi.contrib.auth.hashers.PBKDF2SHA1PasswordHasher',
  'tsgi.contrib.auth.hashers.Argon2PasswordHasher',
  'tsgi.contrib.auth.hashers.ScryptPasswordHasher',
  'tsgi.contrib.auth.hashers.SHA1PasswordHasher',
  'tsgi.contrib.auth.hashers.MD5PasswordHasher',
  'tsgi.contrib.auth.hashers.UnsaltedSHA1PasswordHasher',
  'tsgi.contrib.auth.hashers.UnsaltedMD5PasswordHasher',
];

const PASSWORDS = ['correct horse', 'pässwörd ünïcode', '日本語のパスワード', 'emoji 🔑 key', 'with$dollar$signs', ''];
const ALGORITHMS = ['pbkdf2_sha256', 'pbkdf2_sha1', 'argon2', 'sha1', 'md5', 'unsalted_sha1', 'unsalted_md5'];

describe('password hashes against Django 3.2', { skip: djangoSkip }, () => {
  before(() => {
    overrideSettings({ PASSWORD_HASHERS: HASHERS });
  });

  test('with the same salt, tsgi and Django make the same string, for every hasher', async () => {
    const cases = ALGORITHMS.flatMap((algorithm) =>
      PASSWORDS.map((password) => ({
        op: 'encode',
        algorithm,
        password,
        salt: algorithm.startsWith('unsalted') ? '' : 'sAlTsAlTsAlTsAlT2024xy',
        // A few iterations keep the run short; the default count is checked below.
        ...(algorithm.startsWith('pbkdf2') ? { iterations: 1000 } : {}),
      })),
    );
    const answers = oracle(cases);
    for (const [i, c] of cases.entries()) {
      const hasher = getHasher(c.algorithm);
      const ours =
        hasher instanceof PBKDF2PasswordHasher
          ? await hasher.encode(c.password, c.salt, 1000)
          : await hasher.encode(c.password, c.salt);
      assert.equal(ours, value(answers[i]), `${c.algorithm} of ${JSON.stringify(c.password)}`);
    }
  });

  test("a hash Django made verifies in tsgi (and a wrong password doesn't), default costs", async () => {
    const cases = ALGORITHMS.flatMap((algorithm) =>
      ['correct horse', 'pässwörd 🔑'].map((password) => ({ op: 'make', algorithm, password })),
    );
    const answers = oracle(cases);
    for (const [i, c] of cases.entries()) {
      const encoded = value(answers[i]) as string;
      assert.ok(encoded.length <= 128, 'fits the password column');
      assert.equal(await checkPassword(c.password, encoded), true, `${c.algorithm}: ${encoded}`);
      assert.equal(await checkPassword(c.password + 'x', encoded), false, `${c.algorithm} wrong`);
    }
  });

  test("a hash tsgi made verifies in Django (and a wrong password doesn't), default costs", async () => {
    const made: Array<{ algorithm: string; password: string; encoded: string }> = [];
    for (const algorithm of [...ALGORITHMS, 'scrypt']) {
      for (const password of ['correct horse', 'pässwörd 🔑', '']) {
        made.push({ algorithm, password, encoded: await makePassword(password, { hasher: algorithm }) });
      }
    }
    const answers = oracle(
      made.flatMap(({ password, encoded }) => [
        { op: 'check', password, encoded },
        { op: 'check', password: password + 'x', encoded },
      ]),
    );
    for (const [i, m] of made.entries()) {
      assert.equal(value(answers[2 * i]), true, `${m.algorithm}: ${m.encoded}`);
      assert.equal(value(answers[2 * i + 1]), false, `${m.algorithm} wrong`);
    }
    const defaults = made.find((m) => m.algorithm === 'pbkdf2_sha256')!.encoded;
    assert.match(defaults, /^pbkdf2_sha256\$260000\$[A-Za-z0-9]{22}\$[A-Za-z0-9+/]{43}=$/);
    const argon = made.find((m) => m.algorithm === 'argon2')!.encoded;
    assert.match(argon, /^argon2\$argon2id\$v=19\$m=102400,t=2,p=8\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]{22}$/);
  });

  test("scrypt: Django 4.0's format, the same bytes as Python's hashlib.scrypt", async () => {
    const hasher = new ScryptPasswordHasher();
    const cases = [
      { op: 'scrypt', password: 'correct horse', salt: 'saltsaltsaltsaltsalt22', n: 16384, r: 8, p: 1 },
      { op: 'scrypt', password: 'ünï 🔑', salt: 'abc', n: 1024, r: 4, p: 2 },
    ];
    const answers = oracle(cases);
    for (const [i, c] of cases.entries()) {
      assert.equal(await hasher.encode(c.password, c.salt, c.n, c.r, c.p), value(answers[i]));
    }
  });

  test("mustUpdate() agrees with Django's must_update()", async () => {
    const short = 'shortsalt';
    const cases: Array<{ algorithm: string; encoded: string; params?: Record<string, number> }> = [
      { algorithm: 'pbkdf2_sha256', encoded: await new PBKDF2PasswordHasher().encode('x', short, 1000) },
      {
        algorithm: 'pbkdf2_sha256',
        encoded: await new PBKDF2PasswordHasher().encode('x', 'a'.repeat(22), 1000),
        params: { iterations: 1000 },
      },
      {
        algorithm: 'pbkdf2_sha256',
        encoded: await new PBKDF2PasswordHasher().encode('x', 'a'.repeat(21), 1000),
        params: { iterations: 1000 },
      },
      { algorithm: 'pbkdf2_sha256', encoded: await makePassword('x', { hasher: 'pbkdf2_sha256' }) },
      { algorithm: 'argon2', encoded: await makePassword('x', { hasher: 'argon2' }) },
      { algorithm: 'argon2', encoded: await makePassword('x', { hasher: 'argon2' }), params: { time_cost: 3 } },
      { algorithm: 'argon2', encoded: await makePassword('x', { hasher: 'argon2', salt: short }) },
      { algorithm: 'sha1', encoded: await makePassword('x', { hasher: 'sha1', salt: short }) },
      { algorithm: 'md5', encoded: await makePassword('x', { hasher: 'md5' }) },
    ];
    const answers = oracle(cases.map((c) => ({ op: 'must_update', ...c })));
    for (const [i, c] of cases.entries()) {
      const hasher = getHasher(c.algorithm);
      const ours = Object.create(hasher) as typeof hasher;
      for (const [key, v] of Object.entries(c.params ?? {})) {
        (ours as unknown as Record<string, number>)[key === 'time_cost' ? 'timeCost' : key] = v;
      }
      assert.equal(ours.mustUpdate(c.encoded), value(answers[i]), `${c.algorithm} ${JSON.stringify(c.params)}`);
    }
    assert.ok(new Argon2PasswordHasher() instanceof Argon2PasswordHasher);
  });
});

// The user the similarity validator compares with: Django's User fields, as tsgi names them.
class Person extends Model.define(
  {
    username: new CharField({ maxLength: 150 }),
    firstName: new CharField({ maxLength: 150, verboseName: 'first name' }),
    lastName: new CharField({ maxLength: 150, verboseName: 'last name' }),
    email: new EmailField({ verboseName: 'email address' }),
  },
  { appLabel: 'differential' },
) {}

const ALL = [
  { NAME: 'UserAttributeSimilarityValidator' },
  { NAME: 'MinimumLengthValidator' },
  { NAME: 'CommonPasswordValidator' },
  { NAME: 'NumericPasswordValidator' },
];

const USER = { username: 'ada.lovelace', firstName: 'Ada', lastName: 'Lovelace', email: 'ada@analytical-engine.org' };

const VALIDATION_CASES: Array<{ password: string; user?: Record<string, string> | null; validators?: unknown[] }> = [
  { password: 'short' },
  { password: '1234567' },
  { password: '12345678' },
  { password: '²³¹⁴⁵⁶⁷⁸' },
  { password: '١٢٣٤٥٦٧٨٩' },
  { password: 'password' },
  { password: '  PassWord  ' },
  { password: 'Tr0ub4dor&3' },
  { password: 'correct horse battery staple' },
  { password: 'lovelace', user: USER },
  { password: 'adalovelace', user: USER },
  { password: 'ada.lovelace1', user: USER },
  { password: 'analytical-engine', user: USER },
  { password: 'engine.org', user: USER },
  { password: 'ADA@ANALYTICAL', user: USER },
  { password: 'completely unrelated', user: USER },
  { password: 'ada', user: USER },
  { password: '', user: USER },
  { password: 'lövelåce', user: { ...USER, lastName: 'Lövelåce' } },
  { password: 'x'.repeat(80) + 'ada', user: USER },
  { password: 'é', validators: [{ NAME: 'MinimumLengthValidator', OPTIONS: { minLength: 1 } }] },
  { password: '', validators: [{ NAME: 'MinimumLengthValidator', OPTIONS: { minLength: 1 } }] },
  { password: '🔑🔑', validators: [{ NAME: 'MinimumLengthValidator', OPTIONS: { minLength: 3 } }] },
  { password: 'abc', validators: [{ NAME: 'MinimumLengthValidator', OPTIONS: { minLength: 3 } }] },
  {
    password: 'lovel',
    user: USER,
    validators: [{ NAME: 'UserAttributeSimilarityValidator', OPTIONS: { maxSimilarity: 0.5 } }],
  },
  {
    password: 'lovelace',
    user: USER,
    validators: [{ NAME: 'UserAttributeSimilarityValidator', OPTIONS: { userAttributes: ['firstName', 'email'] } }],
  },
  { password: 'qwertyuiop' },
  { password: 'iloveyou' },
  { password: 'Welcome1' },
];

describe('password validators against Django 3.2', { skip: djangoSkip }, () => {
  test('the same messages and codes, in the same order, for the same inputs', () => {
    const answers = oracle(
      VALIDATION_CASES.map((c) => ({
        op: 'validate',
        password: c.password,
        user: c.user ?? null,
        validators: c.validators ?? ALL,
      })),
    );
    for (const [i, c] of VALIDATION_CASES.entries()) {
      const validators = getPasswordValidators(
        ((c.validators ?? ALL) as Array<{ NAME: string; OPTIONS?: Record<string, unknown> }>).map((v) => ({
          ...v,
          NAME: `tsgi.contrib.auth.password-validation.${v.NAME}`,
        })),
      );
      let ours: Array<{ message: string; code: string | undefined }> = [];
      try {
        validatePassword(c.password, c.user ? new Person(c.user) : null, validators);
      } catch (error) {
        assert.ok(error instanceof ValidationError);
        ours = error.errorList.map((e) => ({ message: e.messages[0]!, code: e.code }));
      }
      assert.deepEqual(ours, value(answers[i]), `${JSON.stringify(c.password)} ${JSON.stringify(c.user ?? null)}`);
    }
  });

  test('the same help texts', () => {
    const configs = [ALL, [{ NAME: 'MinimumLengthValidator', OPTIONS: { minLength: 1 } }]];
    const answers = oracle(configs.map((validators) => ({ op: 'help', validators })));
    for (const [i, config] of configs.entries()) {
      const validators = getPasswordValidators(
        (config as Array<{ NAME: string }>).map((v) => ({
          ...v,
          NAME: `tsgi.contrib.auth.password-validation.${v.NAME}`,
        })),
      );
      assert.deepEqual(passwordValidatorsHelpTexts(validators), value(answers[i]));
    }
  });

  test('password reset tokens: the same token, checked both ways, expiring at the same moment', () => {
    const EPOCH_2001 = Date.UTC(2001, 0, 1) / 1000;
    const moment = 1_796_000_000; // 2026-11-28, seconds since 1970
    const users = [
      { pk: 1, password: 'pbkdf2_sha256$260000$salt$hash', email: 'ada@example.com' },
      { pk: 42, password: 'argon2$argon2id$v=19$m=102400,t=2,p=8$c2FsdA$aGFzaA', email: '', last_login: 1_795_000_123 },
      { pk: 7, password: '!unusable', email: 'Ünïcode@example.com', last_login: 1_700_000_000 },
    ];
    const tsgiUser = (u: (typeof users)[number]) => ({
      pk: u.pk,
      password: u.password,
      email: u.email,
      lastLogin: 'last_login' in u ? new Date(u.last_login! * 1000) : null,
    });
    const at = (seconds: number) => {
      const generator = new PasswordResetTokenGenerator();
      generator.now = () => Math.floor(seconds - EPOCH_2001);
      return generator;
    };
    const made = oracle(users.map((user) => ({ op: 'token', user, now: moment })));
    const ours = users.map((user) => at(moment).makeToken(tsgiUser(user)));
    assert.deepEqual(ours, made.map(value), 'the same token for the same user and moment');
    // Checked on the other side, within and past the timeout (60 s here).
    using _ = overrideSettings({ PASSWORD_RESET_TIMEOUT: 60 });
    const checks = users.flatMap((user, i) =>
      [moment + 60, moment + 61].map((now) => ({ op: 'check_token', user, token: ours[i], now, timeout: 60 })),
    );
    assert.deepEqual(
      oracle(checks).map(value),
      users.flatMap(() => [true, false]),
    );
    for (const [i, user] of users.entries()) {
      assert.equal(at(moment + 60).checkToken(tsgiUser(user), value(made[i])), true);
      assert.equal(at(moment + 61).checkToken(tsgiUser(user), value(made[i])), false);
      // Another password hash (a changed password) or another last login: refused by both.
      const changed = { ...user, password: `${user.password}x` };
      assert.equal(at(moment).checkToken(tsgiUser(changed), value(made[i])), false);
    }
  });
});
