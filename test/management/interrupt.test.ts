/**
 * Ctrl+C in a terminal: SIGINT to the whole foreground process group (the master and its
 * workers, or runserver's reloader and its child). Everything stops, exit code 0, and no process
 * prints Node's "Waiting for the debugger to disconnect..." (the workers' watchdog thread holds an
 * inspector session on them, which node:inspector waits for at exit unless it is ended first).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { freePort, linkTsgi, REPO_ROOT, run, tempDir } from './helpers.ts';

/**
 * Runs `args` in a process group of its own; once `ready` is printed and a page answered on
 * `port`, `signal` goes to the group (as a terminal's Ctrl+C) or to its leader alone.
 */
async function interrupt(
  cwd: string,
  args: readonly string[],
  ready: RegExp,
  signal: NodeJS.Signals,
  target: 'group' | 'leader',
  port: number,
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, args, {
    cwd,
    detached: true,
    env: { ...process.env, NO_COLOR: '1', TSGI_SETTINGS_MODULE: undefined },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d));
  child.stderr!.on('data', (d: Buffer) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const guard = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 60_000);
  try {
    const deadline = Date.now() + 60_000;
    while (!ready.test(output)) {
      if (child.exitCode !== null || Date.now() > deadline) assert.fail(`It never got ready:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // A page first: the workers have served, and their watchdog threads have long been attached.
    const page = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(20_000) });
    assert.equal(page.status, 200, await page.text());
    process.kill(target === 'group' ? -child.pid! : child.pid!, signal);
    const code = await exited;
    // The group's other processes (workers, the reloader's child) print until they are gone too.
    await new Promise((resolve) => setTimeout(resolve, 500));
    return { code, output };
  } finally {
    clearTimeout(guard);
  }
}

describe('Ctrl+C', { timeout: 180_000 }, () => {
  let tmp: ReturnType<typeof tempDir>;
  let project: string;

  before(async () => {
    tmp = tempDir('tsgi-interrupt-');
    const created = await run([path.join(REPO_ROOT, 'bin/tsgi.ts'), 'startproject', 'mysite'], { cwd: tmp.dir });
    assert.equal(created.code, 0, created.stderr);
    project = path.join(tmp.dir, 'mysite');
    linkTsgi(project);
  });

  after(() => tmp?.remove());

  test('stops tsgi serve, its master and workers, without "Waiting for the debugger to disconnect"', async () => {
    const port = await freePort();
    const { code, output } = await interrupt(
      project,
      [
        path.join(REPO_ROOT, 'bin/tsgi.ts'),
        'serve',
        'mysite.wsgi:application',
        '--bind',
        `127.0.0.1:${port}`,
        '-w',
        '2',
      ],
      /(Worker \d+ is ready\.[\s\S]*){2}/,
      'SIGINT',
      'group',
      port,
    );
    assert.equal(code, 0, output);
    assert.match(output, /Shutting down now\./);
    assert.equal(output.match(/Worker exiting \(pid: \d+\)/g)?.length, 2, output);
    assert.match(output, /Shutdown complete\./);
    assert.doesNotMatch(output, /debugger/i);
  });

  test('QUIT to the master alone (the same fast stop) prints no debugger line either', async () => {
    const port = await freePort();
    const { code, output } = await interrupt(
      project,
      [path.join(REPO_ROOT, 'bin/tsgi.ts'), 'serve', 'mysite.wsgi:application', '--bind', `127.0.0.1:${port}`],
      /Worker \d+ is ready\./,
      'SIGQUIT',
      'leader',
      port,
    );
    assert.equal(code, 0, output);
    assert.match(output, /Shutdown complete\./);
    assert.doesNotMatch(output, /debugger/i);
  });

  test('stops runserver and its reloader, without "Waiting for the debugger to disconnect"', async () => {
    const port = await freePort();
    const { code, output } = await interrupt(
      project,
      ['manage.ts', 'runserver', `127.0.0.1:${port}`],
      /Quit the server with CONTROL-C\./,
      'SIGINT',
      'group',
      port,
    );
    assert.equal(code, 0, output);
    assert.doesNotMatch(output, /debugger/i);
    assert.doesNotMatch(output, /Error/);
  });
});
