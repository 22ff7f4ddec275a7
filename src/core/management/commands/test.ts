/**
 * `manage.ts test`: runs the project's tests (Django's `test`) with node:test, in a child process
 * that inherits TSGI_SETTINGS_MODULE, so test files need no set-up of their own.
 */
import { spawn } from 'node:child_process';
import { CommandError, defineCommand } from '../base.ts';

const command = defineCommand({
  help: "Runs the project's tests (files named *.test.ts, or the given files and globs) with node:test.",
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
  },
  async handle({ args, testNamePattern, concurrency }, io) {
    const labels = (args['test_label'] as string[] | undefined) ?? [];
    const argv = ['--test'];
    if (testNamePattern) argv.push(`--test-name-pattern=${testNamePattern}`);
    if (concurrency !== undefined) argv.push(`--test-concurrency=${concurrency}`);
    argv.push(...labels);
    // A run started from inside another node:test run (an editor, CI wrapper) still reports to
    // this terminal: NODE_TEST_CONTEXT would make node:test talk to the outer runner instead.
    const env = { ...process.env };
    delete env['NODE_TEST_CONTEXT'];
    const child = spawn(process.execPath, argv, { stdio: ['inherit', 'pipe', 'pipe'], env });
    child.stdout.on('data', (chunk: Buffer) => io.stdout.write(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => io.stderr.write(chunk.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    if (code === null) throw new CommandError('The test run was killed by a signal before it finished.');
    return code;
  },
});

export default command; // not `export default defineCommand(...)`: see defineCommand()
