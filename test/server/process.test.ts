/**
 * The process model of `tsgi serve`, with real processes, real signals and real traffic:
 * TERM, worker death, a blocked event loop, HUP and TTIN/TTOU under load, max-requests.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { alive, bootedPids, loadLoop, request, serve, sleep, until, type Served } from './helpers.ts';

const started: Served[] = [];
after(async () => {
  await Promise.all(started.map((s) => s.stop(3000)));
});

async function start(args: string[], opts: Parameters<typeof serve>[1] = {}): Promise<Served> {
  const s = await serve(args, opts);
  started.push(s);
  return s;
}

describe('tsgi serve: process model', () => {
  test('TERM with a slow request in flight: the request completes, then the server exits 0', async () => {
    const s = await start(['apps.echo', '--workers', '1']);
    const slow = request(`${s.url}/slow?ms=1500`);
    await s.waitFor(/Booting worker/);
    await sleep(400); // the connection is accepted and handed over by now
    s.child.kill('SIGTERM');
    const reply = await slow;
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.connection, 'close');
    assert.equal(await s.exited, 0);
    assert.match(s.stderr(), /Shutting down gracefully \(TERM\)/);
    assert.match(s.stderr(), /Shutdown complete/);
  });

  test('QUIT stops at once: a request in flight is cut, the worker is gone, the server exits 0 (as gunicorn)', async () => {
    const s = await start(['apps.echo', '--workers', '1']);
    const [pid] = bootedPids(s.stderr()) as [number];
    const slow = request(`${s.url}/slow?ms=20000&tag=quit`).then(
      () => 'answered',
      (e: Error) => e.message,
    );
    await s.waitFor(new RegExp(`request quit started in worker ${pid}`));
    s.child.kill('SIGQUIT');
    assert.equal(await s.exited, 0);
    assert.notEqual(await slow, 'answered');
    assert.match(s.stderr(), /Shutting down now\./);
    assert.match(s.stderr(), /Shutdown complete\./);
    assert.equal(alive(pid), false);
  });

  test('TERM with a request slower than --graceful-timeout: the worker gives up on it after the timeout, the server exits 0 (as gunicorn)', async () => {
    const s = await start(['apps.echo', '--workers', '1', '--graceful-timeout', '1']);
    const [pid] = bootedPids(s.stderr()) as [number];
    const slow = request(`${s.url}/slow?ms=20000&tag=late`).then(
      () => 'answered',
      (e: Error) => e.message,
    );
    await s.waitFor(new RegExp(`request late started in worker ${pid}`));
    s.child.kill('SIGTERM');
    assert.equal(await s.exited, 0);
    assert.notEqual(await slow, 'answered');
    assert.match(
      s.stderr(),
      new RegExp(`\\[${pid}\\] \\[WARNING\\] Graceful timeout: 1 connection\\(s\\) still open after 1s; exiting\\.`),
    );
    assert.match(s.stderr(), new RegExp(`Worker ${pid} exited \\(code 0\\)`));
    assert.equal(alive(pid), false);
  });

  test("TERM while a worker's event loop is blocked: the master kills it after --graceful-timeout, the server exits 0", async () => {
    const s = await start(['apps.echo', '--workers', '1', '--graceful-timeout', '1', '--timeout', '0']);
    const [pid] = bootedPids(s.stderr()) as [number];
    const blocked = request(`${s.url}/block?tag=stuck`).then(
      () => 'answered',
      (e: Error) => e.message,
    );
    await s.waitFor(new RegExp(`request stuck started in worker ${pid}`));
    s.child.kill('SIGTERM');
    assert.equal(await s.exited, 0);
    assert.notEqual(await blocked, 'answered');
    assert.match(
      s.stderr(),
      new RegExp(`\\[WARNING\\] Worker ${pid} did not stop within --graceful-timeout 1s; killing it\\.`),
    );
    assert.match(s.stderr(), new RegExp(`Worker ${pid} exited \\(signal SIGKILL\\)`));
    assert.equal(alive(pid), false);
  });

  test('SIGKILL of one worker under load: it is replaced, the other worker keeps answering', async () => {
    const s = await start(['apps.echo', '--workers', '2']);
    await until(async () => {
      const r = await request(`${s.url}/`);
      return r.status === 200;
    });
    await until(() => bootedPids(s.stderr()).length === 2);
    const [victim, survivor] = bootedPids(s.stderr()) as [number, number];
    const load = loadLoop(`${s.url}/`, 4, 4000);
    await until(() => load.ok > 50, 20000, 'traffic');
    process.kill(victim, 'SIGKILL');
    await s.waitFor(new RegExp(`Worker ${victim} exited unexpectedly \\(signal SIGKILL\\)`));
    await until(() => bootedPids(s.stderr()).length === 3, 20000, 'a replacement worker');
    const okBefore = load.ok;
    await until(() => load.ok > okBefore + 50, 20000, 'traffic after the kill');
    await load.stop();
    // Only connections that were on the killed worker may fail (at most one per client).
    assert.ok(load.failures.length <= 4, `failures: ${load.failures.join('; ')}`);
    for (const f of load.failures) assert.doesNotMatch(f, /^status/);
    assert.ok(alive(survivor));
    const replacement = bootedPids(s.stderr())[2]!;
    const pids = new Set<number>();
    await until(
      async () => {
        pids.add((JSON.parse((await request(`${s.url}/`)).body) as { pid: number }).pid);
        return pids.size === 2;
      },
      20000,
      'both workers answering',
    );
    assert.deepEqual([...pids].sort(), [survivor, replacement].sort());
  });

  test('SIGKILL of a worker while new connections are handed to it: each one is answered or reset, none is left hanging', async () => {
    const s = await start(['apps.echo', '--workers', '2']);
    await until(() => bootedPids(s.stderr()).length === 2);
    const [victim] = bootedPids(s.stderr()) as [number];
    // A new connection per request: the master passes handles to the workers all the time, and
    // node queues them per worker while one is in transit. The client timeout is only a guard:
    // a connection the master kept for the dead worker never gets an answer.
    const load = loadLoop(`${s.url}/`, 16, 6000, { fresh: true, timeoutMs: 10000 });
    await until(() => load.ok > 100, 20000, 'traffic');
    process.kill(victim, 'SIGKILL');
    await s.waitFor(new RegExp(`Worker ${victim} exited unexpectedly`));
    await until(() => bootedPids(s.stderr()).length === 3, 20000, 'a replacement worker');
    const okBefore = load.ok;
    await until(() => load.ok > okBefore + 200, 20000, 'traffic after the kill');
    await load.stop();
    for (const f of load.failures)
      assert.match(f, /^request error (ECONNRESET|socket hang up)$/, `failures: ${load.failures.join('; ')}`);
  });

  test('a burst of 50 connections while one worker loops in a view: all 50 are answered by the other worker', async () => {
    const s = await start(['apps.echo', '--workers', '2', '--graceful-timeout', '1']);
    await until(() => (s.stderr().match(/is ready\./g) ?? []).length === 2, 20000, 'two ready workers');
    const loop = request(`${s.url}/block?tag=loop`).catch(() => undefined);
    const stuck = Number((await s.waitFor(/request loop started in worker (\d+)/))[1]);
    const [other] = bootedPids(s.stderr()).filter((p) => p !== stuck) as [number];
    // At once, before the master has seen the heartbeats stop: a connection it had already sent
    // to the looping worker is taken back, and none waits behind it.
    const burst = await Promise.all(Array.from({ length: 50 }, () => request(`${s.url}/`)));
    assert.deepEqual(
      burst.map((r) => [r.status, (JSON.parse(r.body) as { pid: number }).pid]),
      Array.from({ length: 50 }, () => [200, other]),
    );
    // Then the master marks it: no heartbeat, no new connections; a second burst, the same.
    await s.waitFor(
      new RegExp(
        `Worker ${stuck} has sent no heartbeat for [\\d.]+s \\(its event loop is blocked\\); it gets no new connections until it beats again\\.`,
      ),
    );
    const again = await Promise.all(Array.from({ length: 50 }, () => request(`${s.url}/`)));
    assert.ok(again.every((r) => r.status === 200 && (JSON.parse(r.body) as { pid: number }).pid === other));
    assert.ok(alive(stuck));
    process.kill(stuck, 'SIGKILL');
    await loop;
  });

  test('a worker whose event loop was blocked for a while takes new connections again once it beats', async () => {
    const s = await start(['apps.echo', '--workers', '1']);
    const [pid] = bootedPids(s.stderr()) as [number];
    const pause = request(`${s.url}/busy?ms=4000&tag=busy`);
    await s.waitFor(/request busy started/);
    // Sent while the only worker is blocked: it waits in the master, then goes to that worker.
    const waiting = request(`${s.url}/`);
    await s.waitFor(new RegExp(`Worker ${pid} has sent no heartbeat`));
    await s.waitFor(new RegExp(`Worker ${pid} is beating again; it takes new connections again\\.`));
    assert.equal((await pause).status, 200);
    const reply = await waiting;
    assert.equal(reply.status, 200);
    assert.equal((JSON.parse(reply.body) as { pid: number }).pid, pid);
  });

  test('a blocked event loop is reported (stack and request line) and the worker replaced', async () => {
    const s = await start(['apps.echo', '--workers', '1', '--timeout', '2']);
    const blocked = request(`${s.url}/block?why=test`).then(
      () => 'answered',
      (e: Error) => e.message,
    );
    const m = await s.waitFor(
      /WORKER TIMEOUT \(pid:(\d+)\): the event loop has been blocked for [\d.]+s \(--timeout 2\) while serving "GET \/block\?why=test HTTP\/1\.1"\. JavaScript stack:\n(.*)\n(.*)\n/,
      30000,
    );
    assert.match(m[2]!, /at (Exchange\.)?application \(.*test\/server\/fixtures\/apps\/echo\.ts:\d+:\d+\)/);
    assert.notEqual(await blocked, 'answered');
    await s.waitFor(new RegExp(`Worker ${m[1]} exited unexpectedly \\(signal SIGKILL\\)`));
    const reply = await request(`${s.url}/`);
    assert.equal(reply.status, 200);
    assert.notEqual((JSON.parse(reply.body) as { pid: number }).pid, Number(m[1]));
  });

  test('HUP under continuous load: no request fails and the new code is served', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tsgi-hup-'));
    try {
      const write = (tag: string) =>
        writeFileSync(
          path.join(dir, 'hupapp.ts'),
          `export const application = (environ: unknown, startResponse: (s: string, h: [string, string][]) => void) => {\n  startResponse('200 OK', [['Content-Type', 'text/plain']]);\n  return [new TextEncoder().encode('${tag}')];\n};\n`,
        );
      write('v1');
      const s = await start(['hupapp', '--workers', '2'], { cwd: dir });
      assert.equal((await request(`${s.url}/`)).body, 'v1');
      const load = loadLoop(`${s.url}/`, 4, 20000);
      await until(() => load.ok > 50, 20000, 'traffic');
      for (const tag of ['v2', 'v3']) {
        write(tag);
        const from = s.stderr().length;
        s.child.kill('SIGHUP');
        await s.waitFor(/Reload complete/, 30000, from);
        await until(() => (load.bodies.get(tag) ?? 0) > 20, 20000, `${tag} served`);
      }
      await until(
        () =>
          /Worker \d+ exited \(code 0\)[^]*Worker \d+ exited \(code 0\)[^]*Worker \d+ exited \(code 0\)[^]*Worker \d+ exited \(code 0\)/.test(
            s.stderr(),
          ),
        20000,
        'the old workers exit',
      );
      await load.stop();
      assert.deepEqual(load.failures, []);
      assert.ok(load.ok > 100);
      assert.equal((await request(`${s.url}/`)).body, 'v3');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('HUP with a slow request in flight on an old worker: it completes there while the new workers serve, no request fails', async () => {
    const s = await start(['apps.echo', '--workers', '2']);
    const load = loadLoop(`${s.url}/`, 4, 20000);
    await until(() => load.ok > 50, 20000, 'traffic');
    const slow = request(`${s.url}/slow?ms=8000&tag=hup`);
    const old = Number((await s.waitFor(/request hup started in worker (\d+)/))[1]);
    const from = s.stderr().length;
    s.child.kill('SIGHUP');
    await s.waitFor(/Reload complete/, 30000, from);
    await s.waitFor(new RegExp(`Stopping worker ${old} gracefully \\(reload\\)`), 20000, from);
    const okBefore = load.ok;
    await until(() => load.ok > okBefore + 50, 20000, 'traffic on the new workers');
    // The old worker is draining, not gone: the slow request is still on it.
    assert.doesNotMatch(s.stderr(), new RegExp(`Worker ${old} exited`));
    const reply = await slow;
    assert.equal(reply.status, 200);
    assert.equal((JSON.parse(reply.body) as { pid: number }).pid, old);
    assert.equal(reply.headers.connection, 'close');
    await s.waitFor(new RegExp(`Worker ${old} exited \\(code 0\\)`));
    await load.stop();
    assert.deepEqual(load.failures, []);
  });

  test('TTIN and TTOU under continuous load: one worker more, one less, no request fails', async () => {
    const s = await start(['apps.echo', '--workers', '2']);
    const load = loadLoop(`${s.url}/`, 4, 20000);
    await until(() => load.ok > 50, 20000, 'traffic');
    s.child.kill('SIGTTIN');
    await s.waitFor(/TTIN: 3 worker\(s\)/);
    await until(() => bootedPids(s.stderr()).length === 3, 20000, 'a third worker');
    const third = bootedPids(s.stderr())[2]!;
    // New connections go to the worker with the fewest: the new one answers fresh clients.
    await until(
      async () => (JSON.parse((await request(`${s.url}/`)).body) as { pid: number }).pid === third,
      20000,
      'the third worker answering',
    );
    s.child.kill('SIGTTOU');
    await s.waitFor(/TTOU: 2 worker\(s\)/);
    const m = await s.waitFor(/Stopping worker (\d+) gracefully \(fewer workers wanted\)/);
    await s.waitFor(new RegExp(`Worker ${m[1]} exited \\(code 0\\)`));
    const okBefore = load.ok;
    await until(() => load.ok > okBefore + 50, 20000, 'traffic after TTOU');
    await load.stop();
    assert.deepEqual(load.failures, []);
  });

  test('a worker that crashes while serving is replaced each time, with back-off, and the server stays up', async () => {
    const s = await start(['apps.echo', '--workers', '1']);
    for (let i = 1; i <= 3; i++) {
      await request(`${s.url}/crash`).catch(() => undefined);
      await s.waitFor(/Worker \d+ exited unexpectedly \(code 70\)/, 20000, s.stderr().lastIndexOf('is ready.'));
      await until(
        async () => (await request(`${s.url}/`).catch(() => ({ status: 0 }))).status === 200,
        30000,
        `answers after crash ${i}`,
      );
    }
    assert.equal(bootedPids(s.stderr()).length, 4);
    // A crash soon after start delays the respawn (doubling while it repeats).
    assert.match(s.stderr(), /Respawning in \d+ ms\./);
    assert.equal(s.child.exitCode, null);
  });

  test('--max-requests recycles a worker without failing a request', async () => {
    const s = await start(['apps.echo', '--workers', '1', '--max-requests', '5', '--max-requests-jitter', '2']);
    const pids = new Set<number>();
    for (let i = 0; i < 400 && pids.size < 3; i++) {
      const reply = await request(`${s.url}/`);
      assert.equal(reply.status, 200);
      pids.add((JSON.parse(reply.body) as { pid: number }).pid);
      await sleep(20);
    }
    assert.ok(pids.size >= 3, `pids: ${[...pids].join(', ')}`);
    assert.match(s.stderr(), /Autorestarting worker after current request/);
  });

  test('SIGKILL of the master while a worker loops in a view: no tsgi process (nor temporary folder) is left within seconds', async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'tsgi-orphan-'));
    after(() => rmSync(tmp, { recursive: true, force: true }));
    const s = await start(['apps.echo', '--workers', '2', '--worker-tmp-dir', tmp]);
    await until(() => (s.stderr().match(/is ready\./g) ?? []).length === 2, 20000, 'two ready workers');
    const pids = bootedPids(s.stderr());
    const loop = request(`${s.url}/block?tag=orphan`).catch(() => undefined);
    const stuck = Number((await s.waitFor(/request orphan started in worker (\d+)/))[1]);
    s.child.kill('SIGKILL');
    await s.exited;
    // The looping worker ends itself from its watchdog thread; the free one drains and exits.
    await until(() => pids.every((pid) => !alive(pid)), 20000, 'every worker gone');
    assert.deepEqual(readdirSync(tmp), []);
    assert.match(
      s.stderr(),
      new RegExp(
        `\\[${stuck}\\] \\[CRITICAL\\] The master \\(pid ${s.child.pid}\\) is gone and its event loop has been blocked for [\\d.]+s; this worker exits now\\.`,
      ),
    );
    await loop;
  });

  test('SIGKILL of the master with --timeout 0: a looping worker still ends itself', async () => {
    const s = await start(['apps.echo', '--workers', '1', '--timeout', '0']);
    const [pid] = bootedPids(s.stderr()) as [number];
    const loop = request(`${s.url}/block?tag=orphan0`).catch(() => undefined);
    await s.waitFor(/request orphan0 started/);
    s.child.kill('SIGKILL');
    await until(() => !alive(pid), 20000, 'the worker gone');
    await loop;
  });

  test('INT stops at once; the pid file is written and removed', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tsgi-pid-'));
    try {
      const pidFile = path.join(dir, 'tsgi.pid');
      const s = await start(['apps.echo', '--pid', pidFile]);
      const { readFileSync, existsSync } = await import('node:fs');
      assert.equal(readFileSync(pidFile, 'utf8').trim(), String(s.child.pid));
      s.child.kill('SIGINT');
      assert.equal(await s.exited, 0);
      assert.equal(existsSync(pidFile), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("tsgi serve: the workers' temporary files (environ['tsgi.tmpdir'])", () => {
  test('a worker SIGKILLed mid-upload leaves no file behind once the master has reaped it', async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'tsgi-worker-tmp-'));
    try {
      const s = await start(['apps.echo', '--workers', '1', '--worker-tmp-dir', tmp]);
      const [pid] = bootedPids(s.stderr()) as [number];
      const socket = net.connect(s.port, '127.0.0.1');
      socket.on('error', () => {});
      socket.write('POST /spool HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n');
      socket.write(Buffer.alloc(1_000_000, 97));
      const file = (await s.waitFor(/spooling to (\S+)/))[1]!;
      // A folder of this server's, per worker, under --worker-tmp-dir.
      assert.equal(path.dirname(path.dirname(file)), path.join(tmp, readdirSync(tmp)[0]!));
      await until(() => existsSync(file) && statSync(file).size > 0, 20000, 'the spool file');
      process.kill(pid, 'SIGKILL');
      await s.waitFor(new RegExp(`Worker ${pid} exited unexpectedly \\(signal SIGKILL\\)`));
      assert.equal(existsSync(file), false);
      assert.equal(existsSync(path.dirname(file)), false);
      socket.destroy();
      // The replacement has a folder of its own, and a finished upload there is answered.
      const reply = await request(`${s.url}/spool`, { method: 'POST', body: 'x'.repeat(1000) });
      assert.equal(reply.body, 'spooled 1000\n');
      await s.stop();
      // The server's folder goes when it stops.
      assert.deepEqual(readdirSync(tmp), []);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('a --worker-tmp-dir that cannot be written stops the server with a clear error', async () => {
    const s = await serve(['apps.echo', '--worker-tmp-dir', '/proc/no-such-dir'], { ready: false }).catch(
      (e: Error) => e,
    );
    if (!(s instanceof Error)) started.push(s);
    const text = s instanceof Error ? s.message : await s.exited.then(() => s.stderr());
    assert.match(
      text,
      /Cannot make the workers' temporary folder in \/proc\/no-such-dir: ENOENT\. Choose a writable --worker-tmp-dir\./,
    );
  });
});

describe('tsgi serve --reload (development)', () => {
  test('a changed source file is served without a signal', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tsgi-reload-'));
    try {
      const write = (tag: string) =>
        writeFileSync(
          path.join(dir, 'devapp.ts'),
          `export const application = (_e: unknown, startResponse: (s: string, h: [string, string][]) => void) => {\n  startResponse('200 OK', []);\n  return [new TextEncoder().encode('${tag}')];\n};\n`,
        );
      write('first');
      const s = await start(['devapp', '--reload'], { cwd: dir });
      await s.waitFor(/Watching .* for changes/);
      assert.equal((await request(`${s.url}/`)).body, 'first');
      write('second');
      await s.waitFor(/devapp\.ts changed; reloading\./);
      await until(async () => (await request(`${s.url}/`)).body === 'second', 20000, 'the new code');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('tsgi serve: a reload to code that cannot load', () => {
  test('the old workers keep serving and the server stays up', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tsgi-badhup-'));
    try {
      const file = path.join(dir, 'okapp.ts');
      writeFileSync(
        file,
        `export const application = (_e: unknown, startResponse: (s: string, h: [string, string][]) => void) => {\n  startResponse('200 OK', []);\n  return [new TextEncoder().encode('good')];\n};\n`,
      );
      const s = await start(['okapp', '--workers', '2'], { cwd: dir });
      writeFileSync(file, `throw new Error('broken deploy');\n`);
      const from = s.stderr().length;
      s.child.kill('SIGHUP');
      await s.waitFor(
        /Reload failed: the new workers could not load the application \(Error: broken deploy\); the old workers keep serving\./,
        20000,
        from,
      );
      assert.match(s.stderr().slice(from), /Error: broken deploy/);
      for (let i = 0; i < 5; i++) assert.equal((await request(`${s.url}/`)).body, 'good');
      assert.equal(s.child.exitCode, null);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
