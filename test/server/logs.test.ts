/**
 * The access log (gunicorn's atoms, escaping, JSON lines), the error log file and USR1.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { compileAccessFormat, escapeLogValue } from '../../src/server/access-log.ts';
import {
  alive,
  bin,
  bootedPids,
  fixtures,
  rawExchange,
  repoRoot,
  request,
  serve,
  until,
  type Served,
} from './helpers.ts';

const started: Served[] = [];
const dir = mkdtempSync(path.join(os.tmpdir(), 'tsgi-logs-'));
after(async () => {
  await Promise.all(started.map((s) => s.stop(3000)));
  rmSync(dir, { recursive: true, force: true });
});

const read = (file: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};

describe('access log', () => {
  test('escaping: quotes, backslashes, control and non-ASCII characters', () => {
    assert.equal(escapeLogValue('plain'), 'plain');
    assert.equal(escapeLogValue('a "quoted" \\ value'), 'a \\"quoted\\" \\\\ value');
    assert.equal(escapeLogValue('line\nbreak\ttab\x7f'), 'line\\x0abreak\\x09tab\\x7f');
    assert.equal(escapeLogValue('café'), 'caf\\xe9');
    assert.equal(escapeLogValue('€'), '\\xE2\\x82\\xAC');
  });

  test('an unknown atom is refused when the format is compiled', () => {
    assert.throws(() => compileAccessFormat('%(h)s %(nope)s'), { message: /unknown atom "%\(nope\)s"/ });
  });

  test('every atom, from a real request', async () => {
    const file = path.join(dir, 'atoms.log');
    const format =
      '%(h)s|%(l)s|%(u)s|%(t)s|%(r)s|%(m)s|%(U)s|%(q)s|%(H)s|%(s)s|%(B)s|%(b)s|%(f)s|%(a)s|%(T)s|%(M)s|%(D)s|%(L)s|%(p)s|%({x-trace}i)s|%({content-type}o)s|%({LOG_TAG}e)s|%%';
    const s = await serve(['apps.echo', '--access-logfile', file, '--access-log-format', format], {
      env: { LOG_TAG: 'tagged' },
    });
    started.push(s);
    const r = await request(`${s.url}/p/a?x=1&y=2`, {
      headers: {
        Referer: 'http://ref.example/',
        'User-Agent': 'agent "007"\\',
        'X-Trace': 'abc',
        Authorization: `Basic ${Buffer.from('alice:secret').toString('base64')}`,
      },
    });
    const line = (await until(() => read(file).split('\n')[0], 10000, 'a log line'))!;
    const f = line.split('|');
    assert.equal(f.length, 23, line);
    assert.equal(f[0], '127.0.0.1');
    assert.equal(f[1], '-');
    assert.equal(f[2], 'alice');
    assert.match(f[3]!, /^\[\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\]$/);
    assert.equal(f[4], 'GET /p/a?x=1&y=2 HTTP/1.1');
    assert.equal(f[5], 'GET');
    assert.equal(f[6], '/p/a');
    assert.equal(f[7], 'x=1&y=2');
    assert.equal(f[8], 'HTTP/1.1');
    assert.equal(f[9], '200');
    assert.equal(f[10], String(Buffer.byteLength(r.body)));
    assert.equal(f[11], String(Buffer.byteLength(r.body)));
    assert.equal(f[12], 'http://ref.example/');
    assert.equal(f[13], 'agent \\"007\\"\\\\');
    assert.match(f[14]!, /^\d+$/);
    assert.match(f[15]!, /^\d+$/);
    assert.match(f[16]!, /^\d+$/);
    assert.match(f[17]!, /^\d+\.\d{6}$/);
    assert.equal(f[18], `<${r.headers['x-served-by']}>`);
    assert.equal(f[19], 'abc');
    assert.equal(f[20], 'application/json');
    assert.equal(f[21], 'tagged');
    assert.equal(f[22], '%');
  });

  test('the default format cannot be forged by a quote in a header; a refused request is logged too', async () => {
    const file = path.join(dir, 'default.log');
    const s = await serve(['apps.echo', '--access-logfile', file]);
    started.push(s);
    await request(`${s.url}/`, { headers: { 'User-Agent': 'x" 200 999 "forged' } });
    await rawExchange(s.port, 'GET * HTTP/1.1\r\nHost: a\r\n\r\n');
    const lines = await until(
      () => {
        const l = read(file).trim().split('\n');
        return l.length >= 2 ? l : undefined;
      },
      10000,
      'two lines',
    );
    assert.match(lines[0]!, /^127\.0\.0\.1 - - \[[^\]]+\] "GET \/ HTTP\/1\.1" 200 \d+ "-" "x\\" 200 999 \\"forged"$/);
    assert.match(lines[1]!, /^127\.0\.0\.1 - - \[[^\]]+\] "GET \* HTTP\/1\.1" 400 \d+ "-" "-"$/);
  });

  test('JSON lines; HEAD logs no body bytes', async () => {
    const file = path.join(dir, 'json.log');
    const s = await serve(['apps.echo', '--access-logfile', file, '--access-log-json']);
    started.push(s);
    await request(`${s.url}/j?q=1`, { headers: { 'User-Agent': 'json "agent"' } });
    await request(`${s.url}/h`, { method: 'HEAD' });
    const lines = await until(
      () => {
        const l = read(file).trim().split('\n');
        return l.length >= 2 ? l : undefined;
      },
      10000,
      'two lines',
    );
    const first = JSON.parse(lines[0]!) as Record<string, unknown>;
    assert.equal(first.method, 'GET');
    assert.equal(first.path, '/j');
    assert.equal(first.query, 'q=1');
    assert.equal(first.status, 200);
    assert.equal(first.user_agent, 'json "agent"');
    assert.equal(first.remote_addr, '127.0.0.1');
    assert.equal(typeof first.duration_ms, 'number');
    assert.ok((first.bytes as number) > 0);
    assert.equal((JSON.parse(lines[1]!) as { bytes: number }).bytes, 0);
  });

  test('USR1 reopens the log files (logrotate)', async () => {
    const access = path.join(dir, 'rot-access.log');
    const errors = path.join(dir, 'rot-error.log');
    const s = await serve(['apps.echo', '--access-logfile', access, '--error-logfile', errors], {
      errorLogFile: errors,
    });
    started.push(s);
    await request(`${s.url}/before`);
    await until(() => read(access).includes('/before'), 10000, 'first line');
    renameSync(access, access + '.1');
    renameSync(errors, errors + '.1');
    s.child.kill('SIGUSR1');
    await until(
      async () => {
        await request(`${s.url}/after`);
        return read(access).includes('/after');
      },
      10000,
      'the new file',
    );
    assert.doesNotMatch(read(access), /\/before/);
    assert.match(read(access + '.1'), /\/before/);
    // The error log too, in the master and in the worker: their lines after USR1 go to a new
    // file, none to the one logrotate moved away.
    assert.match(read(errors + '.1'), /Listening at:/);
    assert.match(read(errors), /\[INFO\] USR1: reopened the log files; the workers reopen theirs\./);
    await until(
      async () => {
        await request(`${s.url}/reject`);
        return read(errors).includes('stray rejection from /reject');
      },
      10000,
      'a worker line in the new error log',
    );
    assert.doesNotMatch(read(errors + '.1'), /USR1|stray rejection/);
    assert.doesNotMatch(read(errors), /Listening at:/);
  });
});

describe('error log', () => {
  test('the start-up banner: version, every bind, the worker count, the pids of the master and of each worker', async () => {
    const version = (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string })
      .version;
    const sock = path.join(dir, 'banner.sock');
    const s = await serve(['apps.echo', '--workers', '2', '--bind', '127.0.0.1:0', '--bind', `unix:${sock}`]);
    started.push(s);
    await until(() => (s.stderr().match(/is ready\./g)?.length ?? 0) === 2, 20000, 'two workers ready');
    const master = s.child.pid!;
    const lines = s.stderr().split('\n');
    const stamp = '\\[\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2} [+-]\\d{4}\\]';
    const esc = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const expected = [
      `Starting tsgi ${version}`,
      `Listening at: http://127.0.0.1:${s.port} (${master})`,
      `Listening at: unix:${sock} (${master})`,
      'Using worker processes: 2',
    ];
    expected.forEach((text, i) =>
      assert.match(lines[i]!, new RegExp(`^${stamp} \\[${master}\\] \\[INFO\\] ${esc(text)}$`)),
    );
    const pids = bootedPids(s.stderr());
    assert.equal(pids.length, 2);
    assert.equal(new Set(pids).size, 2);
    for (const pid of pids) {
      assert.notEqual(pid, master);
      assert.ok(alive(pid), `worker ${pid} is running`);
      assert.match(s.stderr(), new RegExp(`\\[${master}\\] \\[INFO\\] Worker ${pid} is ready\\.`));
    }
    // The pids the banner gives are the processes that answer.
    const answering = new Set<number>();
    await until(
      async () => {
        answering.add((JSON.parse((await request(`${s.url}/`)).body) as { pid: number }).pid);
        return answering.size === 2;
      },
      20000,
      'both workers answering',
    );
    assert.deepEqual([...answering].sort(), [...pids].sort());
  });

  test('--log-level warning leaves the info lines out and keeps the errors', async () => {
    const sock = path.join(dir, 'quiet.sock');
    // Not helpers.serve(): it waits for the "Listening at" line, which is info.
    const child = spawn(
      process.execPath,
      [bin, 'serve', 'apps.echo', '--bind', `unix:${sock}`, '--log-level', 'warning'],
      { cwd: fixtures, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d;
    });
    const exited = new Promise<number | string>((resolve) =>
      child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)),
    );
    const get = (p: string) =>
      new Promise<number>((resolve) => {
        http
          .get({ socketPath: sock, path: p, headers: { Host: 'x' } }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode!));
          })
          .on('error', () => resolve(0));
      });
    try {
      await until(async () => (await get('/')) === 200, 20000, 'the server answering');
      assert.equal(await get('/reject'), 200);
      await until(() => err.includes('stray rejection from /reject'), 10000, 'the error line');
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
      assert.match(err, /\[ERROR\] Unhandled promise rejection in worker \d+/);
      assert.doesNotMatch(err, /\[(INFO|DEBUG)\]/);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
