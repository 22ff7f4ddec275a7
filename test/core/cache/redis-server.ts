/**
 * A real redis-server (Debian's package, installed by .ci/run) for the tests: started in a
 * temporary folder, listening on a unix socket only (`--port 0`), no persistence, stopped after.
 * Where redis-server is not installed the Redis suites skip, except in CI (CI=true), where they
 * fail: a suite that passes without running proves nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const CANDIDATES = ['/usr/bin/redis-server', '/usr/local/bin/redis-server', '/usr/sbin/redis-server'];

/** The redis-server binary, or undefined when it is not installed. */
export function redisServerBinary(): string | undefined {
  return CANDIDATES.find((file) => existsSync(file));
}

/** Why the Redis suites cannot run here, or undefined when they can; throws in CI. */
export function redisSkipReason(): string | undefined {
  if (redisServerBinary() !== undefined) return undefined;
  const reason = 'redis-server is not installed (apt-get install redis-server; .ci/run installs it)';
  if (process.env.CI === 'true') throw new Error(`The Redis tests cannot run in CI: ${reason}.`);
  return reason;
}

/** A running redis-server. */
export interface RedisServer {
  /** `unix:///tmp/.../redis.sock`: a LOCATION for RedisCache. */
  url: string;
  socket: string;
  /** The server's process id (the benchmark pins it to a CPU). */
  readonly pid: number;
  /** Kills it (SIGKILL: a crash, not a shutdown) and waits until it is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same socket (empty, unless started persistent). */
  restart(): Promise<void>;
  /** Stops it and removes its folder. */
  stop(): Promise<void>;
}

function canConnect(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const connection = net.connect(socket);
    connection.once('connect', () => {
      connection.end();
      resolve(true);
    });
    connection.once('error', () => resolve(false));
  });
}

async function launch(binary: string, dir: string, socket: string, persistent: boolean): Promise<ChildProcess> {
  const child = spawn(
    binary,
    [
      '--port',
      '0',
      '--unixsocket',
      socket,
      '--unixsocketperm',
      '700',
      '--dir',
      dir,
      '--save',
      '',
      // Persistent: every write on disk before Redis answers, so a killed server keeps it all.
      '--appendonly',
      persistent ? 'yes' : 'no',
      '--appendfsync',
      'always',
      '--loglevel',
      'warning',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}: ${stderr}`);
    if (existsSync(socket) && (await canConnect(socket))) return child;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not listen on ${socket} within 20 s: ${stderr}`);
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * Starts a redis-server for a test file. `persistent` keeps the data across kill() and
 * restart() (an append-only file synced on every write); otherwise a restart starts empty.
 */
export async function startRedis(options: { persistent?: boolean } = {}): Promise<RedisServer> {
  const persistent = options.persistent ?? false;
  const binary = redisServerBinary();
  if (binary === undefined) throw new Error('redis-server is not installed.');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tsgi-redis-'));
  const socket = path.join(dir, 'redis.sock');
  let child = await launch(binary, dir, socket, persistent);
  running.add(child);
  return {
    url: `unix://${socket}`,
    socket,
    get pid() {
      return child.pid!;
    },
    async kill() {
      child.kill('SIGKILL');
      await exited(child);
      running.delete(child);
    },
    async restart() {
      child = await launch(binary, dir, socket, persistent);
      running.add(child);
    },
    async stop() {
      child.kill('SIGTERM');
      await exited(child);
      running.delete(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
