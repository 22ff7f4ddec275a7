/**
 * `tsgi` and `tsgi serve` as a user runs them: help, version, settings from every source,
 * --print-config, --check-config, and applications that cannot load.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fixtures, repoRoot, runTsgi } from './helpers.ts';

const version = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

function printed(stdout: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const line of stdout.trim().split('\n')) {
    const eq = line.indexOf(' = ');
    out[line.slice(0, eq).trim()] = JSON.parse(line.slice(eq + 3));
  }
  return out;
}

describe('tsgi (the dispatcher)', () => {
  test('--version prints the package version', async () => {
    const r = await runTsgi(['--version']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `tsgi ${version}\n`);
  });

  test('help lists the commands; an unknown command exits 2', async () => {
    const r = await runTsgi(['help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^ {2}serve +Run an application with the production server\.$/m);
    const bad = await runTsgi(['srve']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Unknown command "srve"\. Commands: serve, startproject, startapp, manage\./);
  });
});

describe('tsgi serve: settings', () => {
  test('--help is generated from the settings', async () => {
    const r = await runTsgi(['serve', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: tsgi serve \[OPTIONS\] MODULE\[:ATTR\]/);
    assert.match(
      r.stdout,
      /-w, --workers INT\n {6}The number of worker processes\..* Default: \$WEB_CONCURRENCY or 1\. \[\$TSGI_WORKERS\]/,
    );
    assert.match(r.stdout, /--limit-request-line BYTES\n.*Default: 4094\./);
  });

  test('--print-config shows the defaults, with $WEB_CONCURRENCY for --workers', async () => {
    const r = await runTsgi(['serve', '--print-config'], { env: { WEB_CONCURRENCY: '3' } });
    assert.equal(r.code, 0);
    const c = printed(r.stdout);
    assert.equal(c.workers, 3);
    assert.deepEqual(c.bind, ['127.0.0.1:8000']);
    assert.equal(c.timeout, 30);
    assert.equal(c.gracefulTimeout, 30);
    assert.equal(c.keepAlive, 5);
    assert.equal(c.limitRequestLine, 4094);
    assert.equal(c.limitRequestFields, 100);
    assert.equal(c.limitRequestFieldSize, 8190);
    assert.equal(c.accessLogfile, null);
    assert.equal(c.errorLogfile, '-');
    assert.equal(c.logLevel, 'info');
    assert.deepEqual(c.forwardedAllowIps, ['127.0.0.1', '::1']);
  });

  test('precedence: config file < environment variable < TSGI_CMD_ARGS < command line', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tsgi-cfg-'));
    try {
      writeFileSync(
        path.join(dir, 'tsgi.config.ts'),
        'export default { workers: 5, timeout: 11, keepAlive: 7, bind: ["127.0.0.1:9001", "unix:/tmp/x.sock"], accessLogJson: true };\n',
      );
      const r = await runTsgi(['serve', '--print-config', '--keep-alive', '9', '-b', '[::1]:9002'], {
        cwd: dir,
        env: { TSGI_TIMEOUT: '12', TSGI_KEEP_ALIVE: '8', TSGI_CMD_ARGS: '--timeout 13 --log-level "debug"' },
      });
      assert.equal(r.code, 0, r.stderr);
      const c = printed(r.stdout);
      assert.equal(c.config, path.join(dir, 'tsgi.config.ts'));
      assert.equal(c.workers, 5);
      assert.equal(c.timeout, 13);
      assert.equal(c.keepAlive, 9);
      assert.equal(c.logLevel, 'debug');
      assert.equal(c.accessLogJson, true);
      assert.deepEqual(c.bind, ['[::1]:9002']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const errors: Array<[string, string[], NodeJS.ProcessEnv, string]> = [
    [
      'an unknown option, with a suggestion',
      ['--wokers', '2'],
      {},
      'Error: Unknown option "--wokers" on the command line. Did you mean --workers? See tsgi serve --help.\n',
    ],
    [
      'a value that is not a number',
      ['--workers', 'many'],
      {},
      'Error: --workers must be a whole number, got "many".\n',
    ],
    ['a value out of range', ['--workers', '0'], {}, 'Error: --workers must be at least 1, got 0.\n'],
    [
      'a bad bind address',
      ['-b', 'localhost:99999'],
      {},
      'Error: The bind address "localhost:99999" is not valid; write HOST:PORT, [IPv6]:PORT or unix:/path.\n',
    ],
    [
      'a bad log level',
      ['--log-level', 'loud'],
      {},
      'Error: --log-level must be one of debug, info, warning, error, critical, got "loud".\n',
    ],
    [
      'a missing value',
      ['apps.echo', '--timeout'],
      {},
      'Error: --timeout needs a value (SECONDS) on the command line.\n',
    ],
    [
      'a bad environment variable',
      [],
      { TSGI_TIMEOUT: 'soon' },
      'Error: $TSGI_TIMEOUT must be a whole number, got "soon".\n',
    ],
    [
      'a bad TSGI_CMD_ARGS',
      [],
      { TSGI_CMD_ARGS: '--bogus' },
      'Error: Unknown option "--bogus" on $TSGI_CMD_ARGS. See tsgi serve --help.\n',
    ],
    [
      'an unknown access log atom',
      ['apps.echo', '--access-log-format', '%(h)s %(zz)s'],
      {},
      'Error: --access-log-format: unknown atom "%(zz)s"; use one of h l u t r m U q H s B b f a T M D L p, {header}i, {header}o or {variable}e.\n',
    ],
    [
      'a bad proxy address',
      ['apps.echo', '--forwarded-allow-ips', '10.0.0.1,nope'],
      {},
      'Error: --forwarded-allow-ips: "nope" is not an IP address or CIDR range.\n',
    ],
    [
      'TLS with only a certificate',
      ['apps.echo', '--certfile', 'x.pem'],
      {},
      'Error: TLS needs both --certfile and --keyfile; only one was given.\n',
    ],
    [
      'no application',
      [],
      {},
      'Error: No application to serve; write tsgi serve MODULE[:ATTR], e.g. tsgi serve markup.wsgi:application.\n',
    ],
  ];
  for (const [what, args, env, message] of errors) {
    test(`exits 2 with a clear message for ${what}`, async () => {
      const r = await runTsgi(['serve', ...args], { env });
      assert.equal(r.code, 2);
      assert.equal(r.stderr, message);
    });
  }

  test('a config file with an unknown setting names it and suggests the right one', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tsgi-cfg-'));
    try {
      writeFileSync(path.join(dir, 'server.config.js'), 'export default { worker: 2 };\n');
      const r = await runTsgi(['serve', 'apps.echo', '--config', 'server.config.js'], { cwd: dir });
      assert.equal(r.code, 2);
      assert.equal(
        r.stderr,
        `Error: Unknown setting "worker" in the config file ${path.join(dir, 'server.config.js')}. Did you mean "workers"?\n`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('--check-config loads the application and exits 0', async () => {
    const r = await runTsgi(['serve', 'apps.echo', '--check-config']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      `The configuration is valid and apps.echo loads (a TSGI application from ${path.join(fixtures, 'apps/echo.ts')}).\n`,
    );
    const hono = await runTsgi(['serve', 'apps.hono:default', '--check-config']);
    assert.equal(hono.code, 0, hono.stderr);
    assert.match(hono.stdout, /loads \(a Fetch handler from /);
  });
});

describe('tsgi serve: applications that cannot load (exit 4, no respawn loop)', () => {
  const cases: Array<[string, string, RegExp]> = [
    [
      'a missing module',
      'apps.nope',
      /No module named "apps\.nope": none of apps\/nope\.ts, apps\/nope\.js, apps\/nope\.mjs, .* exists in .*fixtures\. Check the name, or use --chdir to serve from the project's directory\./,
    ],
    [
      'a missing attribute',
      'apps.notapp:applicatio',
      /The module apps\.notapp has no attribute "applicatio"\. Did you mean "apps\.notapp:application"\?/,
    ],
    [
      'an attribute that is not an application',
      'apps.notapp',
      /apps\.notapp:application is not an application: it is number\. It must be a TSGI application \(environ, startResponse\), a Fetch handler object \{ fetch\(request\) \} or a function of one parameter, \(request\) => Response\./,
    ],
    [
      'a module that throws while loading',
      'apps.throws',
      /The module apps\.throws \(apps\/throws\.ts\) failed to load:\nError: database is not configured\n {4}at .*apps\/throws\.ts:2:7/,
    ],
    [
      'a ready promise that rejects',
      'apps.notready',
      /apps\.notready:application failed to get ready \(its ready promise rejected\):\nError: cannot reach the database/,
    ],
  ];
  for (const [what, app, message] of cases) {
    test(what, async () => {
      const r = await runTsgi(['serve', app, '--bind', '127.0.0.1:0', '--workers', '2']);
      assert.equal(r.code, 4);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /App failed to load; shutting down\./);
      // Two workers were booted once each, none respawned.
      assert.equal(r.stderr.match(/Booting worker/g)?.length, 2);
    });
  }

  test('--preload checks the application in the master, before any worker', async () => {
    const r = await runTsgi(['serve', 'apps.throws', '--bind', '127.0.0.1:0', '--preload']);
    assert.equal(r.code, 4);
    assert.match(r.stderr, /Error: database is not configured/);
    assert.doesNotMatch(r.stderr, /Booting worker/);
  });

  test('--chdir serves from another directory', async () => {
    const r = await runTsgi(['serve', 'apps.echo', '--chdir', fixtures, '--check-config'], { cwd: os.tmpdir() });
    assert.equal(r.code, 0, r.stderr);
    const bad = await runTsgi(['serve', 'apps.echo', '--chdir', '/nonexistent/dir', '--check-config']);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, 'Error: --chdir /nonexistent/dir: no such directory.\n');
  });
});
