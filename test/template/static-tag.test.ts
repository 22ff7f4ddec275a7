/**
 * {% static %} remembers its URLs for tsgi's own storages; the answer must follow the manifest
 * (reload() after collectstatic), DEBUG, STATIC_URL and the script prefix, as asking the storage
 * each time would.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { overrideSettings, settings } from '../../src/conf/index.ts';
import { Context } from '../../src/template/context.ts';
import { Engine } from '../../src/template/engine.ts';
import { type ManifestStaticFilesStorage, staticfilesStorage } from '../../src/staticfiles/storage.ts';
import { setScriptPrefix } from '../../src/urls/index.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'tsgi-static-tag-'));
after(() => rmSync(root, { recursive: true, force: true }));
const manifest = (hashed: string) =>
  writeFileSync(
    path.join(root, 'staticfiles.json'),
    JSON.stringify({ version: '1.1', paths: { 'css/site.css': hashed } }),
  );
manifest('css/site.aaaaaaaaaaaa.css');
settings.configure({
  DEBUG: false,
  STATIC_URL: '/static/',
  STATIC_ROOT: root,
  STORAGES: { staticfiles: { BACKEND: 'tsgi.staticfiles.storage.ManifestStaticFilesStorage' } },
});
const template = new Engine({ libraries: { static: 'tsgi.templatetags.static' } }).fromString(
  "{% load static %}{% static 'css/site.css' %}",
);
const render = () => template.render(new Context()) as string;

test('the hashed name, and the new one after collectstatic reloads the manifest', () => {
  assert.equal(render(), '/static/css/site.aaaaaaaaaaaa.css');
  assert.equal(render(), '/static/css/site.aaaaaaaaaaaa.css');
  manifest('css/site.bbbbbbbbbbbb.css');
  (staticfilesStorage() as ManifestStaticFilesStorage).reload();
  assert.equal(render(), '/static/css/site.bbbbbbbbbbbb.css');
});

test('DEBUG, STATIC_URL and the script prefix change the answer', () => {
  {
    using _debug = overrideSettings({ DEBUG: true });
    assert.equal(render(), '/static/css/site.css');
  }
  {
    using _url = overrideSettings({ STATIC_URL: '/assets/' });
    assert.equal(render(), '/assets/css/site.bbbbbbbbbbbb.css');
  }
  setScriptPrefix('/mount/');
  try {
    using _relative = overrideSettings({ STATIC_URL: 'static/' });
    assert.equal(render(), '/mount/static/css/site.bbbbbbbbbbbb.css');
  } finally {
    setScriptPrefix('/');
  }
  assert.equal(render(), '/static/css/site.bbbbbbbbbbbb.css');
});
