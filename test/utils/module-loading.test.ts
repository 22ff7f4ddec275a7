import { test, describe, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  importModule,
  importString,
  getProjectRoot,
  setProjectRoot,
  ImportError,
  ModuleNotFoundError,
  moduleCandidates,
  OWN_EXTENSION,
} from '../../src/utils/module-loading.ts';
import type * as ModuleLoading from '../../src/utils/module-loading.ts';
import { closestName } from '../../src/utils/suggest.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../fixtures/projects/loading');
const src = path.resolve(here, '../../src');

describe('importModule', () => {
  beforeEach(() => setProjectRoot(root));
  after(() => setProjectRoot(undefined));

  test('the project root defaults to the working directory and can be set back', () => {
    setProjectRoot(undefined);
    assert.equal(getProjectRoot(), process.cwd());
    setProjectRoot('test/fixtures/projects/loading');
    assert.equal(getProjectRoot(), path.resolve('test/fixtures/projects/loading'));
  });

  test('loads a .ts module by its dotted name, synchronously', () => {
    const mod = importModule('pkg.mod');
    assert.equal(mod.answer, 42);
    assert.equal((mod.greet as (n: string) => string)('you'), 'Hello, you');
  });

  test('loads a folder through its index file, and .js files', () => {
    assert.equal(importModule('pkg.sub').fromIndex, 'index');
    assert.equal(importModule('pkg.plain').language, 'js');
  });

  test('caches modules: a second load returns the same module without evaluating it again', () => {
    const first = importModule('pkg.counter');
    const second = importModule('pkg.counter');
    assert.equal(first, second);
    assert.equal(second.evaluations, 1);
  });

  test('shares the module instance with a static import', async () => {
    const viaImport = await import(path.join(root, 'pkg/mod.ts'));
    assert.equal(importModule('pkg.mod').greet, viaImport.greet);
  });

  test('installed packages resolve as in site-packages: chokidar → node_modules/chokidar', () => {
    setProjectRoot(path.resolve(here, '../..'));
    assert.equal(typeof importModule('chokidar').watch, 'function');
    assert.equal(typeof importString('chokidar.watch'), 'function');
  });

  test("tsgi.* names try the framework's own extension first, project names .ts first", async () => {
    const exts = (files: string[]) => files.slice(0, 5).map((f) => path.extname(f));
    assert.equal(OWN_EXTENSION, '.ts');
    assert.deepEqual(exts(moduleCandidates('tsgi.middleware.security')), ['.ts', '.mts', '.js', '.mjs', '.cjs']);
    assert.deepEqual(exts(moduleCandidates('pkg.mod')), ['.ts', '.mts', '.js', '.mjs', '.cjs']);
    // The compiled build (dist/): .js first for its own modules, and resolved to it.
    const built = path.resolve(here, '../../dist/src/utils/module-loading.js');
    if (!existsSync(built)) return;
    const dist = (await import(built)) as typeof ModuleLoading;
    assert.deepEqual(exts(dist.moduleCandidates('tsgi.middleware.security')), ['.js', '.ts', '.mts', '.mjs', '.cjs']);
    assert.equal(dist.moduleCandidates('tsgi.middleware.security').length, 10);
    assert.equal(
      dist.resolveModule('tsgi.middleware.security'),
      path.resolve(here, '../../dist/src/middleware/security.js'),
    );
    assert.equal(dist.resolveModule('tsgi.urls'), path.resolve(here, '../../dist/src/urls/index.js'));
  });

  test('tsgi.* names resolve inside the package', () => {
    const mod = importModule('tsgi.utils.module-loading');
    assert.equal(mod.importModule, importModule);
  });

  test('a missing module names every path tried and the fix', () => {
    assert.throws(
      () => importModule('pkg.missing'),
      (error: unknown) => {
        assert.ok(error instanceof ModuleNotFoundError);
        assert.ok(error instanceof ImportError);
        assert.equal(error.moduleName, 'pkg.missing');
        assert.equal(error.triedPaths.length, 10);
        assert.equal(
          error.message,
          `No module named 'pkg.missing': none of these files exists under the project root ${root}: ` +
            'pkg/missing.ts, pkg/missing.mts, pkg/missing.js, pkg/missing.mjs, pkg/missing.cjs, ' +
            "pkg/missing/index.ts, pkg/missing/index.mts, pkg/missing/index.js, pkg/missing/index.mjs, pkg/missing/index.cjs and no installed package exports 'pkg/missing'. " +
            "Check the spelling, or set the project root (setProjectRoot(), or run from the project's folder).",
        );
        return true;
      },
    );
  });

  test('a missing tsgi module says it looked inside the package', () => {
    assert.throws(() => importModule('tsgi.nothing'), {
      name: 'ModuleNotFoundError',
      message:
        `No module named 'tsgi.nothing': none of these files exists under the tsgi package (${src}): ` +
        'nothing.ts, nothing.mts, nothing.js, nothing.mjs, nothing.cjs, nothing/index.ts, nothing/index.mts, ' +
        'nothing/index.js, nothing/index.mjs, nothing/index.cjs. ' +
        "Check the spelling, or set the project root (setProjectRoot(), or run from the project's folder).",
    });
  });

  test('a module that throws while loading: the error names it and keeps the cause, every time', () => {
    for (let i = 0; i < 2; i++) {
      assert.throws(
        () => importModule('pkg.throws'),
        (error: unknown) => {
          assert.ok(error instanceof ImportError);
          assert.equal(
            error.message,
            `The module 'pkg.throws' (${path.join(root, 'pkg/throws.ts')}) raised an error while loading: ` +
              'TypeError: settings are broken on purpose',
          );
          assert.ok(error.cause instanceof TypeError);
          return true;
        },
      );
    }
  });

  test('a module with top-level await gets an error that explains why', () => {
    assert.throws(() => importModule('pkg.tla'), {
      name: 'ImportError',
      message:
        `The module 'pkg.tla' (${path.join(root, 'pkg/tla.ts')}) uses top-level await, so it cannot be loaded ` +
        "synchronously. Move the await into a function, for example an app's ready() hook.",
    });
  });

  test('invalid dotted names are refused before touching the file system', () => {
    for (const bad of ['', 'pkg..mod', '../etc.passwd', 'pkg/mod', '.pkg']) {
      assert.throws(() => importModule(bad), {
        name: 'ImportError',
        message:
          `${JSON.stringify(bad)} is not a valid dotted module name: write names separated by dots, ` +
          "as 'markup.settings' for markup/settings.ts under the project root.",
      });
    }
  });
});

