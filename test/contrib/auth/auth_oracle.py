"""Django 3.2's answers for the auth differential test (differential.test.ts).

Reads a JSON list of operations on stdin, prints a JSON list of answers:
- {"op": "encode", "algorithm", "password", "salt", "iterations"?}: Django's hasher.encode();
- {"op": "make", "algorithm", "password"}: make_password() with a new salt;
- {"op": "check", "password", "encoded"}: check_password() (every hasher of Django 3.2 installed,
  and the tsgi-only scrypt below);
- {"op": "must_update", "algorithm", "encoded", "params"?}: hasher.must_update(), with the
  hasher's cost settings overridden by params;
- {"op": "scrypt", "password", "salt", "n", "r", "p"}: a hash in Django 4.0's scrypt format,
  computed with hashlib.scrypt as Django 4.0 does (Django 3.2 has no scrypt hasher);
- {"op": "validate", "password", "user"?, "validators"}: validate_password() with those
  validators, as [{"message", "code"}] ([] when valid);
- {"op": "help", "validators"}: password_validators_help_texts();
- {"op": "token", "user", "now", "secret"?}: PasswordResetTokenGenerator().make_token() at a moment
  (seconds since the epoch) for a user {"pk", "password", "last_login"?, "email"};
- {"op": "check_token", "user", "token", "now", "timeout"}: check_token();
- {"op": "session_hash", "password"}: AbstractBaseUser.get_session_auth_hash().
"""
import base64
import datetime
import hashlib
import json
import sys
from unittest import mock

import django
from django.conf import settings

settings.configure(
    SECRET_KEY='differential-secret',
    INSTALLED_APPS=['django.contrib.contenttypes', 'django.contrib.auth'],
    PASSWORD_HASHERS=[
        'django.contrib.auth.hashers.PBKDF2PasswordHasher',
        'django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher',
        'django.contrib.auth.hashers.Argon2PasswordHasher',
        'django.contrib.auth.hashers.SHA1PasswordHasher',
        'django.contrib.auth.hashers.MD5PasswordHasher',
        'django.contrib.auth.hashers.UnsaltedSHA1PasswordHasher',
        'django.contrib.auth.hashers.UnsaltedMD5PasswordHasher',
        '__main__.ScryptPasswordHasher',
    ],
    USE_TZ=True,
    DATABASES={},
)


class ScryptPasswordHasher:
    """Django 4.0's scrypt hasher, on hashlib.scrypt (its format, for the check in both directions)."""
    algorithm = 'scrypt'

    def verify(self, password, encoded):
        algorithm, n, salt, r, p, hash_ = encoded.split('$', 5)
        again = scrypt(password, salt, int(n), int(r), int(p))
        return again == encoded

    def must_update(self, encoded):
        return False

    def harden_runtime(self, password, encoded):
        pass


def scrypt(password, salt, n, r, p):
    hash_ = hashlib.scrypt(password.encode(), salt=salt.encode(), n=n, r=r, p=p, maxmem=0, dklen=64)
    return '%s$%d$%s$%d$%d$%s' % ('scrypt', n, salt, r, p, base64.b64encode(hash_).decode('ascii').strip())


django.setup()

from django.contrib.auth import password_validation  # noqa: E402
from django.contrib.auth.hashers import check_password, get_hasher, make_password  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.contrib.auth.tokens import PasswordResetTokenGenerator  # noqa: E402
from django.core.exceptions import ValidationError  # noqa: E402

# tsgi's camelCase names of the user's attributes, for validator options and user data.
ATTRIBUTES = {'firstName': 'first_name', 'lastName': 'last_name'}


def validators(config):
    out = []
    for entry in config:
        options = {}
        for key, value in entry.get('OPTIONS', {}).items():
            if key == 'userAttributes':
                value = [ATTRIBUTES.get(v, v) for v in value]
            options[{'minLength': 'min_length', 'userAttributes': 'user_attributes',
                     'maxSimilarity': 'max_similarity'}.get(key, key)] = value
        out.append({'NAME': 'django.contrib.auth.password_validation.' + entry['NAME'], 'OPTIONS': options})
    return password_validation.get_password_validators(out)


def make_user(data):
    if data is None:
        return None
    fields = {ATTRIBUTES.get(k, k): v for k, v in data.items() if k not in ('pk', 'last_login')}
    user = User(**fields)
    if 'pk' in data:
        user.pk = data['pk']
    if data.get('last_login') is not None:
        user.last_login = datetime.datetime.fromtimestamp(data['last_login'], tz=datetime.timezone.utc)
    return user


class FixedNowGenerator(PasswordResetTokenGenerator):
    def __init__(self, now):
        super().__init__()
        self.now = now

    def _now(self):
        return datetime.datetime.fromtimestamp(self.now)


def run(case):
    op = case['op']
    if op == 'encode':
        hasher = get_hasher(case['algorithm'])
        if 'iterations' in case:
            return hasher.encode(case['password'], case['salt'], case['iterations'])
        return hasher.encode(case['password'], case['salt'])
    if op == 'make':
        return make_password(case['password'], hasher=case['algorithm'])
    if op == 'check':
        return check_password(case['password'], case['encoded'])
    if op == 'must_update':
        hasher = get_hasher(case['algorithm'])
        if not case.get('params'):
            return hasher.must_update(case['encoded'])
        with mock.patch.multiple(type(hasher), **case['params']):
            return hasher.must_update(case['encoded'])
    if op == 'scrypt':
        return scrypt(case['password'], case['salt'], case['n'], case['r'], case['p'])
    if op == 'validate':
        try:
            password_validation.validate_password(case['password'], make_user(case.get('user')),
                                                  validators(case['validators']))
        except ValidationError as error:
            return [{'message': e.messages[0], 'code': e.code} for e in error.error_list]
        return []
    if op == 'help':
        return password_validation.password_validators_help_texts(validators(case['validators']))
    if op == 'token':
        generator = FixedNowGenerator(case['now'])
        if 'secret' in case:
            generator.secret = case['secret']
        return generator.make_token(make_user(case['user']))
    if op == 'check_token':
        generator = FixedNowGenerator(case['now'])
        with mock.patch.object(settings, 'PASSWORD_RESET_TIMEOUT', case['timeout']):
            return generator.check_token(make_user(case['user']), case['token'])
    if op == 'session_hash':
        return User(password=case['password']).get_session_auth_hash()
    raise ValueError('unknown op %r' % op)


def main():
    cases = json.load(sys.stdin)
    out = []
    for case in cases:
        try:
            out.append({'value': run(case)})
        except Exception as error:  # noqa: BLE001 - the test compares the failure's class
            out.append({'raises': type(error).__name__, 'message': str(error)})
    json.dump(out, sys.stdout)


main()
