// Typed reverse() and redirect(): test/types/project is a small project that registers its
// URLconf (declaration merging on tsgi/urls' UrlRegistry) and test/types/project/checks.ts lists
// what the compiler must accept and, after each expect-error directive, refuse (a wrong name, a
// missing or foreign parameter, a wrong type). tsc checks it against the built declarations
// (dist/, as a project that installed tsgi sees them). The same calls are then made at run time:
// what compiles works.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { settings } from '../../src/conf/index.ts';
import { redirect, resolveUrl } from '../../src/shortcuts.ts';
import { reverse } from '../../src/urls/index.ts';

const root = path.resolve(import.meta.dirname, '../..');

before(async () => {
  // Loaded by URL, not by a specifier the compiler follows: its registry is for test/types only.
  const url = pathToFileURL(path.join(root, 'test/types/project/mysite/urls.ts')).href;
  const mysite = (await import(url)) as Record<string, unknown>;
  settings.configure({ ALLOWED_HOSTS: ['*'], ROOT_URLCONF: mysite });
});

test('the compiler accepts the right names and arguments and refuses the wrong ones (tsc on test/types)', () => {
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const run = spawnSync(process.execPath, [tsc, '-p', 'test/types/tsconfig.json'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  assert.equal(run.status, 0, `tsc reported:\n${run.stdout}${run.stderr}`);
});

test('what compiles works: the same calls at run time', () => {
  const slug = 'hello';
  const location = (response: { get(name: string): string | undefined }) => response.get('Location');
  assert.equal(reverse('blog:detail', { kwargs: { slug } }), '/blog/hello/');
  assert.equal(reverse('old-blog:index'), '/archive/');
  assert.equal(
    reverse('blog:archive', { kwargs: { year: 9007199254740993n, month: '5' } }),
    '/blog/archive/9007199254740993/5/',
  );
  assert.equal(reverse('users:profile', { kwargs: { id: 7 } }), '/users/7/');
  assert.equal(reverse('blog:legacy'), '/blog/legacy/1999/');
  assert.equal(reverse('blog:tag', { kwargs: { tag: 'ts' } }), '/blog/tag/ts/');
  assert.equal(location(redirect('blog:detail', { slug })), '/blog/hello/');
  const permanent = redirect('blog:detail', { slug }, { permanent: true });
  assert.equal(permanent.statusCode, 301);
  assert.equal(location(permanent), '/blog/hello/');
  assert.equal(location(redirect('blog:detail', slug)), '/blog/hello/');
  assert.equal(redirect('blog:detail', { kwargs: { slug }, permanent: true }).statusCode, 301);
  assert.equal(location(redirect('home')), '/');
  assert.equal(redirect('home', { permanent: true }).statusCode, 301);
  assert.equal(location(redirect('/login/')), '/login/');
  assert.equal(resolveUrl('blog:archive', { year: 2024, month: 5 }), '/blog/archive/2024/5/');
  assert.equal(resolveUrl('blog:archive', 2024, 5), '/blog/archive/2024/5/');
});
