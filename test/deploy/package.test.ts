/**
 * The package as the registry ships it: built from the current sources into a scratch copy,
 * packed with `npm pack`, installed from the tarball into a fresh project (a real copy under
 * node_modules, where Node refuses to strip types: a single .ts module of tsgi loaded there is a
 * crash), then a project from the installed `tsgi startproject` is type-checked against the
 * shipped declarations, checked, and served by the installed `tsgi serve` over a real socket.
 *
 * Needs npm and the registry (or npm's cache) for tsgi's own dependencies, as `npm ci` does.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { freePort, REPO_ROOT, run, runCommand, tempDir } from '../management/helpers.ts';

const TSC = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
// Users run without the development condition; the test suite sets it in NODE_OPTIONS.
const userEnv = { NODE_OPTIONS: '' };

describe('the package installed from its tarball', () => {
  let tmp: ReturnType<typeof tempDir>;
  let tarball: string;
  let packed: string[];
  let project: string;
  let dist: string;

  before(async () => {
    tmp = tempDir('tsgi-package-');
    const pkg = path.join(tmp.dir, 'pkg');
    mkdirSync(pkg);
    for (const entry of ['package.json', 'README.md', 'src', 'bin', 'docs']) {
      if (existsSync(path.join(REPO_ROOT, entry)))
        cpSync(path.join(REPO_ROOT, entry), path.join(pkg, entry), { recursive: true });
    }
    // What `npm run build` (npm's prepare) writes into dist/, from the current sources.
    dist = path.join(pkg, 'dist');
    const built = await run(
      [
        TSC,
        '-p',
        path.join(REPO_ROOT, 'tsconfig.build.json'),
        '--outDir',
        dist,
        '--tsBuildInfoFile',
        path.join(tmp.dir, 'tsbuildinfo'),
      ],
      { timeoutMs: 180_000 },
    );
    assert.equal(built.code, 0, built.stdout + built.stderr);
    const pack = await runCommand('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp.dir], {
      cwd: pkg,
      timeoutMs: 120_000,
    });
    assert.equal(pack.code, 0, pack.stderr);
    const [info] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    tarball = path.join(tmp.dir, info!.filename);
    packed = info!.files.map((f) => f.path);

    // A first install gives the `tsgi` command; its startproject writes the new project.
    const base = path.join(tmp.dir, 'base');
    mkdirSync(base);
    writeFileSync(
      path.join(base, 'package.json'),
      JSON.stringify({ private: true, type: 'module', dependencies: { tsgi: `file:${tarball}` } }),
    );
    const installed = await runCommand('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], {
      cwd: base,
      timeoutMs: 240_000,
    });
    assert.equal(installed.code, 0, installed.stderr);
    const created = await run([path.join(base, 'node_modules', '.bin', 'tsgi'), 'startproject', 'mysite'], {
      cwd: base,
      env: userEnv,
    });
    assert.equal(created.code, 0, created.stderr);
    project = path.join(base, 'mysite');
  });

  after(() => tmp?.remove());

  test('the tarball holds the compiled build, its declarations and the bin', () => {
    for (const file of [
      'dist/bin/tsgi.js',
      'dist/src/core/wsgi.js',
      'dist/src/core/wsgi.d.ts',
      'dist/src/server/worker-main.js',
      'dist/src/gateway/index.js',
      'src/core/management/templates/project/manage.ts-tpl',
    ]) {
      assert.ok(packed.includes(file), `${file} is not in the tarball`);
    }
    assert.ok(!packed.some((f) => f.startsWith('test/')), 'the tests are not shipped');
  });

  test('no compiled module names a .ts sibling (tsc leaves some unrewritten, see defineCommand())', () => {
    const left: string[] = [];
    for (const file of readdirSync(dist, { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.js')) continue;
      const text = readFileSync(path.join(dist, file), 'utf8');
      for (const m of text.matchAll(
        /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)(['"])(\.{1,2}\/[^'"]*\.[cm]?ts)\1/g,
      ))
        left.push(`${file}: ${m[2]}`);
    }
    assert.deepEqual(left, []);
  });

  test('startproject from an installed tsgi declares the registry version, not a path', () => {
    const manifest = JSON.parse(readFileSync(path.join(project, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const version = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string })
      .version;
    assert.equal(manifest.dependencies.tsgi, `^${version}`);
  });

  describe('a new project on the installed package', () => {
    before(async () => {
      // The registry has no tsgi of ours: point the dependency at the tarball.
      const file = path.join(project, 'package.json');
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as { dependencies: Record<string, string> };
      manifest.dependencies.tsgi = `file:${tarball}`;
      writeFileSync(file, JSON.stringify(manifest, null, 2));
      const installed = await runCommand('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], {
        cwd: project,
        timeoutMs: 240_000,
      });
      assert.equal(installed.code, 0, installed.stderr);
    });

    test('type-checks against the shipped declarations (npm run typecheck: its own TypeScript and @types/node)', async () => {
      const checked = await runCommand('npm', ['run', 'typecheck', '--silent'], {
        cwd: project,
        env: userEnv,
        timeoutMs: 180_000,
      });
      assert.equal(checked.code, 0, checked.stdout + checked.stderr);
    });

    test('manage.ts check, showurls and collectstatic run (the commands that load modules lazily)', async () => {
      const checked = await run(['manage.ts', 'check'], { cwd: project, env: userEnv });
      assert.equal(checked.code, 0, checked.stderr);
      assert.match(checked.stdout, /System check identified no issues/);
      const urls = await run(['manage.ts', 'showurls'], { cwd: project, env: userEnv });
      assert.equal(urls.code, 0, urls.stderr);
      assert.match(urls.stdout, /^\/\s/m);
      const collected = await run(['manage.ts', 'collectstatic', '--noinput'], { cwd: project, env: userEnv });
      assert.equal(collected.code, 0, collected.stderr);
      assert.match(collected.stdout, /static files? copied/);
    });

    test('tsgi serve answers over a socket and stops on TERM', async () => {
      await serveOnce('mysite.wsgi:application', '/', /The install worked successfully!/);
    });

    test('tsgi serve adapts a Fetch handler (the adapter is loaded by its compiled name)', async () => {
      writeFileSync(
        path.join(project, 'fetchapp.ts'),
        'export const app = { fetch: (request: Request) => new Response(`fetch ok ${new URL(request.url).pathname}`) };\n',
      );
      await serveOnce('fetchapp:app', '/x', /^fetch ok \/x$/);
    });

    async function serveOnce(target: string, urlPath: string, expected: RegExp): Promise<void> {
      const port = await freePort();
      const server = spawn(
        path.join(project, 'node_modules', '.bin', 'tsgi'),
        ['serve', target, '--bind', `127.0.0.1:${port}`, '--workers', '1'],
        {
          cwd: project,
          env: { ...process.env, ...userEnv, NO_COLOR: '1' },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let output = '';
      server.stdout!.on('data', (d: Buffer) => (output += d));
      server.stderr!.on('data', (d: Buffer) => (output += d));
      const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
      try {
        let answer: { status: number; text: string } | undefined;
        for (let i = 0; i < 150 && !answer; i++) {
          if (server.exitCode !== null) break;
          try {
            const response = await fetch(`http://127.0.0.1:${port}${urlPath}`, { signal: AbortSignal.timeout(10_000) });
            answer = { status: response.status, text: await response.text() };
          } catch {
            await new Promise((r) => setTimeout(r, 200));
          }
        }
        assert.ok(answer, `tsgi serve did not answer:\n${output}`);
        assert.equal(answer.status, 200, output);
        assert.match(answer.text, expected);
        assert.doesNotMatch(output, /ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING/);
      } finally {
        server.kill('SIGTERM');
      }
      assert.equal(await exited, 0, output);
    }
  });
});
