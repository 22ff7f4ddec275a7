import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import os from 'node:os';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { settings } from '../../src/conf/index.ts';
import { FileSystemStorage, SuspiciousFileOperation } from '../../src/core/files/storage.ts';
import { SuspiciousOperation } from '../../src/core/exceptions.ts';
import { overrideSettings } from '../../src/conf/index.ts';
import { setScriptPrefix } from '../../src/urls/base.ts';
import { StaticFilesStorage } from '../../src/staticfiles/storage.ts';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tsgi-media-'));
const media = path.join(tmp, 'media');
settings.configure({ MEDIA_ROOT: media, MEDIA_URL: '/media/' });
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('FileSystemStorage (media)', () => {
  const storage = new FileSystemStorage();

  test('saves bytes, text, streams and spooled files under MEDIA_ROOT, with URLs under MEDIA_URL', async () => {
    assert.equal(await storage.save('docs/a.txt', 'hello'), 'docs/a.txt');
    assert.equal(readFileSync(path.join(media, 'docs/a.txt'), 'utf8'), 'hello');
    assert.equal(await storage.save('b.bin', new Uint8Array([1, 2, 3])), 'b.bin');
    async function* chunks() {
      yield Buffer.from('ab');
      yield Buffer.from('cd');
    }
    assert.equal(await storage.save('c.txt', chunks()), 'c.txt');
    assert.equal((await storage.read('c.txt')).toString(), 'abcd');
    const spooled = path.join(tmp, 'upload.tmp');
    writeFileSync(spooled, 'from disk');
    assert.equal(await storage.save('d.txt', { path: spooled }), 'd.txt');
    assert.equal((await storage.read('d.txt')).toString(), 'from disk');
    assert.equal(statSync(path.join(media, 'd.txt')).mode & 0o777, 0o644);
    assert.equal(storage.url('docs/a b é.txt'), '/media/docs/a%20b%20%C3%A9.txt');
    assert.equal(await storage.size('c.txt'), 4);
  });

  test('never overwrites: a taken name gets a random suffix, even when saves race', async () => {
    await storage.save('race.txt', 'first');
    const names = await Promise.all(Array.from({ length: 10 }, (_, i) => storage.save('race.txt', `n${i}`)));
    assert.equal(new Set(names).size, 10);
    for (const name of names) assert.match(name, /^race_[A-Za-z0-9]{7}\.txt$/);
    assert.equal((await storage.read('race.txt')).toString(), 'first');
  });

  test('names are cleaned: spaces to _, odd characters dropped', async () => {
    assert.equal(await storage.save('My Photo (1)!.png', 'x'), 'My_Photo_1.png');
    assert.equal(storage.getValidName(' a b.txt '), 'a_b.txt');
    assert.throws(
      () => storage.getValidName('???'),
      /Could not derive a file name from "\?\?\?"\. Give the file a name with letters or digits\./,
    );
  });

  test('traversal is refused', async () => {
    for (const bad of ['../evil.txt', 'a/../../evil.txt', '..\\evil.txt']) {
      await assert.rejects(
        storage.save(bad, 'x'),
        (e: unknown) => e instanceof SuspiciousFileOperation && e instanceof SuspiciousOperation,
        bad,
      );
    }
    assert.throws(
      () => storage.path('/etc/passwd'),
      /Detected path traversal attempt in "\/etc\/passwd": the file would be outside/,
    );
    assert.throws(() => storage.path('a\0b'), /contains a NUL byte/);
    // An absolute upload name keeps only its relative parts.
    assert.equal(await storage.save('/abs/name.txt', 'x'), 'abs/name.txt');
  });

  test('delete and exists', async () => {
    const name = await storage.save('gone.txt', 'x');
    assert.equal(await storage.exists(name), true);
    await storage.delete(name);
    assert.equal(await storage.exists(name), false);
    const [dirs, files] = await storage.listdir('');
    assert.ok(dirs.includes('docs') && files.includes('b.bin'));
  });
});

describe('relative MEDIA_URL and STATIC_URL (Django 3.1+)', () => {
  test('are put under the script prefix; absolute paths and http(s) URLs are left alone', () => {
    using _restore = overrideSettings({ MEDIA_URL: 'media/', STATIC_URL: 'static/' });
    try {
      assert.equal(new FileSystemStorage().url('a.png'), '/media/a.png');
      assert.equal(new StaticFilesStorage({ location: tmp }).url('css/site.css'), '/static/css/site.css');
      setScriptPrefix('/mount/');
      assert.equal(new FileSystemStorage().url('a.png'), '/mount/media/a.png');
      assert.equal(new StaticFilesStorage({ location: tmp }).url('css/site.css'), '/mount/static/css/site.css');
      assert.equal(new FileSystemStorage({ baseUrl: '/uploads/' }).url('a.png'), '/uploads/a.png');
      assert.equal(
        new FileSystemStorage({ baseUrl: 'https://cdn.example/m/' }).url('a.png'),
        'https://cdn.example/m/a.png',
      );
    } finally {
      setScriptPrefix('/');
    }
  });
});
