/**
 * Starting a server under benchmark: pinned to one CPU with taskset, waited for until its port
 * answers, measured (RSS from /proc) and stopped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import net from 'node:net';

/** How to start a server under benchmark. */
export interface ServerSpec {
  /**
   * The command and its arguments, e.g. `['node', 'bench/gateway.app.ts']`. It is run without a
   * shell; `{port}` and `{host}` in an argument are replaced by the port and host.
   */
  command: string[];
  /** The port the server listens on (passed to it as the PORT environment variable too). */
  port: number;
  /** Default `'127.0.0.1'`. */
  host?: string;
  /** The CPU the server is pinned to with taskset; default 0. */
  cpu?: number;
  /** Extra environment variables. */
  env?: Record<string, string>;
  cwd?: string;
  /** How long to wait for the port to answer; default 20 000 ms. */
  startTimeoutMs?: number;
}

/** A running server. */
export interface RunningServer {
  readonly pid: number;
  readonly port: number;
  readonly host: string;
  /** `http://host:port` + path. */
  url(path?: string): string;
  /** Resident memory in KiB of the process and all its descendants (workers), from /proc. */
  rssKiB(): number;
  /** CPU time used so far in ms by the process and its descendants, from /proc. */
  cpuMs(): number;
  /** SIGTERM, then SIGKILL after `graceMs` (default 5000); resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
  /** What the server printed (stdout and stderr), for error messages. */
  output(): string;
}

/** True when something accepts TCP connections on host:port. */
export function portAnswers(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Resolves once host:port accepts connections; rejects after `timeoutMs`. */
export async function waitForPort(
  port: number,
  host = '127.0.0.1',
  timeoutMs = 20_000,
  child?: ChildProcess,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null)
      throw new Error(`The server exited with status ${child.exitCode} before its port ${port} answered.`);
    if (await portAnswers(port, host)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`Nothing answered on ${host}:${port} within ${timeoutMs} ms: check the server's command and port.`);
}

/** A free TCP port on 127.0.0.1 (asks the kernel for one, then releases it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** VmRSS of one process in KiB, from /proc/<pid>/status; 0 when it has gone. */
export function readRssKiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+) kB/m.exec(status);
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** The pids of a process's children, from /proc/<pid>/task/<tid>/children. */
export function childPids(pid: number): number[] {
  const pids: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (text) for (const child of text.split(/\s+/)) pids.push(Number(child));
    }
  } catch {
    // The process has exited: no children to count.
  }
  return pids;
}

/**
 * CPU time (user + system) a process has used, in ms, from /proc/<pid>/stat; 0 when it has gone.
 * Unlike req/s, CPU per request barely moves when other work shares the machine.
 */
export function readCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** CPU time in ms of a process and all its descendants. */
export function readTreeCpuMs(pid: number): number {
  let total = readCpuMs(pid);
  for (const child of childPids(pid)) total += readTreeCpuMs(child);
  return total;
}

// USER_HZ: 100 on every Linux architecture node runs on.
const CLOCK_TICKS = 100;

/** RSS in KiB of a process and all its descendants (a master and its workers). */
export function readTreeRssKiB(pid: number): number {
  let total = readRssKiB(pid);
  for (const child of childPids(pid)) total += readTreeRssKiB(child);
  return total;
}

/**
 * Starts `taskset -c CPU command...` and resolves once its port answers.
 *
 * @example
 * const server = await startServer({ command: ['node', 'bench/lib/node-http-hello.ts'], port: 18080 });
 * try { ... runWrk(server.url('/')) ... } finally { await server.stop(); }
 */
export async function startServer(spec: ServerSpec): Promise<RunningServer> {
  const { command, port, host = '127.0.0.1', cpu = 0, env = {}, cwd, startTimeoutMs = 20_000 } = spec;
  if (await portAnswers(port, host))
    throw new Error(
      `Port ${port} on ${host} is already in use before starting ${command.join(' ')}: pick another port.`,
    );
  const args = command.map((a) => a.replaceAll('{port}', String(port)).replaceAll('{host}', host));
  const child = spawn('taskset', ['-c', String(cpu), ...args], {
    cwd,
    env: { ...process.env, PORT: String(port), HOST: host, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (d: string) => {
    output = (output + d).slice(-20_000);
  };
  child.stdout!.setEncoding('utf8').on('data', keep);
  child.stderr!.setEncoding('utf8').on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  // taskset execs the command, so child.pid is the server's own pid.
  const pid = child.pid!;
  const stop = async (graceMs = 5000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  try {
    await Promise.race([waitForPort(port, host, startTimeoutMs, child), spawnError]);
  } catch (error) {
    await stop(1000);
    throw new Error(
      `${(error as Error).message}\nCommand: taskset -c ${cpu} ${args.join(' ')}\nIts output:\n${output}`,
    );
  }
  return {
    pid,
    port,
    host,
    url: (path = '/') => `http://${host}:${port}${path}`,
    rssKiB: () => readTreeRssKiB(pid),
    cpuMs: () => readTreeCpuMs(pid),
    stop,
    output: () => output,
  };
}
