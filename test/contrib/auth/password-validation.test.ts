// The validators' configuration and error paths (their messages are checked against Django in
// differential.test.ts): AUTH_PASSWORD_VALIDATORS with tsgi's and Django's names and options,
// bad entries, a password list of one's own (plain or gzipped), the help texts as HTML.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { overrideSettings, settings } from '../../../src/conf/index.ts';
import { ImproperlyConfigured, ValidationError } from '../../../src/core/exceptions.ts';
import {
  CommonPasswordValidator,
  getDefaultPasswordValidators,
  MinimumLengthValidator,
  passwordValidatorsHelpTextHtml,
  quickRatio,
  UserAttributeSimilarityValidator,
  validatePassword,
} from '../../../src/contrib/auth/password-validation.ts';

before(() => {
  if (!settings.configured) settings.configure({ SECRET_KEY: 'validation' });
});

function messages(password: string, user: object | null = null): string[] {
  try {
    validatePassword(password, user);
    return [];
  } catch (error) {
    assert.ok(error instanceof ValidationError);
    return error.messages;
  }
}

test('AUTH_PASSWORD_VALIDATORS: none by default; tsgi names with camelCase options, Django names with theirs', () => {
  assert.deepEqual(messages('1'), []);
  using _ = overrideSettings({
    AUTH_PASSWORD_VALIDATORS: [
      { NAME: 'tsgi.contrib.auth.password-validation.MinimumLengthValidator', OPTIONS: { minLength: 12 } },
      { NAME: 'django.contrib.auth.password_validation.NumericPasswordValidator' },
      { NAME: 'django.contrib.auth.password_validation.MinimumLengthValidator', OPTIONS: { min_length: 3 } },
    ],
  });
  assert.deepEqual(
    getDefaultPasswordValidators().map((v) => [v.constructor.name, (v as MinimumLengthValidator).minLength]),
    [
      ['MinimumLengthValidator', 12],
      ['NumericPasswordValidator', undefined],
      ['MinimumLengthValidator', 3],
    ],
  );
  assert.deepEqual(messages('12'), [
    'This password is too short. It must contain at least 12 characters.',
    'This password is entirely numeric.',
    'This password is too short. It must contain at least 3 characters.',
  ]);
});

test('a NAME that cannot be loaded, or is not a class, is ImproperlyConfigured naming it', () => {
  for (const NAME of ['tsgi.contrib.auth.password-validation.LengthValidator', 'nowhere.Validator']) {
    using _ = overrideSettings({ AUTH_PASSWORD_VALIDATORS: [{ NAME }] });
    assert.throws(
      () => validatePassword('x'),
      (error: Error) =>
        error instanceof ImproperlyConfigured &&
        error.message.startsWith(
          `The module in NAME could not be imported: ${NAME}. Check your AUTH_PASSWORD_VALIDATORS setting.`,
        ),
    );
  }
  assert.throws(
    () => new UserAttributeSimilarityValidator({ maxSimilarity: 0.05 }),
    /maxSimilarity must be at least 0\.1/,
  );
});

test('CommonPasswordValidator: a list of your own, gzipped or plain; a missing one is named', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tsgi-passwords-'));
  writeFileSync(path.join(dir, 'plain.txt'), 'hunter2\nswordfish\n');
  writeFileSync(path.join(dir, 'list.gz'), gzipSync('opensesame\n'));
  assert.throws(
    () => new CommonPasswordValidator({ passwordListPath: path.join(dir, 'plain.txt') }).validate(' Hunter2 '),
    {
      message: 'This password is too common.',
    },
  );
  new CommonPasswordValidator({ passwordListPath: path.join(dir, 'plain.txt') }).validate('password');
  assert.throws(() =>
    new CommonPasswordValidator({ password_list_path: path.join(dir, 'list.gz') }).validate('OpenSesame'),
  );
  assert.equal(new CommonPasswordValidator().passwords.size, 19727);
  assert.equal(new CommonPasswordValidator().passwords.has(''), false);
  assert.throws(
    () => new CommonPasswordValidator({ passwordListPath: path.join(dir, 'missing.txt') }).validate('x'),
    (error: Error) => error instanceof ImproperlyConfigured && error.message.includes(path.join(dir, 'missing.txt')),
  );
});

test("quickRatio() is difflib's SequenceMatcher.quick_ratio()", () => {
  assert.equal(quickRatio('abcd', 'bcde'), 0.75);
  assert.equal(quickRatio('', ''), 1);
  assert.equal(quickRatio('a', 'a'.repeat(10)), 2 / 11);
  assert.equal(quickRatio('🔑a', 'a🔑'), 1, 'code points, not UTF-16 units');
});

test('the help texts as an HTML list, escaped', () => {
  assert.equal(passwordValidatorsHelpTextHtml([]), '');
  const html = String(
    passwordValidatorsHelpTextHtml([
      new MinimumLengthValidator({ minLength: 1 }),
      { validate() {}, helpText: () => 'No <script> & no "quotes".' },
    ]),
  );
  assert.equal(
    html,
    '<ul><li>Your password must contain at least 1 character.</li><li>No &lt;script&gt; &amp; no &quot;quotes&quot;.</li></ul>',
  );
});
