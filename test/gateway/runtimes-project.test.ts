/**
 * A project made by `tsgi startproject`, served through toFetchHandler by Bun, Deno and workerd,
 * each a child process on 127.0.0.1 asked over real sockets (docs/fetch.md, "A tsgi project on
 * Bun, Deno and Workers"). The whole framework boots there - settings, apps, middleware, the
 * URLconf and its views - and what loads on first use works too: the DEBUG 404 page, the CSRF
 * check (node:crypto), static files from the finders (node:fs). The project runs tsgi as
 * installed (the compiled build in dist/, which npm test builds first).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire, isBuiltin, stripTypeScriptTypes } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { linkTsgi, REPO_ROOT, run, tempDir } from '../management/helpers.ts';
import { start, stop, type Started } from './runtime-process.ts';

const fixtures = path.join(REPO_ROOT, 'test/fixtures/runtimes/project');
const bin = (name: string): string => path.join(REPO_ROOT, 'node_modules/.bin', name);
const STYLESHEET = 'body { color: rebeccapurple; }\n';

/** The specifiers of a module's imports and re-exports (static and dynamic, string literals only). */
const IMPORT = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])([^'"\s]+)\2/g;

/**
 * Writes `project` as workerd runs it (docs/fetch.md): every module at its path in the project,
 * under workerd's /bundle, types stripped with Node's stripTypeScriptTypes (the names keep their
 * .ts, so relative imports need no rewriting), tsgi's compiled build under node_modules/tsgi, and
 * each bare import (tsgi/..., a dependency's package) rewritten to the relative path of the module
 * Node's resolution picks, since workerd does not look in node_modules. Other files (templates,
 * static files) are data modules, which workerd's node:fs shows under /bundle as well.
 */
function bundleForWorkerd(project: string, out: string): void {
  const tsgiRoot = realpathSync(path.join(project, 'node_modules/tsgi'));
  const modules = new Map<string, string>(); // bundle path -> module kind
  const queue: Array<{ abs: string; rel: string }> = [];
  const bundlePathOf = (abs: string): string => {
    const real = realpathSync(abs);
    if (real.startsWith(project + path.sep)) return path.relative(project, real);
    if (real.startsWith(tsgiRoot + path.sep)) {
      const inTsgi = path.relative(tsgiRoot, real);
      // tsgi's own dependencies (node_modules/x inside the package, or beside it when installed).
      return inTsgi.startsWith('node_modules' + path.sep) ? inTsgi : path.join('node_modules/tsgi', inTsgi);
    }
    throw new Error(`${real} is neither in the project nor in tsgi: add a rule for it.`);
  };
  const add = (abs: string, rel: string): void => {
    if (modules.has(rel)) return;
    const ext = path.extname(rel);
    if (['.ts', '.mts', '.js', '.mjs'].includes(ext)) {
      modules.set(rel, 'esModule');
      queue.push({ abs, rel });
    } else {
      modules.set(rel, ext === '.json' ? 'json' : 'data');
      mkdirSync(path.dirname(path.join(out, rel)), { recursive: true });
      copyFileSync(abs, path.join(out, rel));
    }
  };
  const tsgiExports = (
    JSON.parse(readFileSync(path.join(tsgiRoot, 'package.json'), 'utf8')) as {
      exports: Record<string, string | Record<string, string>>;
    }
  ).exports;
  /** `tsgi/x` as a user's Node resolves it: the `default` target (this test runs with tsgi-source). */
  const tsgiModule = (specifier: string): string => {
    const key = `.${specifier.slice('tsgi'.length)}`;
    for (const [pattern, targets] of Object.entries(tsgiExports)) {
      const target = typeof targets === 'string' ? targets : targets.default!;
      const star = pattern.indexOf('*');
      if (
        star === -1 ? pattern === key : key.startsWith(pattern.slice(0, star)) && key.endsWith(pattern.slice(star + 1))
      )
        return path.join(
          tsgiRoot,
          star === -1 ? target : target.replace('*', key.slice(star, key.length - (pattern.length - star - 1))),
        );
    }
    throw new Error(`tsgi exports no ${specifier}.`);
  };
  /** A dependency's ES module entry (its `module` field or `import` export), as a bundle path. */
  const packageModule = (from: string, specifier: string): string | undefined => {
    if (specifier === 'tsgi' || specifier.startsWith('tsgi/')) {
      const file = tsgiModule(specifier);
      const rel = bundlePathOf(file);
      add(file, rel);
      return rel;
    }
    let entry: string;
    try {
      entry = createRequire(from).resolve(specifier);
    } catch {
      return undefined; // a name in a comment's example, or an optional import: left as it is
    }
    let dir = path.dirname(entry);
    while (!existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
      module?: string;
      exports?: unknown;
    };
    const dot = (pkg.exports as Record<string, unknown> | undefined)?.['.'];
    const esm =
      typeof dot === 'object' && dot !== null && typeof (dot as Record<string, unknown>).import === 'string'
        ? ((dot as Record<string, unknown>).import as string)
        : pkg.module;
    const file = esm && !specifier.includes('/') ? path.join(dir, esm) : entry;
    const rel = bundlePathOf(file);
    add(file, rel);
    return rel;
  };
  const walk = (dir: string, skip: (rel: string, isDir: boolean) => boolean): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, entry.name);
      const rel = bundlePathOf(abs);
      if (skip(rel, entry.isDirectory())) continue;
      if (entry.isDirectory()) walk(abs, skip);
      else add(abs, rel);
    }
  };
  // The worker's entry first: workerd starts from the first module.
  add(path.join(project, 'worker.ts'), 'worker.ts');
  walk(project, (rel) => /^(node_modules|\.|staticfiles|media|package-lock\.json)/.test(rel));
  add(path.join(tsgiRoot, 'package.json'), 'node_modules/tsgi/package.json');
  walk(path.join(tsgiRoot, 'dist'), (rel, isDir) =>
    isDir ? rel === 'node_modules/tsgi/dist/bin' : !rel.endsWith('.js'),
  );
  while (queue.length > 0) {
    const { abs, rel } = queue.shift()!;
    let source = readFileSync(abs, 'utf8');
    if (/\.m?ts$/.test(rel)) source = stripTypeScriptTypes(source);
    source = source.replace(IMPORT, (whole, lead: string, quote: string, specifier: string) => {
      if (specifier.startsWith('.') || specifier.startsWith('/') || isBuiltin(specifier)) return whole;
      const target = packageModule(abs, specifier);
      if (target === undefined) return whole;
      let relative = path.relative(path.dirname(rel), target);
      if (!relative.startsWith('.')) relative = `./${relative}`;
      return `${lead}${quote}${relative}${quote}`;
    });
    mkdirSync(path.dirname(path.join(out, rel)), { recursive: true });
    writeFileSync(path.join(out, rel), source);
  }
  const list = [...modules].map(
    ([rel, kind]) => `    (name = ${JSON.stringify(rel)}, ${kind} = embed ${JSON.stringify(rel)}),`,
  );
  writeFileSync(
    path.join(out, 'workerd.capnp'),
    `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .project) ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
);

const project :Workerd.Worker = (
  modules = [
${list.join('\n')}
  ],
  # nodejs_compat is on by default from 2026-08-04 (node:fs shows the modules under /bundle);
  # new_module_registry gives modules their file:///bundle/... URL, which import.meta.url,
  # createRequire() and the settings' path.dirname(import.meta.dirname) need.
  compatibilityDate = "2026-08-04",
  compatibilityFlags = ["new_module_registry", "enable_request_signal"],
);
`,
  );
}

