// A spooled upload that cannot be written answers at once and leaves no temporary file: the
// server runs in a process of its own whose writes fail for real (a file size limit, `ulimit -f`,
// gives EFBIG; a 1 MiB tmpfs, mounted in a mount namespace of its own, gives ENOSPC), and a large
// upload is sent to it over a socket.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { skipUnlessPresent } from '../prerequisites.ts';
import { multipart, sendRaw } from './body-helpers.ts';

const MiB = 1024 ** 2;
const fixture = path.join(import.meta.dirname, 'fixtures', 'upload-server.ts');
const BOUNDARY = 'spool-failure-boundary';
const children: ChildProcess[] = [];
const folders: string[] = [];

after(() => {
  for (const child of children) child.kill('SIGKILL');
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** Starts the upload server through `sh -c` (which sets the limit or mounts the disk first). */
async function start(
  script: string,
  settings: Record<string, unknown>,
): Promise<{ port: number; stderr: () => string }> {
  const logging = { version: 1, handlers: { err: { class: 'stream' } }, loggers: { tsgi: { handlers: ['err'] } } };
  const child = spawn('sh', ['-c', script], {
    env: {
      ...process.env,
      TSGI_TEST_SETTINGS: JSON.stringify({ LOGGING: logging, ...settings }),
      NODE_OPTIONS: '--conditions=tsgi-source',
      NODE_BIN: process.execPath,
      FIXTURE: fixture,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (data: Buffer) => (stderr += data.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the upload server exited (${code}): ${stderr}`)));
  });
  return { port: (JSON.parse(line) as { port: number }).port, stderr: () => stderr };
}

function upload(size: number) {
  return multipart(BOUNDARY, [
    { name: 'title', value: 'big' },
    { name: 'video', filename: 'video.bin', size },
  ]);
}

describe('a spool write that fails is answered at once, its file deleted', () => {
  test('EFBIG (the process may write files of 1 MiB at most): 413', async () => {
    const spool = mkdtempSync(path.join(tmpdir(), 'tsgi-efbig-'));
    folders.push(spool);
    // ulimit -f counts 1024-byte blocks. Node ignores SIGXFSZ, so the write fails with EFBIG.
    const server = await start('ulimit -f 1024 && exec "$NODE_BIN" "$FIXTURE"', {
      FILE_UPLOAD_TEMP_DIR: spool,
      FILE_UPLOAD_MAX_MEMORY_SIZE: 64 * 1024,
      FILE_UPLOAD_MAX_SIZE: null,
    });
    const answer = await sendRaw(server.port, {
      path: '/upload/',
      headers: { 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` },
      body: upload(512 * MiB),
    });
    assert.equal(answer.status, 413, answer.text);
    assert.match(answer.text, /Content Too Large \(413\)/);
    assert.ok(answer.sent < 128 * MiB, `the client sent ${answer.sent} bytes`);
    assert.deepEqual(readdirSync(spool), [], 'the partly written file was deleted');
    const small = await sendRaw(server.port, {
      path: '/upload/',
      headers: { 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` },
      body: upload(300 * 1024),
    });
    assert.deepEqual(JSON.parse(small.text), { files: [['video', [300 * 1024]]] }, 'a small upload still works');
    assert.match(server.stderr(), /The request body could not be written to the temporary file .* \(EFBIG\)/);
  });

  // A tmpfs needs a mount, in a mount namespace of the test's own: with root's privileges
  // (unshare -m), else in a user namespace too (unshare -Urm, unprivileged where the kernel
  // allows it, as Debian's does).
  const unshareFlags = ['-m', '-Urm'].find(
    (flag) =>
      spawnSync('unshare', [flag, 'sh', '-c', 'mount -t tmpfs -o size=1m none "$0"', tmpdir()], { encoding: 'utf8' })
        .status === 0,
  );
  const mountSkip = skipUnlessPresent(
    unshareFlags === undefined
      ? 'a tmpfs mount in a namespace of its own (unshare -m or -Urm) is not possible here'
      : undefined,
  );

  test('ENOSPC (a 1 MiB disk): 507 Insufficient Storage', { skip: mountSkip }, async () => {
    const spool = mkdtempSync(path.join(tmpdir(), 'tsgi-enospc-'));
    folders.push(spool);
    const server = await start(
      `exec unshare ${unshareFlags} sh -c 'mount -t tmpfs -o size=1m none "$0" && exec "$NODE_BIN" "$FIXTURE"' "${spool}"`,
      { FILE_UPLOAD_TEMP_DIR: spool, FILE_UPLOAD_MAX_MEMORY_SIZE: 64 * 1024, FILE_UPLOAD_MAX_SIZE: null },
    );
    const answer = await sendRaw(server.port, {
      path: '/upload/',
      headers: { 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` },
      body: upload(512 * MiB),
    });
    assert.equal(answer.status, 507, answer.text);
    assert.match(answer.text, /Insufficient Storage \(507\)/);
    assert.ok(answer.sent < 128 * MiB, `the client sent ${answer.sent} bytes`);
    assert.match(
      server.stderr(),
      /The request body could not be written to the temporary file .* \(ENOSPC\): the disk is full/,
    );
    // The tmpfs is the server's own: ask it what is left there.
    const left = await sendRaw(server.port, { method: 'GET', path: '/spool/' });
    assert.deepEqual(JSON.parse(left.text), { files: [] });
    // The disk has room again: a small upload goes through.
    const small = await sendRaw(server.port, {
      path: '/upload/',
      headers: { 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` },
      body: upload(300 * 1024),
    });
    assert.deepEqual(JSON.parse(small.text), { files: [['video', [300 * 1024]]] });
  });
});
