// The tsgi side of schema-history.test.ts, run in the project folder (TSGI_SETTINGS_MODULE set):
// `makemigrations shelf` as a user at a terminal runs it, answering yes to every "Did you rename
// ...?" question (the command asks only on a terminal, so the answers are given to its
// questioner here: the same autodetector, questioner and writer the command uses), then the
// `migrate shelf` command itself.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { apps } from 'tsgi/apps';
import { executeFromCommandLine } from 'tsgi/core/management';
import {
  InteractiveQuestioner,
  MigrationAutodetector,
  MigrationLoader,
  ProjectState,
  writeMigration,
} from 'tsgi/db/migrations';
import { connections } from 'tsgi/db';

await apps.populate();
const loader = await MigrationLoader.load();
const questioner = new InteractiveQuestioner(
  async (question) => {
    process.stdout.write(`${question}y\n`);
    return 'y';
  },
  (text) => process.stdout.write(text),
  { specifiedApps: ['shelf'] },
);
const autodetector = new MigrationAutodetector(loader.projectState(), ProjectState.fromApps(), questioner);
const changes = await autodetector.changes({
  graph: loader.graph,
  trimToApps: new Set(['shelf']),
  convertApps: new Set(['shelf']),
});
const folder = path.join(process.cwd(), 'shelf', 'migrations');
mkdirSync(folder, { recursive: true });
for (const migration of changes.get('shelf') ?? []) {
  writeFileSync(path.join(folder, `${migration.name}.ts`), writeMigration(migration, { folder }));
  process.stdout.write(`${migration.name}\n${migration.operations.map((o) => `  - ${o.describe()}\n`).join('')}`);
}
await connections.closeAll();
process.exitCode = await executeFromCommandLine(['node', 'manage.ts', 'migrate', 'shelf']);
