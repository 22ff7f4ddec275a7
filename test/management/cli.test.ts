/** The command line itself: help, suggestions, argument errors, exit codes. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { admin, linkTsgi, REPO_ROOT, tempDir, tsgi } from './helpers.ts';
import { closestName, editDistance } from '../../src/utils/suggest.ts';
import {
  CommandError,
  commandUsage,
  defineCommand,
  parseCommandLine,
  type Command,
} from '../../src/core/management/base.ts';

describe('the command line', () => {
  test('help lists the commands by group', async () => {
    const result = await admin(['help']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /^Type '\S+ help <subcommand>' for help on a specific subcommand\.\n\nAvailable subcommands:\n\n/,
    );
    assert.match(result.stdout, /\[staticfiles\]\n {4}collectstatic\n {4}runserver\n/);
    for (const name of ['check', 'diffsettings', 'serve', 'shell', 'showurls', 'startapp', 'startproject'])
      assert.match(result.stdout, new RegExp(`\\n    ${name}\\n`));
  });

  test('help of a command shows its arguments and options', async () => {
    const result = await admin(['help', 'check']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /usage: \S+ check \[options\] \[app_label \.\.\.\]/);
    assert.match(result.stdout, /--deploy\s+Check deployment settings\./);
    assert.match(
      result.stdout,
      /--fail-level FAIL_LEVEL\s+Message level that will cause the command to exit with a non-zero status\. \(one of: CRITICAL, ERROR, WARNING, INFO, DEBUG\)/,
    );
  });

  test('an unknown command suggests the closest one and exits 1', async () => {
    const result = await admin(['runservr']);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /^Unknown command: 'runservr'\nDid you mean runserver\?\nType '\S+ help' for usage\.\n$/,
    );
  });

  test('an unknown command with nothing close gives no suggestion', async () => {
    const result = await admin(['zzzzzz']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^Unknown command: 'zzzzzz'\nType '\S+ help' for usage\.\n$/);
  });

  test('--version prints the package version', async () => {
    const result = await admin(['--version']);
    assert.equal(result.stdout.trim(), JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).version);
  });

  test('a command that needs settings says how to set them', async () => {
    const result = await admin(['check']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^ImproperlyConfigured: .*TSGI_SETTINGS_MODULE/);
    assert.match(result.stderr, /\(Run again with --traceback for the stack\.\)\n$/);
    const traced = await admin(['check', '--traceback']);
    assert.match(traced.stderr, /^ImproperlyConfigured: .*\n\s+at /);
  });
});

describe('tsgi manage', () => {
  test("runs the project's manage.ts with the rest of the line", async () => {
    const tmp = tempDir();
    try {
      const created = await tsgi(['startproject', 'mysite'], { cwd: tmp.dir });
      assert.equal(created.code, 0, created.stderr);
      linkTsgi(path.join(tmp.dir, 'mysite'));
      const result = await tsgi(['manage', 'help', 'check'], { cwd: path.join(tmp.dir, 'mysite') });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /^usage: manage\.ts check \[options\]/);
    } finally {
      tmp.remove();
    }
  });

  test('outside a project says where to run it and exits 2', async () => {
    const tmp = tempDir();
    try {
      const result = await tsgi(['manage', 'check'], { cwd: tmp.dir });
      assert.equal(result.code, 2);
      assert.equal(
        result.stderr,
        `There is no manage.ts in ${tmp.dir}: run tsgi manage in a project's folder (the one with manage.ts), or make a project with tsgi startproject.\n`,
      );
    } finally {
      tmp.remove();
    }
  });
});

describe('command help', () => {
  const commandsDir = path.join(REPO_ROOT, 'src/core/management/commands');
  for (const file of readdirSync(commandsDir).filter((f) => f.endsWith('.ts'))) {
    const name = file.slice(0, -3);
    test(`help ${name}: every option and argument is apart from its help, long ones on a line of their own`, async () => {
      const { default: command } = (await import(path.join(commandsDir, file))) as { default: Command };
      const lines = commandUsage('manage.ts', name, command).split('\n');
      const start = lines.findIndex((l) => l === 'options:' || l === 'positional arguments:');
      assert.ok(start > 0, `no options in help ${name}`);
      for (let i = start; i < lines.length; i++) {
        const line = lines[i]!;
        if (line === '' || line.endsWith(':')) continue;
        if (line.startsWith(' '.repeat(26))) continue; // the help of a long option, on its own line
        const match = /^ {2}((?:-\w, )?--[\w-]+(?: [A-Z_]+)?|\w+)( {2,}\S.*)?$/.exec(line);
        assert.ok(match, `help ${name}: "${line}" runs the option into its help`);
        if (match[2] === undefined) assert.match(lines[i + 1] ?? '', /^ {26}\S/, `help ${name}: "${line}" has no help`);
        else assert.equal(line.indexOf(match[2].trimStart()), 26, `help ${name}: "${line}" is out of its column`);
      }
    });
  }

  test('a long option puts its help on the next line, at the same column', () => {
    const command = defineCommand({
      help: 'A test command.',
      options: { 'test-name-pattern': { type: 'string', help: 'Only these tests.' } },
      handle() {},
    });
    assert.match(
      commandUsage('manage.ts', 'x', command),
      /\n {2}--test-name-pattern TEST_NAME_PATTERN\n {26}Only these tests\.\n/,
    );
  });
});

describe('parseCommandLine', () => {
  const command = defineCommand({
    help: 'A test command.',
    positionals: [
      { name: 'target', help: 'The target.' },
      { name: 'rest', help: 'The rest.', variadic: true },
    ],
    options: {
      count: { type: 'number', default: 1, help: 'How many.' },
      mode: { type: 'string', choices: ['a', 'b'], help: 'The mode.' },
      'dry-run': { type: 'boolean', default: false, help: 'Do nothing.' },
      tag: { type: 'strings', help: 'Tags.' },
    },
    handle() {},
  });

  test('types, camelCase names, defaults, repeats and positionals', () => {
    const parsed = parseCommandLine('t', command, [
      'x',
      'y',
      'z',
      '--count',
      '3',
      '--dry-run',
      '--tag',
      'p',
      '--tag',
      'q',
      '-v',
      '2',
    ]);
    assert.equal(parsed.options.count, 3);
    assert.equal(parsed.options.dryRun, true);
    assert.deepEqual(parsed.options.tag, ['p', 'q']);
    assert.equal(parsed.options.mode, undefined);
    assert.deepEqual(parsed.args, { target: 'x', rest: ['y', 'z'] });
    assert.equal(parsed.globals.verbosity, 2);
  });

  const cases: Array<[string[], string]> = [
    [['x', '--count', 'many'], "The option --count expects a number, not 'many'."],
    [['x', '--mode', 'c'], "The option --mode must be one of a, b; 'c' is not."],
    [[], "The command 't' needs the argument target (The target). Run 'manage.ts help t' for usage."],
    [['x', '--nope'], "Unknown option '--nope'. Run 'manage.ts help t' for the options."],
  ];
  for (const [argv, message] of cases) {
    test(`refuses ${JSON.stringify(argv)}`, () => {
      assert.throws(
        () => parseCommandLine('t', command, argv),
        (error: unknown) => error instanceof CommandError && error.message === message,
      );
    });
  }
});

describe('closestName', () => {
  test('edit distance', () => {
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('', 'abc'), 3);
  });
  test('finds typos, not strangers', () => {
    assert.equal(closestName('runservr', ['runserver', 'check']), 'runserver');
    assert.equal(closestName('chek', ['runserver', 'check']), 'check');
    assert.equal(closestName('deploy', ['runserver', 'check']), undefined);
  });
});
