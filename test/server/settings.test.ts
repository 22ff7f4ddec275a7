/**
 * The settings declarations: consistent, and docs/server-settings.md generated from them.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseArgs, splitCommandLine, ConfigError } from '../../src/server/config.ts';
import { SETTINGS } from '../../src/server/settings.ts';
import { renderSettingsDoc, SETTINGS_DOC_PATH } from '../../src/server/settings-doc.ts';
import { parseAllowIps, applyProxyHeaders, schemeConflict } from '../../src/server/proxy.ts';
import type { Environ } from '../../src/gateway/types.ts';

describe('settings', () => {
  test('docs/server-settings.md is up to date (run npm run docs:settings)', () => {
    assert.equal(readFileSync(SETTINGS_DOC_PATH, 'utf8'), renderSettingsDoc());
  });

  test('names, flags and environment variables are unique; every setting has help', () => {
    for (const key of ['name', 'flag', 'env'] as const) {
      const values = SETTINGS.map((s) => s[key]);
      assert.equal(new Set(values).size, values.length, key);
    }
    for (const s of SETTINGS) assert.match(s.help, /\.$/, s.name);
  });

  test("gunicorn's settings are all there", () => {
    const flags = new Set(SETTINGS.map((s) => s.flag));
    for (const f of [
      '--bind',
      '--workers',
      '--timeout',
      '--graceful-timeout',
      '--keep-alive',
      '--max-requests',
      '--max-requests-jitter',
      '--limit-request-line',
      '--limit-request-fields',
      '--limit-request-field-size',
      '--access-logfile',
      '--access-log-format',
      '--access-log-json',
      '--error-logfile',
      '--log-level',
      '--forwarded-allow-ips',
      '--certfile',
      '--keyfile',
      '--pid',
      '--chdir',
      '--env',
      '--reload',
      '--preload',
      '--print-config',
      '--check-config',
      '--config',
      '--backlog',
    ])
      assert.ok(flags.has(f), f);
  });

  test('parseArgs: forms of flags, repeats, booleans', () => {
    const p = parseArgs([
      'app.wsgi',
      '-w',
      '3',
      '--timeout=9',
      '-b',
      'a:1',
      '--bind',
      'b:2,c:3',
      '--preload',
      '--no-access-log-json',
      '--env',
      'A=1,2',
    ]);
    assert.equal(p.app, 'app.wsgi');
    assert.deepEqual(p.values, {
      workers: 3,
      timeout: 9,
      bind: ['a:1', 'b:2', 'c:3'],
      preload: true,
      accessLogJson: false,
      env: ['A=1,2'],
    });
    assert.throws(
      () => parseArgs(['a', 'b']),
      new ConfigError('Only one application can be served, got "a" and "b" on the command line.'),
    );
    assert.throws(
      () => parseArgs(['--preload=maybe']),
      new ConfigError('--preload must be true or false, got "maybe".'),
    );
  });

  test('splitCommandLine: quotes as a shell', () => {
    assert.deepEqual(splitCommandLine(`--bind 0.0.0.0:80 --access-log-format '%(h)s "%(r)s"' --env "A=b c"`), [
      '--bind',
      '0.0.0.0:80',
      '--access-log-format',
      '%(h)s "%(r)s"',
      '--env',
      'A=b c',
    ]);
  });
});

describe('proxy headers', () => {
  test('allow list: addresses, CIDR ranges, IPv4-mapped IPv6, *', () => {
    const t = parseAllowIps(['127.0.0.1', '10.0.0.0/8', '2001:db8::/32']);
    assert.equal(t.trusts('127.0.0.1'), true);
    assert.equal(t.trusts('::ffff:10.2.3.4'), true);
    assert.equal(t.trusts('2001:db8::5'), true);
    assert.equal(t.trusts('192.168.0.1'), false);
    assert.equal(t.trusts(undefined), false);
    assert.equal(parseAllowIps(['*']).trusts('8.8.8.8'), true);
  });

  test('X-Forwarded-For takes the first address; Forwarded wins over X-Forwarded-*', () => {
    const e = {
      REMOTE_ADDR: '127.0.0.1',
      'wsgi.url_scheme': 'http',
      HTTP_X_FORWARDED_FOR: ' 198.51.100.2 , 10.0.0.1',
      HTTP_X_FORWARDED_PROTO: 'HTTPS',
    } as unknown as Environ;
    applyProxyHeaders(e);
    assert.equal(e.REMOTE_ADDR, '198.51.100.2');
    assert.equal(e['wsgi.url_scheme'], 'https');
    const f = {
      REMOTE_ADDR: '127.0.0.1',
      'wsgi.url_scheme': 'http',
      HTTP_FORWARDED: 'for=192.0.2.60:8080;proto=https;by=203.0.113.43',
      HTTP_X_FORWARDED_FOR: '1.1.1.1',
    } as unknown as Environ;
    applyProxyHeaders(f);
    assert.equal(f.REMOTE_ADDR, '192.0.2.60');
    assert.equal(f['wsgi.url_scheme'], 'https');
  });

  test('contradicting scheme headers are detected', () => {
    assert.equal(schemeConflict({ 'x-forwarded-proto': 'https', 'x-forwarded-ssl': 'on' }), null);
    assert.match(schemeConflict({ 'x-forwarded-proto': 'https', 'x-forwarded-ssl': 'off' })!, /disagree/);
  });
});
