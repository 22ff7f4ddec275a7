/** Helpers for the management tests: real processes in temporary projects. */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(REPO_ROOT, 'bin', 'tsgi.ts');
const MANAGEMENT = path.join(REPO_ROOT, 'src', 'core', 'management', 'index.ts');

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs node with `args` to completion (killed after `timeoutMs`, as a guard only). */
export function run(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunResult> {
  return runCommand(process.execPath, args, options);
}

/** Runs any program to completion (killed after `timeoutMs`, as a guard only). */
export function runCommand(
  program: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: '1', TSGI_SETTINGS_MODULE: undefined, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `tsgi ARGS` as a user runs it (the package's bin). */
export function tsgi(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return run([BIN, ...args], options);
}

/** The management command line outside a project (no settings), as `django-admin` is. */
export function admin(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  const launcher = `import { executeFromCommandLine } from ${JSON.stringify(MANAGEMENT)}; process.exitCode = await executeFromCommandLine(['node', 'tsgi-admin', ...process.argv.slice(1)]);`;
  return run(['--input-type=module', '-e', launcher, '--', ...args], options);
}

/** `node manage.ts ARGS` in a project folder. */
export function manage(project: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return run(['manage.ts', ...args], { cwd: project, env });
}

/** A temporary folder, removed by the returned function. */
export function tempDir(prefix = 'tsgi-test-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Installs this checkout into a project as npm does for a `file:` dependency: a symlink. */
export function linkTsgi(project: string): void {
  mkdirSync(path.join(project, 'node_modules'), { recursive: true });
  symlinkSync(REPO_ROOT, path.join(project, 'node_modules', 'tsgi'), 'dir');
}

/** A TCP port free on the loopback right now (the server under test binds it next). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
