/**
 * `manage.ts test`: runs the project's tests (Django's `test`) with node:test, on test
 * databases: each database of DATABASES gets its test database (src/test/databases.ts), created
 * and migrated before the run and destroyed after it (`--keepdb` keeps it for the next run), and
 * each test process a copy of it (src/test/preload.ts). The test processes inherit
 * TSGI_SETTINGS_MODULE, so test files need no set-up of their own. Ctrl+C or a TERM stops the
 * tests and still destroys what the run made.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestRun } from '../../../test/databases.ts';
import { CommandError, defineCommand } from '../base.ts';

/** The module each test process loads first, next to this one (.ts in the sources, .js built). */
const PRELOAD = new URL(`../../../test/preload${path.extname(new URL(import.meta.url).pathname)}`, import.meta.url)
  .href;

const command = defineCommand({
  help: "Runs the project's tests (files named *.test.ts, or the given files and globs) with node:test, on test databases.",
  requiresSystemChecks: false,
  positionals: [
    {
      name: 'test_label',
      help: 'Test files or globs (default: node:test finds **/*.test.ts outside node_modules).',
      variadic: true,
    },
  ],
  options: {
    'test-name-pattern': { type: 'string', help: 'Run only the tests whose name matches this regular expression.' },
    concurrency: { type: 'number', help: 'How many test files run at once (default: CPUs - 1).' },
    keepdb: { type: 'boolean', default: false, help: 'Preserves the test DB between runs.' },
    noinput: { type: 'boolean', default: false, help: 'Tells tsgi to NOT prompt the user for input of any kind.' },
    'no-input': { type: 'boolean', default: false, help: 'Same as --noinput.' },
  },
  async handle({ args, testNamePattern, concurrency, keepdb, noinput, noInput, verbosity }, io) {
    const { setupTestDatabases, teardownTestDatabases, runEnvironment, TestsCancelled } =
      await import('../../../test/databases.ts');
    const { TEST_DATABASES_ENV } = await import('../../../db/connections.ts');
    // A run started from a test process (its copies in TSGI_TEST_DATABASES) makes its own.
    delete process.env[TEST_DATABASES_ENV];
    const log = (message: string) => io.stderr.write(`${message}\n`);
    const run: TestRun = { dir: mkdtempSync(path.join(os.tmpdir(), 'tsgi-test-run-')), databases: [] };
    const setupIO = { log, prompt: io.prompt };

    // Ctrl+C reaches the whole process group, a TERM only this process: either way the tests
    // are stopped and what the run made is destroyed before exiting.
    let child: ReturnType<typeof spawn> | undefined;
    let interrupted: NodeJS.Signals | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      interrupted ??= signal;
      if (child !== undefined && child.exitCode === null) child.kill(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      try {
        await setupTestDatabases(run, { keepdb, interactive: !(noinput || noInput), verbosity, io: setupIO });
      } catch (error) {
        if (error instanceof TestsCancelled) {
          log('Tests cancelled.');
          return 1;
        }
        throw error;
      }
      if (interrupted !== undefined) throw new CommandError('The test run was interrupted before the tests started.');
      const labels = (args['test_label'] as string[] | undefined) ?? [];
      const argv = [`--import=${PRELOAD}`, '--test'];
      if (testNamePattern) argv.push(`--test-name-pattern=${testNamePattern}`);
      if (concurrency !== undefined) argv.push(`--test-concurrency=${concurrency}`);
      argv.push(...labels);
      // A run started from inside another node:test run (an editor, CI wrapper) still reports to
      // this terminal: NODE_TEST_CONTEXT would make node:test talk to the outer runner instead.
      const env: NodeJS.ProcessEnv = { ...process.env, ...runEnvironment(run) };
      delete env['NODE_TEST_CONTEXT'];
      child = spawn(process.execPath, argv, { stdio: ['inherit', 'pipe', 'pipe'], env });
      child.stdout!.on('data', (chunk: Buffer) => io.stdout.write(chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => io.stderr.write(chunk.toString()));
      const spawned = child;
      const code = await new Promise<number | null>((resolve, reject) => {
        spawned.once('error', reject);
        spawned.once('close', resolve);
      });
      if (interrupted !== undefined) throw new CommandError(`The test run was interrupted (${interrupted}).`);
      if (code === null) throw new CommandError('The test run was killed by a signal before it finished.');
      return code;
    } finally {
      await teardownTestDatabases(run, { keepdb, verbosity, io: setupIO });
      rmSync(run.dir, { recursive: true, force: true });
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
});

export default command; // not `export default defineCommand(...)`: see defineCommand()
