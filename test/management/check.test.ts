/**
 * `manage.ts check` runs the checks of what the project configures: those of TEMPLATES
 * (templates.E001, templates.W002, tag `templates`) when it configures a template engine, as it
 * runs the static files checks when tsgi.staticfiles is installed. In a project made by
 * startproject, as a user runs it.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { linkTsgi, manage, tempDir, tsgi } from './helpers.ts';

describe('manage.ts check and the template checks', () => {
  let tmp: ReturnType<typeof tempDir>;
  let project: string;
  let settingsFile: string;
  let original: string;

  before(async () => {
    tmp = tempDir('tsgi-check-');
    const created = await tsgi(['startproject', 'mysite'], { cwd: tmp.dir });
    assert.equal(created.code, 0, created.stderr);
    project = path.join(tmp.dir, 'mysite');
    linkTsgi(project);
    settingsFile = path.join(project, 'mysite', 'settings.ts');
    original = readFileSync(settingsFile, 'utf8');
  });
  after(() => tmp.remove());

  /** The project's settings with `edit` applied (from the generated file each time). */
  function settingsWith(edit: (text: string) => string): void {
    const text = edit(original);
    assert.notEqual(text, original, 'the edit changed the settings');
    writeFileSync(settingsFile, text);
  }

  test('the fresh project: the templates tag is there, and no issue', async () => {
    writeFileSync(settingsFile, original);
    const tags = await manage(project, ['check', '--list-tags']);
    assert.equal(tags.code, 0, tags.stderr);
    assert.match(tags.stdout, /^templates$/m);
    const checked = await manage(project, ['check']);
    assert.equal(checked.code, 0, checked.stderr);
    assert.equal(checked.stdout, 'System check identified no issues (0 silenced).\n');
  });

  test('a TEMPLATES DIRS folder that does not exist: templates.W002', async () => {
    writeFileSync(settingsFile, original);
    const templates = path.join(project, 'templates');
    rmSync(templates, { recursive: true, force: true });
    const checked = await manage(project, ['check']);
    assert.equal(checked.code, 0, checked.stderr);
    assert.equal(
      checked.stderr,
      'System check identified some issues:\n\nWARNINGS:\n' +
        `?: (templates.W002) The template directory '${templates}' in TEMPLATES DIRS does not exist.\n` +
        '\tHINT: Create it, or remove it from DIRS.\n\nSystem check identified 1 issue (0 silenced).\n',
    );
    const tagged = await manage(project, ['check', '--tag', 'templates']);
    assert.match(tagged.stderr, /\(templates\.W002\)/);
    mkdirSync(templates);
  });

  test('a backend that does not load: templates.E001 fails the check', async () => {
    settingsWith((text) => text.replace(/BACKEND: '[^']*'/, "BACKEND: 'tsgi.template.backends.nope.Engine'"));
    const checked = await manage(project, ['check']);
    assert.equal(checked.code, 1);
    assert.match(
      checked.stderr,
      /^SystemCheckError: System check identified some issues:\n\nERRORS:\n\?: \(templates\.E001\) The TEMPLATES setting can't be used: No module named 'tsgi\.template\.backends\.nope'/,
    );
  });

  test('no template engine configured: the template checks are not registered', async () => {
    settingsWith((text) => text.replace(/export const TEMPLATES = \[[^]*?\n\];\n/, 'export const TEMPLATES = [];\n'));
    const tags = await manage(project, ['check', '--list-tags']);
    assert.equal(tags.code, 0, tags.stderr);
    assert.doesNotMatch(tags.stdout, /^templates$/m);
    const tagged = await manage(project, ['check', '--tag', 'templates']);
    assert.equal(tagged.code, 1);
    assert.match(tagged.stderr, /There is no system check with the "templates" tag\./);
  });
});
