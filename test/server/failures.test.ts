/**
 * Failures that must neither loop nor lose requests: TLS files that cannot be used, workers that
 * die at boot in any way, and stray errors of the application (an unhandled rejection, an
 * uncaught exception) in a worker that is serving.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { alive, bootedPids, loadLoop, request, runTsgi, serve, until, type Reply, type Served } from './helpers.ts';

const started: Served[] = [];
const dir = mkdtempSync(path.join(os.tmpdir(), 'tsgi-failures-'));
after(async () => {
  await Promise.all(started.map((s) => s.stop(3000)));
  rmSync(dir, { recursive: true, force: true });
});

async function start(args: string[], opts: Parameters<typeof serve>[1] = {}): Promise<Served> {
  const s = await serve(args, opts);
  started.push(s);
  return s;
}

/** A self-signed certificate and its key, made with openssl. */
function makeCert(name: string): { cert: string; key: string } {
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.crt`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

const pidOf = (reply: Reply) => (JSON.parse(reply.body) as { pid: number }).pid;

describe('tsgi serve: TLS files that cannot be used stop the server before any worker (exit 3)', () => {
  const good = makeCert('good');
  const other = makeCert('other');
  const notPem = path.join(dir, 'not.pem');
  writeFileSync(notPem, 'this is not a certificate\n');
  const missing = path.join(dir, 'missing.pem');
  const cases: Array<[string, string, string, string]> = [
    [
      'a certificate that does not exist',
      missing,
      good.key,
      `The TLS certificate --certfile ${missing} cannot be read: it does not exist (ENOENT). Fix the path or the file's permissions, or leave out --certfile and --keyfile to serve plain HTTP.`,
    ],
    [
      'a key that does not exist',
      good.cert,
      missing,
      `The TLS private key --keyfile ${missing} cannot be read: it does not exist (ENOENT).`,
    ],
    [
      'a certificate that is not PEM',
      notPem,
      good.key,
      `The TLS certificate --certfile ${notPem} is not in PEM format (no "-----BEGIN" line).`,
    ],
    [
      'a key given as the certificate',
      good.key,
      good.cert,
      `The TLS certificate --certfile ${good.key} is not a valid PEM certificate (no start line).`,
    ],
    [
      "a key that is not the certificate's",
      good.cert,
      other.key,
      `The TLS private key --keyfile ${other.key} does not belong to the certificate --certfile ${good.cert} (key values mismatch). Give the key the certificate was issued for.`,
    ],
  ];
  for (const [what, cert, key, message] of cases) {
    test(what, async () => {
      const r = await runTsgi([
        'serve',
        'apps.echo',
        '--bind',
        '127.0.0.1:0',
        '--workers',
        '2',
        '--certfile',
        cert,
        '--keyfile',
        key,
      ]);
      assert.equal(r.code, 3, r.stderr);
      assert.ok(r.stderr.includes(`[ERROR] ${message}`), r.stderr);
      assert.doesNotMatch(r.stderr, /Booting worker/);
    });
  }

  test('--check-config checks them too', async () => {
    const bad = await runTsgi(['serve', 'apps.echo', '--check-config', '--certfile', missing, '--keyfile', good.key]);
    assert.equal(bad.code, 3);
    assert.equal(bad.stdout, '');
    assert.match(
      bad.stderr,
      /The TLS certificate --certfile .*missing\.pem cannot be read: it does not exist \(ENOENT\)\./,
    );
    const ok = await runTsgi(['serve', 'apps.echo', '--check-config', '--certfile', good.cert, '--keyfile', good.key]);
    assert.equal(ok.code, 0, ok.stderr);
  });

  test('a certificate that goes bad before a reload: the reload fails, the old workers keep serving', async () => {
    const { cert, key } = makeCert('reload');
    const s = await start(['apps.echo', '--workers', '2', '--certfile', cert, '--keyfile', key]);
    const ca = readFileSync(cert);
    const get = () =>
      new Promise<number>((resolve, reject) => {
        https
          .get(`${s.url}/`, { ca, agent: false }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode!));
          })
          .on('error', reject);
      });
    assert.equal(await get(), 200);
    writeFileSync(cert, 'renewal went wrong\n');
    const from = s.stderr().length;
    s.child.kill('SIGHUP');
    await s.waitFor(
      /Reload failed: the new workers could not load the application \(The TLS certificate --certfile .*reload\.crt is not in PEM format.*\); the old workers keep serving\./,
      20000,
      from,
    );
    assert.match(s.stderr().slice(from), /\[ERROR\] The TLS certificate --certfile .*reload\.crt is not in PEM format/);
    for (let i = 0; i < 5; i++) assert.equal(await get(), 200);
    assert.equal(s.child.exitCode, null);
  });
});

