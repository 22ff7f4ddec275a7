/**
 * Finding and reading fixtures, for `loaddata` and TestCase's `fixtures`: a label is a path, or a
 * name looked up in the installed apps' `fixtures/` folders and FIXTURE_DIRS (`.json` may be left
 * out), as Django's loaddata finds them.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { apps } from '../../apps/index.ts';
import { settings } from '../../conf/index.ts';
import { DeserializationError } from './index.ts';

/** No fixture has that label. */
export class FixtureNotFound extends Error {
  constructor(label: string) {
    super(`No fixture named '${path.basename(label, '.json')}' found.`);
  }
}

/** The files of the labels, in order (FixtureNotFound for a label that matches none). */
export function findFixtures(labels: readonly string[], options: { app?: string } = {}): string[] {
  const configs = apps.getAppConfigs().filter((c) => options.app === undefined || c.label === options.app);
  const dirs = [
    ...configs.map((c) => path.join(c.path, 'fixtures')),
    ...(((settings as unknown as { FIXTURE_DIRS?: string[] }).FIXTURE_DIRS ?? []) as string[]),
  ];
  const files: string[] = [];
  for (const label of labels) {
    const names = label.endsWith('.json') ? [label] : [label, `${label}.json`];
    const found =
      path.isAbsolute(label) || label.includes(path.sep)
        ? names
            .map((n) => path.resolve(n))
            .filter((f) => existsSync(f))
            .slice(0, 1)
        : dirs.flatMap((d) => names.map((n) => path.join(d, n))).filter((f) => existsSync(f));
    if (found.length === 0) throw new FixtureNotFound(label);
    files.push(...found);
  }
  return files;
}

/** The objects of fixture files, and how messages name them. */
export function readFixtures(files: readonly string[]): { objects: unknown[]; source: string } {
  const objects: unknown[] = [];
  for (const file of files) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    } catch (error) {
      throw new DeserializationError(`Problem installing fixture '${file}': ${(error as Error).message}`);
    }
    if (!Array.isArray(parsed)) {
      throw new DeserializationError(
        `Problem installing fixture '${file}': it is not a JSON list of objects ([{ "model": "app.model", "pk": 1, "fields": { ... } }, ...]).`,
      );
    }
    objects.push(...(parsed as unknown[]));
  }
  const source = files.length === 1 ? `fixture '${files[0]}'` : `the fixtures ${files.map((f) => `'${f}'`).join(', ')}`;
  return { objects, source };
}
