/**
 * docs/deploy.md's systemd unit and Dockerfile, run as written on a new project that depends on
 * a packed tsgi (the doc's `npm pack` route): TERM to the process each one starts (systemd's
 * KillMode=mixed sends it to the main process alone; `docker stop` to PID 1) stops the master
 * and every worker, and nothing is left for the supervisor to kill. The container's command
 * runs as PID 1 of a new PID namespace (util-linux's unshare) where the kernel allows it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, REPO_ROOT, run, runCommand, tempDir } from '../management/helpers.ts';

const DEPLOY_MD = readFileSync(path.join(REPO_ROOT, 'docs/deploy.md'), 'utf8');
const DOC_ROOT = '/srv/mysite';

/** The fenced block of docs/deploy.md in `language` whose text includes `marker`. */
function docBlock(language: string, marker: string): string {
  for (const m of DEPLOY_MD.matchAll(/```(\w+)\n([\s\S]*?)```/g))
    if (m[1] === language && m[2]!.includes(marker)) return m[2]!;
  assert.fail(`docs/deploy.md has no \`\`\`${language} block with ${marker}.`);
}

/** The PIDs of a process's children (/proc/PID/task/TID/children; empty once it is gone). */
function children(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0] !== 'Z';
  } catch {
    return false;
  }
}