describe('tsgi serve: workers that die at boot', () => {
  test('a worker that dies before it is ready, again and again, stops the server (exit 3) instead of a respawn loop', async () => {
    const app = mkdtempSync(path.join(dir, 'exits-'));
    writeFileSync(path.join(app, 'exiter.ts'), 'process.exit(1);\nexport const application = () => [];\n');
    const r = await runTsgi(['serve', 'exiter', '--bind', '127.0.0.1:0', '--workers', '1'], {
      cwd: app,
      timeoutMs: 30000,
    });
    assert.equal(r.code, 3, r.stderr);
    assert.match(
      r.stderr,
      /\[ERROR\] Worker failed to boot: 5 workers in a row exited before they were ready \(the last with code 1\); shutting down\./,
    );
    assert.equal(bootedPids(r.stderr).length, 5);
  });

  test('an exception thrown asynchronously while the application loads is a boot failure (exit 3)', async () => {
    const app = mkdtempSync(path.join(dir, 'throws-later-'));
    writeFileSync(
      path.join(app, 'late.ts'),
      "setTimeout(() => { throw new Error('late boot failure'); }, 0);\nawait new Promise((r) => setTimeout(r, 200));\nexport const application = () => [];\n",
    );
    const r = await runTsgi(['serve', 'late', '--bind', '127.0.0.1:0', '--workers', '2'], { cwd: app });
    assert.equal(r.code, 3, r.stderr);
    assert.match(
      r.stderr,
      /\[ERROR\] Uncaught exception in worker \d+ while it was booting:\nError: late boot failure\n {4}at /,
    );
    assert.match(r.stderr, /Worker failed to boot; shutting down\./);
    assert.equal(bootedPids(r.stderr).length, 2);
  });
});

describe('tsgi serve: stray errors in application code', () => {
  test('an unhandled rejection is logged with its stack and the worker keeps serving', async () => {
    const s = await start(['apps.echo', '--workers', '1']);
    const first = await request(`${s.url}/reject`);
    assert.equal(first.status, 200);
    const pid = pidOf(first);
    const m = await s.waitFor(
      /\[(\d+)\] \[ERROR\] Unhandled promise rejection in worker (\d+); it keeps serving\. Await the promise or add a \.catch\(\) to it:\nError: stray rejection from \/reject\n {4}at .*fixtures\/apps\/echo\.ts:\d+:\d+/,
    );
    assert.equal(Number(m[1]), pid);
    assert.equal(Number(m[2]), pid);
    for (let i = 0; i < 5; i++) assert.equal(pidOf(await request(`${s.url}/`)), pid);
    assert.doesNotMatch(s.stderr(), /exited/);
    assert.deepEqual(bootedPids(s.stderr()), [pid]);
  });

  test('an uncaught exception under load: the requests in flight on that worker complete, its replacement serves the next', async () => {
    const s = await start(['apps.echo', '--workers', '1']);
    const load = loadLoop(`${s.url}/`, 4, 20000);
    await until(() => load.ok > 50, 20000, 'traffic');
    const [old] = bootedPids(s.stderr()) as [number];
    // Three slow requests, each on its own connection, all in flight on the worker.
    const slow = [1, 2, 3].map((i) => request(`${s.url}/slow?ms=1500&tag=t${i}`));
    for (const i of [1, 2, 3]) await s.waitFor(new RegExp(`request t${i} started in worker ${old}`));
    const trigger = await request(`${s.url}/throw-later`);
    assert.equal(trigger.status, 200);
    await s.waitFor(
      new RegExp(
        `\\[${old}\\] \\[ERROR\\] Uncaught exception in worker ${old}; its state may be corrupt, so it stops taking connections, finishes its \\d+ request\\(s\\) in flight and exits, and the master replaces it:\\nError: stray throw from /throw-later\\n {4}at `,
      ),
    );
    await s.waitFor(new RegExp(`Stopping worker ${old} gracefully \\(uncaught exception\\)`));
    for (const reply of await Promise.all(slow)) {
      assert.equal(reply.status, 200);
      assert.equal(pidOf(reply), old);
      assert.equal(reply.headers.connection, 'close');
    }
    await s.waitFor(new RegExp(`Worker ${old} exited \\(code 0\\)`));
    assert.equal(alive(old), false);
    const replacement = bootedPids(s.stderr())[1]!;
    assert.ok(replacement);
    const okBefore = load.ok;
    await until(() => load.ok > okBefore + 50, 20000, 'traffic after the replacement');
    await load.stop();
    assert.deepEqual(load.failures, []);
    assert.equal(pidOf(await request(`${s.url}/`)), replacement);
    assert.doesNotMatch(s.stderr(), /exited unexpectedly/);
  });
});