interface Runtime {
  name: string;
  binary: string;
  launch(project: string, scratch: string): Promise<Started>;
}

const runtimes: Runtime[] = [
  {
    name: 'bun',
    binary: bin('bun'),
    launch: (project) =>
      start(bin('bun'), ['--no-install', 'run', 'bun.ts'], {
        portFrom: 'stdout',
        cwd: project,
        env: { NODE_OPTIONS: '' },
      }),
  },
  {
    name: 'deno',
    binary: bin('deno'),
    launch: (project, scratch) =>
      // The permissions docs/fetch.md lists; nothing to download (no remote modules, no lock file).
      start(
        bin('deno'),
        [
          'run',
          '--allow-net',
          '--allow-read',
          '--allow-env',
          '--no-remote',
          '--no-lock',
          '--unstable-no-legacy-abort',
          'deno.ts',
        ],
        {
          portFrom: 'stdout',
          cwd: project,
          env: { DENO_DIR: scratch, DENO_NO_UPDATE_CHECK: '1', NO_COLOR: '1', NODE_OPTIONS: '' },
        },
      ),
  },
  {
    name: 'workerd',
    binary: bin('workerd'),
    launch(project, scratch) {
      bundleForWorkerd(project, scratch);
      return start(bin('workerd'), ['serve', path.join(scratch, 'workerd.capnp'), '--control-fd=3'], {
        portFrom: 'control-fd',
        cwd: scratch,
      });
    },
  },
];

