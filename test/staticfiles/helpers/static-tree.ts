/** A STATIC_ROOT in a temporary folder, with a secret next to it that must never be served. */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync, utimesSync } from 'node:fs';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';

export interface StaticTree {
  base: string;
  root: string;
  files: Record<string, Buffer>;
  mtime: Date;
}

export function makeStaticTree(): StaticTree {
  const base = mkdtempSync(path.join(os.tmpdir(), 'tsgi-static-'));
  const root = path.join(base, 'staticfiles');
  const mtime = new Date('2024-05-01T12:00:00Z');
  const files: Record<string, Buffer> = {
    'css/site.css': Buffer.from('body { color: red }\n'.repeat(50)),
    'css/site.0123456789ab.css': Buffer.from('body { color: blue }\n'),
    'js/app.js': Buffer.from('console.log("hi");\n'.repeat(40)),
    'img/logo.png': Buffer.from('\x89PNG\r\n\x1a\n0123456789', 'latin1'),
    'empty.txt': Buffer.alloc(0),
    'dir with space/é.txt': Buffer.from('unicode\n'),
  };
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), content);
  }
  writeFileSync(path.join(root, 'js/app.js.br'), brotliCompressSync(files['js/app.js']!));
  writeFileSync(path.join(root, 'js/app.js.gz'), gzipSync(files['js/app.js']!));
  for (const rel of [...Object.keys(files), 'js/app.js.br', 'js/app.js.gz'])
    utimesSync(path.join(root, rel), mtime, mtime);
  writeFileSync(path.join(base, 'secret.txt'), 'TOP SECRET');
  mkdirSync(path.join(base, 'outside'));
  writeFileSync(path.join(base, 'outside', 'x.txt'), 'TOP SECRET TOO');
  symlinkSync(path.join(base, 'secret.txt'), path.join(root, 'link-out.txt'));
  symlinkSync(path.join(base, 'outside'), path.join(root, 'dir-out'));
  symlinkSync(path.join(root, 'css', 'site.css'), path.join(root, 'link-in.css'));
  return { base, root, files, mtime };
}

/** Every way we know to ask for a file outside STATIC_ROOT, or for something that is no file. */
export const TRAVERSALS: readonly string[] = [
  '/static/../secret.txt',
  '/static/css/../../secret.txt',
  '/static/%2e%2e/secret.txt',
  '/static/%2E%2E/secret.txt',
  '/static/.%2e/secret.txt',
  '/static/%2e%2e%2fsecret.txt',
  '/static/..%2fsecret.txt',
  '/static/..%2Fsecret.txt',
  '/static/css%2f..%2f..%2fsecret.txt',
  '/static/%252e%252e/secret.txt',
  '/static/..%5csecret.txt',
  '/static/css%5c..%5c..%5csecret.txt',
  '/static/..\\secret.txt',
  '/static/link-out.txt',
  '/static/dir-out/x.txt',
  '/static/css/site.css%00.png',
  '/static/css/site.css%00',
  '/static/%00',
  '/static//etc/passwd',
  '/static/./css/site.css',
  '/static/css/./site.css',
  '/static/css/',
  '/static/css',
  '/static/',
  '/static/%c0%ae%c0%ae/secret.txt',
  '/static/..',
  '/static/.',
];
