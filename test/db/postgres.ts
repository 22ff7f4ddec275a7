// A real PostgreSQL for the tests, from the machine's own binaries (Debian's postgresql package:
// /usr/lib/postgresql/<version>/bin), started by the suite itself: initdb once into a template
// folder shared by the test processes (under a lock), then per test file a copy of it in a
// temporary folder, served on a unix socket in that folder only (no TCP port), fsync off.
// kill() and restart() stop and start it again on the same data (outage tests).
// initdb and postgres refuse to run as root: as root they run as the `postgres` user (setpriv),
// the folders chowned to it. stop() shuts the server down and removes the folder.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The folder of PostgreSQL's server binaries, or undefined when none is installed. */
export function postgresBinDir(): string | undefined {
  const fromEnv = process.env.TSGI_PG_BIN;
  if (fromEnv && existsSync(path.join(fromEnv, 'initdb'))) return fromEnv;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(path.join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length > 0) return path.join(root, versions[0]!, 'bin');
  }
  const found = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (found.status === 0 && existsSync(path.join(found.stdout.trim(), 'initdb'))) return found.stdout.trim();
  return undefined;
}

const isRoot = process.getuid?.() === 0;

function postgresIds(): { uid: number; gid: number } | undefined {
  if (!isRoot) return undefined;
  const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (id.status !== 0) {
    throw new Error(
      'The tests run as root and there is no `postgres` user to run PostgreSQL as: install the postgresql package (it creates one).',
    );
  }
  return { uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** The command running `bin` as the postgres user when we are root (setpriv execs: no extra process). */
function asPostgres(bin: string, args: string[]): [string, string[]] {
  if (!isRoot) return [bin, args];
  return ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', bin, ...args]];
}

function chownTree(dir: string, ids: { uid: number; gid: number } | undefined): void {
  if (ids === undefined) return;
  spawnSync('chown', ['-R', `${ids.uid}:${ids.gid}`, dir]);
}

async function template(bin: string, ids: { uid: number; gid: number } | undefined): Promise<string> {
  const version = path.basename(path.dirname(bin));
  const dir = path.join(os.tmpdir(), `tsgi-pg-template-${version}-${process.getuid?.() ?? 'u'}`);
  const ready = path.join(dir, 'READY');
  const lock = `${dir}.lock`;
  for (let waited = 0; !existsSync(ready); waited++) {
    try {
      mkdirSync(lock);
    } catch {
      // Another test process is making it (or died doing so: a lock older than 2 minutes is stale).
      try {
        if (Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        // Gone meanwhile.
      }
      await sleep(200);
      continue;
    }
    try {
      if (existsSync(ready)) break;
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      chownTree(dir, ids);
      const [cmd, args] = asPostgres(path.join(bin, 'initdb'), [
        '-D',
        path.join(dir, 'data'),
        '-U',
        'postgres',
        '--auth=trust',
        '--encoding=UTF8',
        '--no-locale',
        '--no-sync',
      ]);
      const result = spawnSync(cmd, args, { encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`initdb failed (${result.status}): ${result.stderr || result.stdout}`);
      writeFileSync(ready, 'ok\n');
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  return path.join(dir, 'data');
}

/** A running PostgreSQL server. */
export interface PostgresServer {
  /** The unix socket folder (HOST of DATABASES). */
  host: string;
  port: number;
  user: string;
  /** The database made for the tests. */
  name: string;
  /** Stops the server mid-run (its connections are cut), keeping its data for restart(). */
  kill(): Promise<void>;
  /** Starts it again on the same data and socket. */
  restart(): Promise<void>;
  /** Stops it and removes its folder. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGQUIT');
});

/** Starts a server of its own for the calling test file. */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (bin === undefined)
    throw new Error('PostgreSQL is not installed (no initdb found): apt-get install -y postgresql.');
  const ids = postgresIds();
  const source = await template(bin, ids);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tsgi-pg-'));
  const data = path.join(dir, 'data');
  cpSync(source, data, { recursive: true });
  chmodSync(data, 0o700);
  chownTree(dir, ids);
  const port = 5432;
  const [cmd, args] = asPostgres(path.join(bin, 'postgres'), [
    '-D',
    data,
    '-k',
    dir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=',
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
    '-c',
    'max_connections=60',
    '-c',
    'shared_buffers=16MB',
  ]);
  let child: ChildProcess | undefined;
  let exited: Promise<number | null> = Promise.resolve(null);
  /** Starts the server on the data folder (unless it runs) and waits until it answers. */
  const launch = async (): Promise<void> => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) return;
    const started = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    child = started;
    live.add(started);
    let log = '';
    started.stderr!.on('data', (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-4000);
    });
    exited = new Promise<number | null>((resolve) => started.on('exit', (code) => resolve(code)));
    const isready = path.join(bin, 'pg_isready');
    const deadline = Date.now() + 60_000;
    while (true) {
      const probe = spawnSync(isready, ['-h', dir, '-p', String(port), '-U', 'postgres', '-q'], { encoding: 'utf8' });
      if (probe.status === 0) break;
      if (started.exitCode !== null || Date.now() > deadline) {
        started.kill('SIGQUIT');
        live.delete(started);
        throw new Error(`PostgreSQL did not start (${started.exitCode ?? 'timeout'}): ${log}`);
      }
      await sleep(100);
    }
  };
  /** Stops the server (a fast shutdown: sessions are cut), keeping its data. */
  const halt = async (): Promise<void> => {
    if (child === undefined) return;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      await Promise.race([exited, sleep(30_000, undefined, { ref: false })]);
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    }
    live.delete(child);
  };
  try {
    await launch();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const createdb = spawnSync(
    path.join(bin, 'createdb'),
    ['-h', dir, '-p', String(port), '-U', 'postgres', 'tsgi_test'],
    {
      encoding: 'utf8',
    },
  );
  if (createdb.status !== 0) throw new Error(`createdb failed: ${createdb.stderr}`);
  return {
    host: dir,
    port,
    user: 'postgres',
    name: 'tsgi_test',
    kill: halt,
    restart: launch,
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
