/**
 * SQLite's test databases. Django tests on an in-memory database; node:test runs each test file
 * in its own process, and an in-memory database cannot be shared between processes, so the
 * test database is a file: TEST.NAME, or one in the system's temporary folder named after the
 * database (the same path on each run, so `--keepdb` finds it). Each test process works on a
 * copy of it.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DatabaseCreation } from '../base/creation.ts';
import type { DatabaseSettings } from '../base/wrapper.ts';

/** The files of a database: itself, its write-ahead log and its shared memory index. */
function files(name: string): string[] {
  return [name, `${name}-wal`, `${name}-shm`, `${name}-journal`];
}

export class SqliteCreation implements DatabaseCreation {
  readonly #settings: DatabaseSettings;
  readonly testName: string;
  readonly #cloneDir: string;

  /** `cloneDir`: the run's temporary folder, where the copies go. */
  constructor(settingsDict: DatabaseSettings, cloneDir: string) {
    this.#settings = settingsDict;
    const testName = settingsDict.TEST['NAME'];
    if (typeof testName === 'string' && testName !== '') {
      this.testName = path.resolve(testName);
    } else {
      const name = settingsDict.NAME;
      const key = createHash('sha256').update(path.resolve(name)).digest('hex').slice(0, 10);
      this.testName = path.join(os.tmpdir(), `tsgi-test-${key}-${path.basename(name) || 'db'}`);
    }
    this.#cloneDir = cloneDir;
  }

  settingsFor(name: string): DatabaseSettings {
    return { ...this.#settings, NAME: name };
  }

  cloneName(suffix: string): string {
    const ext = path.extname(this.testName);
    return path.join(this.#cloneDir, `${path.basename(this.testName, ext)}_${suffix}${ext}`);
  }

  async exists(name: string): Promise<boolean> {
    return existsSync(name);
  }

  async create(name: string): Promise<void> {
    for (const file of files(name)) rmSync(file, { force: true });
  }

  async clone(source: string, target: string): Promise<void> {
    // The test database was closed after migrate (its log checkpointed); a log left behind is copied with it.
    copyFileSync(source, target);
    if (existsSync(`${source}-wal`)) copyFileSync(`${source}-wal`, `${target}-wal`);
  }

  async destroy(name: string): Promise<void> {
    for (const file of files(name)) rmSync(file, { force: true });
  }
}
