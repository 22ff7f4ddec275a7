import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Apps, AppConfig, AppRegistryNotReady, LookupError } from '../../src/apps/index.ts';
import { settings } from '../../src/conf/index.ts';
import { setProjectRoot, importModule } from '../../src/utils/module-loading.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/projects/apps');

before(() => setProjectRoot(root));
after(() => setProjectRoot(undefined));

test('populate loads app modules, folders, module files and AppConfig classes; ready() hooks are awaited', async () => {
  const { DirectConfig } = importModule('configs.direct') as { DirectConfig: typeof AppConfig };
  const registry = new Apps();
  assert.throws(
    () => registry.getAppConfigs(),
    (e: unknown) => {
      assert.ok(e instanceof AppRegistryNotReady);
      assert.equal(
        e.message,
        "Apps aren't loaded yet: await apps.populate() (getWsgiApplication() does) before using the registry.",
      );
      return true;
    },
  );
  const populating = registry.populate(['blog', 'shop', 'custom', 'configs.direct.DirectConfig']);
  assert.equal(registry.populate(), populating, 'populate is idempotent');
  await populating;
  assert.equal(registry.ready, true);
  assert.deepEqual(
    registry.getAppConfigs().map((c) => [c.constructor.name, c.name, c.label]),
    [
      ['BlogConfig', 'blog', 'blog'],
      ['AppConfig', 'shop', 'shop'],
      ['CustomConfig', 'custom', 'custom_label'],
      ['DirectConfig', 'plain', 'direct'],
    ],
  );
  const blog = registry.getAppConfig('blog');
  assert.equal(blog.path, path.join(root, 'blog'));
  assert.equal(blog.verboseName, 'The blog');
  assert.equal(blog.module.kind, 'blog');
  assert.equal(registry.getAppConfig('shop').path, path.join(root, 'shop'));
  assert.equal(registry.getAppConfig('shop').verboseName, 'Shop');
  assert.equal(registry.getAppConfig('direct').path, root, "a module-file app lives in its file's folder");
  assert.equal(registry.getAppConfig('direct').module.plain, true);
  assert.equal(registry.isInstalled('blog'), true);
  assert.equal(registry.isInstalled('nope'), false);
  const { readyLog } = importModule('blog.apps') as { readyLog: string[] };
  assert.deepEqual(readyLog, ['blog:blog']);
  await registry.populate();
  assert.deepEqual(readyLog, ['blog:blog'], 'ready() runs once');
  assert.ok(DirectConfig.prototype instanceof AppConfig);
});

test('getAppConfig suggests the closest label', async () => {
  const registry = new Apps();
  await registry.populate(['blog', 'shop']);
  assert.throws(
    () => registry.getAppConfig('blgo'),
    (e: unknown) => {
      assert.ok(e instanceof LookupError);
      assert.equal(e.message, "No installed app with label 'blgo'. Did you mean 'blog'? Installed: blog, shop.");
      return true;
    },
  );
});

test('populate reads settings.INSTALLED_APPS by default', async () => {
  settings.configure({ INSTALLED_APPS: ['plain'] });
  const registry = new Apps();
  await registry.populate();
  assert.deepEqual(
    registry.getAppConfigs().map((c) => c.label),
    ['plain'],
  );
});

const errors: Array<[string, unknown[], string]> = [
  [
    'a missing app',
    ['blgo'],
    `The app 'blgo' in INSTALLED_APPS cannot be found: no module or folder blgo under ${root}, and no AppConfig class of that name. Did you mean 'blog'? Check the spelling and the project root.`,
  ],
  [
    'a non-string entry',
    [42],
    'INSTALLED_APPS entries must be dotted app names or AppConfig classes, got the number 42.',
  ],
  [
    'a function that is not an AppConfig',
    [() => 1],
    'INSTALLED_APPS entries must be dotted app names or AppConfig classes, got a function.',
  ],
  [
    'an attribute that is not an AppConfig',
    ['configs.direct.notAConfig'],
    "'configs.direct.notAConfig' in INSTALLED_APPS isn't an app module nor a subclass of AppConfig.",
  ],
  [
    'an AppConfig without a name',
    ['configs.direct.NamelessConfig'],
    "NamelessConfig must supply a name: add `override name = 'dotted.app.name';` to the class.",
  ],
  [
    'two default AppConfigs',
    ['multi'],
    "'multi.apps' declares more than one default AppConfig: FirstConfig, SecondConfig. Keep `static default = true` on one.",
  ],
  [
    'duplicate labels',
    ['blog', 'other.blog'],
    "Application labels aren't unique, duplicates: blog. Give one of them another `label` in its AppConfig.",
  ],
  [
    'duplicate names',
    ['shop', 'shop'],
    "Application names aren't unique, duplicates: shop. List each app once in INSTALLED_APPS.",
  ],
];

for (const [what, entries, message] of errors) {
  test(`${what} is an ImproperlyConfigured naming the fix`, async () => {
    const registry = new Apps();
    await assert.rejects(registry.populate(entries), { name: 'ImproperlyConfigured', message });
    assert.equal(registry.ready, false);
  });
}

test('a failing ready() names the app and keeps the cause; populate can be retried', async () => {
  const registry = new Apps();
  await assert.rejects(registry.populate(['failing']), (e: unknown) => {
    assert.equal(
      (e as Error).message,
      "The ready() hook of the app 'failing' (failing) failed: cache server unreachable",
    );
    assert.equal(((e as Error).cause as Error).message, 'cache server unreachable');
    return true;
  });
  await registry.populate(['shop']);
  assert.deepEqual(
    registry.getAppConfigs().map((c) => c.label),
    ['shop'],
  );
});

test('populate is not reentrant from a ready() hook', async () => {
  const registry = new Apps();
  let inner: Promise<void> | undefined;
  class ReentrantConfig extends AppConfig {
    override name = 'shop';
    override ready(): void {
      inner = registry.populate();
    }
  }
  await registry.populate([ReentrantConfig]);
  await assert.rejects(inner!, { message: "populate() isn't reentrant: an app's ready() hook must not call it." });
});
