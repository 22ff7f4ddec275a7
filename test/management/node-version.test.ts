/**
 * A Node.js too old for tsgi gets one sentence naming the version found and the version needed:
 * from `tsgi` itself, from a project's npm scripts (which go through `tsgi manage`), and from
 * `npm install` in a new project (engine-strict). Run for real with an old Node found on this
 * machine outside node_modules (Debian's is 20 here; CI must have one, see .ci/run).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { MINIMUM_NODE, nodeSupported, nodeVersionProblem } from '../../src/core/management/node-version.ts';
import { REPO_ROOT, runCommand, tempDir } from './helpers.ts';

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const sentence = (version: string, execPath: string) =>
  `tsgi needs Node.js 22.18 or later, but this is Node.js ${version} (${execPath}): install a current LTS from https://nodejs.org, or put a newer node first on PATH.`;

describe('the Node.js version check', () => {
  test('supported: 22.18 and later on 22, 23.6 and later on 23, every later major', () => {
    assert.equal(MINIMUM_NODE, '22.18');
    for (const version of ['22.18.0', '22.20.1', '23.6.0', '24.0.0', '24.21.0', '26.1.0']) {
      assert.equal(nodeSupported(version), true, version);
      assert.equal(nodeVersionProblem(version, '/x/node'), undefined, version);
    }
    for (const version of ['14.21.3', '18.19.0', '20.20.2', '22.0.0', '22.17.1', '23.0.0', '23.5.0'])
      assert.equal(nodeSupported(version), false, version);
  });

  test('the sentence names the version found, where it runs from, and the version needed', () => {
    assert.equal(nodeVersionProblem('20.20.2', '/usr/bin/node'), sentence('20.20.2', '/usr/bin/node'));
    assert.equal(
      nodeVersionProblem('23.3.0', '/opt/node/bin/node'),
      'tsgi needs Node.js 22.18 or later (23.6 or later on the 23 line), but this is Node.js 23.3.0 (/opt/node/bin/node): install a current LTS from https://nodejs.org, or put a newer node first on PATH.',
    );
  });

  test("package.json's engines says the same version", () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
    assert.equal(pkg.engines.node, `>=${MINIMUM_NODE}`);
  });
});

/** The first `node` outside any node_modules whose version tsgi does not support. */
function findOldNode(): { file: string; version: string } | undefined {
  const candidates = new Set<string>();
  for (const dir of (process.env.PATH ?? '').split(path.delimiter))
    if (dir && !dir.split(path.sep).includes('node_modules')) candidates.add(path.join(dir, 'node'));
  for (const file of ['/usr/bin/node', '/usr/local/bin/node']) candidates.add(file);
  for (const file of candidates) {
    if (!existsSync(file)) continue;
    try {
      const version = execFileSync(file, ['-p', 'process.versions.node'], { encoding: 'utf8', timeout: 20_000 }).trim();
      if (!nodeSupported(version)) return { file, version };
    } catch {
      // not runnable: try the next one
    }
  }
  return undefined;
}

const old = findOldNode();
const absent =
  old === undefined
    ? process.env.CI
      ? false // in CI the check must run: the test below fails and says what to install
      : 'no Node.js older than 22.18 outside node_modules on this machine (Debian: apt-get install nodejs)'
    : false;

describe('on a real old Node.js', { skip: absent, timeout: 240_000 }, () => {
  let tmp: ReturnType<typeof tempDir>;
  let project: string;
  let npmCli: string;
  /** PATH with the old node first and without this checkout's node_modules/.bin (the pinned Node 24). */
  let oldPath: string;
  const oldEnv = () => ({ PATH: oldPath, NODE_OPTIONS: '', npm_config_update_notifier: 'false' });

  before(async () => {
    assert.ok(old, 'CI needs a Node.js older than 22.18 outside node_modules for this test: .ci/run installs one.');
    oldPath = [
      path.dirname(old.file),
      ...(process.env.PATH ?? '').split(path.delimiter).filter((d) => !d.split(path.sep).includes('node_modules')),
    ].join(path.delimiter);
    npmCli = realpathSync(execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim());
    tmp = tempDir('tsgi-old-node-');
    // The project is made and installed with the supported Node, as on the developer's machine.
    const created = await runCommand(
      process.execPath,
      [path.join(REPO_ROOT, 'bin/tsgi.ts'), 'startproject', 'mysite'],
      {
        cwd: tmp.dir,
      },
    );
    assert.equal(created.code, 0, created.stderr);
    project = path.join(tmp.dir, 'mysite');
    const installed = await runCommand(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', '--omit=dev', '--ignore-scripts'],
      { cwd: project, timeoutMs: 180_000 },
    );
    assert.equal(installed.code, 0, installed.stderr);
  });

  after(() => tmp?.remove());

  test('tsgi (the compiled bin a registry install runs) says it in one sentence and exits 1', async () => {
    const result = await runCommand(old!.file, [path.join(REPO_ROOT, 'dist/bin/tsgi.js'), 'startproject', 'x'], {
      cwd: tmp.dir,
      env: oldEnv(),
    });
    assert.equal(result.stderr, sentence(old!.version, old!.file) + '\n');
    assert.equal(result.stdout, '');
    assert.equal(result.code, 1);
    assert.ok(!existsSync(path.join(tmp.dir, 'x')), 'nothing was created');
  });

  for (const script of ['test', 'dev', 'check', 'start']) {
    test(`npm run ${script} in a new project says it (the scripts go through the tsgi command)`, async () => {
      const result = await runCommand(old!.file, [npmCli, 'run', script, '--silent'], { cwd: project, env: oldEnv() });
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.match(result.stderr, new RegExp(`^${escape(sentence(old!.version, old!.file))}$`, 'm'));
      assert.doesNotMatch(result.stderr, /ERR_UNKNOWN_FILE_EXTENSION|enableCompileCache/);
    });
  }

  test('npm install in a new project refuses, naming the Node.js required and the one found', async () => {
    const result = await runCommand(old!.file, [npmCli, 'install', '--no-audit', '--no-fund', '--prefer-offline'], {
      cwd: project,
      env: oldEnv(),
      timeoutMs: 120_000,
    });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /EBADENGINE/);
    assert.match(result.stderr, /Required: \{"node":">=22\.18"\}/);
    assert.match(result.stderr, new RegExp(`Actual: +\\{"node":"v${escape(old!.version)}"`));
  });

  test('node manage.ts itself is refused by the old Node before any of it runs (what the README warns of)', async () => {
    const result = await runCommand(old!.file, ['manage.ts', 'check'], { cwd: project, env: oldEnv() });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Unknown file extension "\.ts"/);
  });
});