describe('importString', () => {
  beforeEach(() => setProjectRoot(root));
  after(() => setProjectRoot(undefined));

  test('returns the named attribute', () => {
    assert.equal((importString('pkg.mod.greet') as (n: string) => string)('x'), 'Hello, x');
    assert.equal(importString('pkg.mod.answer'), 42);
  });

  test('a missing attribute suggests the closest name and lists the exports', () => {
    assert.throws(() => importString('pkg.mod.securityThing'), {
      name: 'ImportError',
      message:
        "Module 'pkg.mod' does not define a 'securityThing' attribute. Did you mean 'pkg.mod.SecurityThing'? " +
        'It exports: SecurityThing, answer, greet.',
    });
    assert.throws(() => importString('pkg.mod.nothingLikeIt'), {
      message:
        "Module 'pkg.mod' does not define a 'nothingLikeIt' attribute. It exports: SecurityThing, answer, greet.",
    });
  });

  test('a path without a dot is refused', () => {
    assert.throws(() => importString('views'), {
      name: 'ImportError',
      message: "'views' doesn't look like a module path: name the module and the attribute, as 'markup.views.home'.",
    });
  });

  test('a missing module surfaces as ModuleNotFoundError', () => {
    assert.throws(() => importString('pkg.nope.view'), { name: 'ModuleNotFoundError' });
  });
});

test('closestName finds likely typos only', () => {
  assert.equal(closestName('DEBGU', ['DEBUG', 'ALLOWED_HOSTS']), 'DEBUG');
  assert.equal(closestName('allowed_hosts', ['DEBUG', 'ALLOWED_HOSTS']), 'ALLOWED_HOSTS');
  assert.equal(closestName('zzz', ['DEBUG']), undefined);
});
