// `manage.ts clearsessions`, found through INSTALLED_APPS as Django's, run as a process: expired
// file sessions go, live ones stay.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { admin, tempDir } from '../../management/helpers.ts';

const tmp = tempDir('tsgi-clearsessions-');
after(() => tmp.remove());

test('clearsessions removes the expired sessions of the file engine and keeps the others', async () => {
  const sessions = path.join(tmp.dir, 'sessions');
  mkdirSync(sessions);
  writeFileSync(
    path.join(tmp.dir, 'clearsettings.ts'),
    `export const SECRET_KEY = 'clearsessions-test';
export const INSTALLED_APPS = ['tsgi.contrib.sessions'];
export const SESSION_ENGINE = 'tsgi.contrib.sessions.backends.file';
export const SESSION_FILE_PATH = ${JSON.stringify(sessions)};
`,
  );
  const env = { TSGI_SETTINGS_MODULE: 'clearsettings' };
  const help = await admin(['help'], { cwd: tmp.dir, env });
  assert.match(help.stdout, /\[sessions\]\n\s+clearsessions/);

  // Two sessions written by the engine itself, one of them made old.
  const script = `
    import { settings } from ${JSON.stringify(path.resolve('src/conf/index.ts'))};
    import { SessionStore } from ${JSON.stringify(path.resolve('src/contrib/sessions/backends/file.ts'))};
    const keys = [];
    for (const name of ['old', 'live']) {
      const s = await new SessionStore().load();
      s.set('name', name);
      await s.save();
      keys.push(s.sessionKey);
    }
    console.log(JSON.stringify(keys));`;
  const { run } = await import('../../management/helpers.ts');
  const made = await run(['--input-type=module', '-e', script], { cwd: tmp.dir, env });
  assert.equal(made.code, 0, made.stderr);
  const files = readdirSync(sessions).sort();
  assert.equal(files.length, 2);
  const ageSeconds = 60 * 60 * 24 * 7 * 2 + 60;
  const old = (Date.now() - ageSeconds * 1000) / 1000;
  utimesSync(path.join(sessions, files[0]!), old, old);

  const result = await admin(['clearsessions'], { cwd: tmp.dir, env });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(readdirSync(sessions), [files[1]]);
});
