import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import os from 'node:os';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { settings, overrideSettings } from '../../src/conf/index.ts';
import { checkStaticManifest, checkStaticfiles, registerStaticfilesChecks } from '../../src/staticfiles/checks.ts';
import { checkTemplates, registerTemplateChecks } from '../../src/template/checks.ts';
import { runChecks } from '../../src/core/checks/registry.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tsgi-checks-'));
settings.configure({
  STATIC_URL: '/static/',
  STATIC_ROOT: path.join(tmp, 'root'),
  STATICFILES_DIRS: [tmp],
  MEDIA_URL: '/media/',
});
after(() => rmSync(tmp, { recursive: true, force: true }));

const ids = (messages: Array<{ id?: string | undefined }>) => messages.map((m) => m.id);

describe('staticfiles and templates checks', () => {
  test('a sound configuration passes', () => {
    assert.deepEqual(checkStaticfiles(), []);
    assert.deepEqual(checkTemplates(), []);
  });

  test('each mistake is named, with its id', () => {
    {
      using _r = overrideSettings({ STATICFILES_DIRS: 'static' as never });
      assert.deepEqual(ids(checkStaticfiles()), ['staticfiles.E001']);
    }
    {
      using _r = overrideSettings({
        STATICFILES_DIRS: [path.join(tmp, 'root'), ['css/', tmp], path.join(tmp, 'missing')],
      });
      const messages = checkStaticfiles();
      assert.deepEqual(ids(messages), ['staticfiles.E002', 'staticfiles.W004', 'staticfiles.E003', 'staticfiles.W004']);
      assert.equal(
        String(messages[3]),
        `?: (staticfiles.W004) The directory '${path.join(tmp, 'missing')}' in the STATICFILES_DIRS setting does not exist.\n\tHINT: Create it, or remove it from STATICFILES_DIRS.`,
      );
    }
    {
      using _r = overrideSettings({ STATIC_URL: '/static', MEDIA_URL: '/static', MEDIA_ROOT: path.join(tmp, 'root') });
      assert.deepEqual(ids(checkStaticfiles()), ['staticfiles.E005', 'staticfiles.E006', 'staticfiles.E007']);
    }
  });

  test('templates: a backend that does not load, a missing DIRS folder', () => {
    {
      using _r = overrideSettings({ TEMPLATES: [{ BACKEND: 'tsgi.template.backends.nope.Engine' }] });
      const [message] = checkTemplates();
      assert.equal(message!.id, 'templates.E001');
      assert.match(
        message!.msg,
        /^The TEMPLATES setting can't be used: No module named 'tsgi\.template\.backends\.nope'/,
      );
    }
    {
      using _r = overrideSettings({
        TEMPLATES: [{ BACKEND: 'tsgi.template.backends.django.DjangoTemplates', DIRS: [path.join(tmp, 'tpl')] }],
      });
      assert.deepEqual(ids(checkTemplates()), ['templates.W002']);
    }
  });

  test('staticfiles.E008: the manifest storage without its manifest (a deployment check)', async () => {
    assert.deepEqual(checkStaticManifest(), []);
    using _r = overrideSettings({
      STORAGES: { staticfiles: { BACKEND: 'tsgi.staticfiles.storage.ManifestStaticFilesStorage' } },
    });
    const [message, ...rest] = checkStaticManifest();
    assert.deepEqual(rest, []);
    assert.equal(message!.id, 'staticfiles.E008');
    assert.equal(
      message!.msg,
      `The static files manifest ${path.join(tmp, 'root', 'staticfiles.json')} does not exist: the staticfiles storage is ManifestStaticFilesStorage, which needs it for every {% static %} (with DEBUG off, each page that uses one would fail).`,
    );
    registerStaticfilesChecks();
    assert.deepEqual(ids(await runChecks({ tags: ['staticfiles'] })), []);
    assert.deepEqual(ids(await runChecks({ tags: ['staticfiles'], includeDeploymentChecks: true })), [
      'staticfiles.E008',
    ]);
    mkdirSync(path.join(tmp, 'root'), { recursive: true });
    writeFileSync(path.join(tmp, 'root', 'staticfiles.json'), '{"version": "1.1", "paths": {}}');
    assert.deepEqual(checkStaticManifest(), []);
    rmSync(path.join(tmp, 'root'), { recursive: true });
  });

  test('registered under the staticfiles and templates tags', async () => {
    registerStaticfilesChecks();
    registerTemplateChecks();
    using _r = overrideSettings({
      STATIC_URL: '/static',
      TEMPLATES: [{ BACKEND: 'tsgi.template.backends.django.DjangoTemplates', DIRS: [path.join(tmp, 'tpl')] }],
    });
    assert.deepEqual(ids(await runChecks({ tags: ['staticfiles'] })), ['staticfiles.E005']);
    assert.deepEqual(ids(await runChecks({ tags: ['templates'] })), ['templates.W002']);
  });
});