/** Polls until `ok` holds (a bounded guard against a hang, not a timing assertion). */
async function until(what: string, ok: () => boolean | Promise<boolean>, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await ok())) {
    if (Date.now() > deadline) assert.fail(`Gave up waiting for ${what}. Output:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function answers(port: number): Promise<number> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(10_000) });
    await response.text();
    return response.status;
  } catch {
    return 0;
  }
}

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function launch(program: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Running {
  const child = spawn(program, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d));
  child.stderr!.on('data', (d: Buffer) => (log += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => log, exited };
}

/**
 * Waits for `workers` ready workers answering on `port`, sends TERM to `master` alone, then
 * checks that the master exited and no worker is left.
 */
async function termStopsAll(running: Running, master: () => number, port: number, workers: number): Promise<void> {
  await until(
    `${workers} workers to be ready`,
    () => (running.output().match(/Worker \d+ is ready/g) ?? []).length === workers,
    running.output,
  );
  assert.equal(await answers(port), 200, running.output());
  const pid = master();
  const pids = children(pid);
  assert.equal(pids.length, workers, `the master's children: ${pids.join(', ')}\n${running.output()}`);
  process.kill(pid, 'SIGTERM');
  assert.equal(await running.exited, 0, running.output());
  await until('the master and every worker to exit', () => ![pid, ...pids].some(alive), running.output);
  assert.match(running.output(), /Shutting down gracefully \(TERM\)/);
  assert.match(running.output(), /Shutdown complete\./);
}

describe("docs/deploy.md's supervisors", { timeout: 300_000 }, () => {
  let tmp: ReturnType<typeof tempDir>;
  let project: string;
  /** The environment of a production machine: no test-suite condition, npm's cache first. */
  let env: NodeJS.ProcessEnv;

  before(async () => {
    tmp = tempDir('tsgi-supervisors-');
    env = {
      ...process.env,
      NODE_OPTIONS: '',
      NO_COLOR: '1',
      TSGI_SETTINGS_MODULE: undefined,
      PORT: undefined,
      TSGI_BIND: undefined,
      TSGI_CMD_ARGS: undefined,
      npm_config_prefer_offline: 'true',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
    };
    const created = await run([path.join(REPO_ROOT, 'bin/tsgi.ts'), 'startproject', 'mysite'], {
      cwd: tmp.dir,
      env,
    });
    assert.equal(created.code, 0, created.stderr);
    project = path.join(tmp.dir, 'mysite');
    writeFileSync(path.join(project, 'static', 'site.css'), 'body { margin: 0; }\n');
    // "Shipping a project that depends on an unpublished tsgi": pack (the build npm test made) into vendor/.
    const vendor = path.join(project, 'vendor');
    mkdirSync(vendor);
    const packed = await runCommand('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', vendor], {
      cwd: REPO_ROOT,
      env,
      timeoutMs: 120_000,
    });
    assert.equal(packed.code, 0, packed.stderr);
    const [{ filename }] = JSON.parse(packed.stdout) as Array<{ filename: string }>;
    const installed = await runCommand('npm', ['install', `./vendor/${filename}`], {
      cwd: project,
      env,
      timeoutMs: 240_000,
    });
    assert.equal(installed.code, 0, installed.stderr);
    const manifest = JSON.parse(readFileSync(path.join(project, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    assert.equal(manifest.dependencies.tsgi, `file:vendor/${filename}`);
  });

  after(() => tmp?.remove());

  test('systemd: the unit ExecStart, TERM to the main process (KillMode=mixed) stops the master and its workers', async () => {
    const unit = docBlock('ini', 'ExecStart=');
    const directive = (name: string) => [...unit.matchAll(new RegExp(`^${name}=(.*)$`, 'gm'))].map((m) => m[1]!);
    assert.deepEqual(directive('KillMode'), ['mixed']);
    assert.deepEqual(directive('WorkingDirectory'), [DOC_ROOT]);
    const [execStart] = directive('ExecStart');
    const port = await freePort();
    const [program, ...args] = execStart!.replace('127.0.0.1:8000', `127.0.0.1:${port}`).split(/\s+/).filter(Boolean);
    assert.equal(program, '/usr/bin/node', 'the unit names the node binary');
    const workers = Number(args[args.indexOf('--workers') + 1]);
    const unitEnv = Object.fromEntries(directive('Environment').map((kv) => kv.split(/=(.*)/s).slice(0, 2)));
    // The Node.js of this test run stands for the unit's /usr/bin/node (22.18 or later).
    const running = launch(process.execPath, args, project, {
      ...env,
      ...unitEnv,
      TSGI_ALLOWED_HOSTS: '127.0.0.1',
    });
    try {
      await termStopsAll(running, () => running.child.pid!, port, workers);
    } finally {
      running.child.kill('SIGKILL');
    }
  });

  test("a container: the Dockerfile's RUN steps, then its CMD as PID 1; TERM (docker stop) stops the master and its workers", async (t) => {
    const dockerfile = docBlock('dockerfile', 'CMD ');
    const lines = dockerfile.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
    const imageEnv: Record<string, string> = {};
    let cmd: string[] | undefined;
    for (const line of lines) {
      const [, instruction, rest] = /^(\w+)\s+(.*)$/.exec(line)!;
      if (instruction === 'WORKDIR') assert.equal(rest, DOC_ROOT);
      else if (instruction === 'ENV') for (const [, k, v] of rest!.matchAll(/(\w+)=(\S+)/g)) imageEnv[k!] = v!;
      else if (instruction === 'RUN') {
        const step = await runCommand('sh', ['-c', rest!], {
          cwd: project,
          env: { ...env, ...imageEnv },
          timeoutMs: 240_000,
        });
        assert.equal(step.code, 0, `RUN ${rest}\n${step.stdout}${step.stderr}`);
      } else if (instruction === 'CMD') cmd = JSON.parse(rest!) as string[];
      else if (instruction === 'COPY') {
        for (const source of rest!.split(/\s+/).slice(0, -1))
          assert.ok(source === '.' || existsSync(path.join(project, source)), `COPY ${source}: not in the project`);
      }
    }
    assert.ok(existsSync(path.join(project, 'staticfiles', 'site.css')), 'collectstatic ran');
    assert.ok(existsSync(path.join(project, 'node_modules', 'tsgi', 'dist')), 'npm ci installed the packed tsgi');
    assert.ok(!existsSync(path.join(project, 'node_modules', 'typescript')), 'npm ci --omit=dev left TypeScript out');
    assert.ok(cmd, 'the Dockerfile has an exec-form CMD');
    assert.equal(cmd![0], 'node');
    const port = await freePort();
    // node:24-slim's node is this test run's (both 24); PORT as the image sets it, on a free port.
    const containerEnv = { ...env, ...imageEnv, PORT: String(port), TSGI_ALLOWED_HOSTS: '127.0.0.1' };
    const argv = [process.execPath, ...cmd!.slice(1)];
    const probe = spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true'], { stdio: 'ignore' });
    const namespaced = probe.status === 0;
    if (!namespaced) t.diagnostic('unshare --pid is not allowed here: the CMD runs as a plain process, not as PID 1.');
    const running = namespaced
      ? launch('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', ...argv], project, containerEnv)
      : launch(argv[0]!, argv.slice(1), project, containerEnv);
    try {
      // In the namespace the master is unshare's child; the workers are its children.
      const master = () => (namespaced ? children(running.child.pid!)[0]! : running.child.pid!);
      if (namespaced) {
        await until('the master', () => children(running.child.pid!).length === 1, running.output);
        const status = readFileSync(`/proc/${master()}/status`, 'utf8');
        assert.match(status, /^NSpid:\s+\d+\s+1$/m, 'the master is PID 1 in its namespace');
      }
      await termStopsAll(running, master, port, 1);
    } finally {
      running.child.kill('SIGKILL');
    }
  });

  test('npm start, for comparison: its exec hands TERM to the master (without exec the master was left running)', async () => {
    const port = await freePort();
    const running = launch('npm', ['start'], project, { ...env, PORT: String(port), TSGI_ALLOWED_HOSTS: '127.0.0.1' });
    try {
      await until('the master', () => children(running.child.pid!).length === 1, running.output);
      const master = children(running.child.pid!)[0]!;
      await until(
        'the worker',
        () => (running.output().match(/Worker \d+ is ready/g) ?? []).length === 1,
        running.output,
      );
      const workers = children(master);
      running.child.kill('SIGTERM');
      assert.equal(await running.exited, 0, running.output());
      await until('the master and its worker to exit', () => ![master, ...workers].some(alive), running.output);
    } finally {
      running.child.kill('SIGKILL');
    }
  });
});
