/** Starting the markup example for its tests: real processes on free loopback ports. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import assert from 'node:assert/strict';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
export const MARKUP = path.join(REPO_ROOT, 'examples', 'markup');

export { freePort } from '../management/helpers.ts';

export interface Running {
  base: string;
  output(): string;
  /** Signals the process group and resolves, with all the output, once the whole group is gone. */
  stop(signal?: NodeJS.Signals): Promise<string>;
}

/** Spawns a server and waits until `base` answers (bounded: a guard against a hang, not a timing test). */
export async function start(
  program: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; port: number },
): Promise<Running> {
  let output = '';
  const child: ChildProcess = spawn(program, args, {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout!.on('data', (d: Buffer) => (output += d));
  child.stderr!.on('data', (d: Buffer) => (output += d));
  const base = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) assert.fail(`The server exited with ${child.exitCode} before answering:\n${output}`);
    try {
      await fetch(`${base}/hello/`, { signal: AbortSignal.timeout(2000) });
      break;
    } catch {
      if (Date.now() > deadline) {
        process.kill(-child.pid!, 'SIGKILL');
        assert.fail(`The server did not answer on ${base}:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    base,
    output: () => output,
    stop: async (signal = 'SIGTERM') => {
      // npm start runs the server under a shell: signal the whole group, as a terminal's Ctrl-C
      // does, then wait until every process of the group is gone (npm itself may die of the
      // signal at once while the server still drains).
      const group = -child.pid!;
      const exited =
        child.exitCode !== null || child.signalCode !== null
          ? Promise.resolve()
          : new Promise((r) => child.once('exit', r));
      if (!signalGroup(group, signal)) return output;
      const deadline = Date.now() + 30_000;
      while (signalGroup(group, 0)) {
        if (Date.now() > deadline) {
          signalGroup(group, 'SIGKILL');
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      await exited;
      return output;
    },
  };
}

/** Sends `signal` to a process group; false when the group no longer exists. */
function signalGroup(group: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(group, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}