describe('a startproject project through toFetchHandler', () => {
  let tmp: ReturnType<typeof tempDir>;
  let project: string;

  before(async () => {
    tmp = tempDir('tsgi-runtimes-project-');
    const created = await run([path.join(REPO_ROOT, 'bin/tsgi.ts'), 'startproject', 'mysite'], { cwd: tmp.dir });
    assert.equal(created.code, 0, created.stderr);
    project = path.join(tmp.dir, 'mysite');
    linkTsgi(project);
    writeFileSync(path.join(project, 'static', 'site.css'), STYLESHEET);
    for (const entry of ['bun.ts', 'deno.ts', 'worker.ts'])
      copyFileSync(path.join(fixtures, entry), path.join(project, entry));
  });

  after(() => tmp?.remove());

  for (const runtime of runtimes) {
    const absent = existsSync(runtime.binary)
      ? false
      : `${runtime.name} is not installed at ${runtime.binary}; run npm install to get it.`;
    describe(`under ${runtime.name}`, { skip: absent, timeout: 120_000 }, () => {
      let server: Started | undefined;
      let scratch: string;
      const url = (target: string) => `http://127.0.0.1:${server!.port}${target}`;

      before(async () => {
        scratch = await mkdtemp(path.join(tmpdir(), `tsgi-${runtime.name}-`));
        server = await runtime.launch(project, scratch);
      });

      after(async () => {
        await stop(server);
        await rm(scratch, { recursive: true, force: true });
      });

      test('the home page: settings, apps, middleware, URLconf and view loaded', async () => {
        const response = await fetch(url('/'), { signal: AbortSignal.timeout(30_000) });
        const text = await response.text();
        assert.equal(response.status, 200, text + server!.output());
        assert.match(text, /The install worked successfully!/);
        assert.equal(response.headers.get('x-frame-options'), 'DENY');
        assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      });

      test("an unknown URL gets DEBUG's 404 page (a module loaded on first use)", async () => {
        const response = await fetch(url('/no/such/page/'), { signal: AbortSignal.timeout(30_000) });
        const text = await response.text();
        assert.equal(response.status, 404, text + server!.output());
        assert.match(text, /no\/such\/page/);
      });

      test('a POST without a CSRF token is refused with 403 (node:crypto on first use)', async () => {
        const response = await fetch(url('/'), {
          method: 'POST',
          body: 'a=1',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          signal: AbortSignal.timeout(30_000),
        });
        const text = await response.text();
        assert.equal(response.status, 403, text + server!.output());
        assert.match(text, /CSRF/);
      });

      test('a static file from the finders (node:fs)', async () => {
        const response = await fetch(url('/static/site.css'), { signal: AbortSignal.timeout(30_000) });
        const text = await response.text();
        assert.equal(response.status, 200, text + server!.output());
        assert.equal(text, STYLESHEET);
        assert.match(response.headers.get('content-type') ?? '', /^text\/css/);
      });
    });
  }
});
