/**
 * The proof that the gateway carries an app beyond Node: the same TSGI application
 * (test/fixtures/runtimes/app.ts), through toFetchHandler, served for real by Bun (`Bun.serve`),
 * Deno (`Deno.serve`) and workerd (`export default { fetch }`), each a child process on 127.0.0.1,
 * and asked over real sockets from Node. One conformance suite runs against every runtime.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile, copyFile } from 'node:fs/promises';
import http from 'node:http';
import { stripTypeScriptTypes } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { start, stop, type Started } from './runtime-process.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.join(repoRoot, 'test/fixtures/runtimes');
const bin = (name: string): string => path.join(repoRoot, 'node_modules/.bin', name);
/**
 * workerd runs JavaScript only: strip the types of worker.ts and of everything it imports
 * (Node's own stripTypeScriptTypes, no bundler), flattening `../../x/name.ts` to `./name.js`, the
 * module names workerd.capnp lists.
 */
async function buildWorker(outDir: string): Promise<void> {
  const config = await readFile(path.join(fixtures, 'workerd.capnp'), 'utf8');
  const names = new Map<string, string>([[path.join(fixtures, 'worker.ts'), 'worker.js']]);
  const queue = [path.join(fixtures, 'worker.ts')];
  while (queue.length > 0) {
    const file = queue.shift()!;
    const source = stripTypeScriptTypes(await readFile(file, 'utf8'));
    const js = source.replace(
      /(\bfrom\s*|\bimport\s*\(?\s*)(['"])(\.\.?\/[^'"]+?)\.ts\2/g,
      (_m, lead: string, quote: string, spec: string) => {
        const target = path.resolve(path.dirname(file), `${spec}.ts`);
        const name = `${path.basename(spec)}.js`;
        const known = [...names].find(([, n]) => n === name);
        if (known && known[0] !== target)
          throw new Error(`Two modules flatten to ${name}: ${known[0]} and ${target}; rename one.`);
        if (!names.has(target)) {
          names.set(target, name);
          queue.push(target);
        }
        return `${lead}${quote}./${name}${quote}`;
      },
    );
    const name = names.get(file)!;
    if (!config.includes(`embed "${name}"`)) {
      throw new Error(
        `${path.relative(repoRoot, file)} is imported by the worker but test/fixtures/runtimes/workerd.capnp does not list ${name}; add it to the modules.`,
      );
    }
    await writeFile(path.join(outDir, name), js);
  }
  await copyFile(path.join(fixtures, 'workerd.capnp'), path.join(outDir, 'workerd.capnp'));
}

interface Answer {
  status: number;
  statusMessage: string;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: string;
}

function ask(
  port: number,
  method: string,
  target: string,
  options: { headers?: http.OutgoingHttpHeaders; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method, path: target, headers: options.headers, agent: false, timeout: 20_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            statusMessage: res.statusMessage!,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`No answer to ${method} ${target} within 20 s.`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Reads the endless /stream until `lines` lines arrived, then hangs up. */
function readStreamStart(port: number, lines: number): Promise<{ headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/stream', agent: false, timeout: 20_000 }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text.split('\n').length > lines) {
          resolve({ headers: res.headers, text });
          req.destroy();
        }
      });
      res.on('end', () => reject(new Error(`The stream ended before ${lines} lines: ${JSON.stringify(text)}`)));
      res.on('error', () => {});
    });
    req.on('timeout', () =>
      req.destroy(new Error('The stream did not deliver its first lines within 20 s: the runtime did not stream.')),
    );
    req.on('error', (error) => reject(error));
  });
}

interface Runtime {
  name: string;
  binary: string;
  remoteAddr: string | null;
  launch(): Promise<Started>;
  cleanup?(): Promise<void>;
}

let workerDir: string | undefined;
let denoDir: string | undefined;

const runtimes: Runtime[] = [
  {
    name: 'bun',
    binary: bin('bun'),
    remoteAddr: '127.0.0.1',
    launch: () =>
      start(bin('bun'), ['--no-install', 'run', path.join(fixtures, 'bun.ts')], { portFrom: 'stdout', cwd: repoRoot }),
  },
  {
    name: 'deno',
    binary: bin('deno'),
    remoteAddr: '127.0.0.1',
    async launch() {
      denoDir = await mkdtemp(path.join(tmpdir(), 'tsgi-deno-'));
      // Nothing to download: no remote or npm modules, no config, lock or package.json lookup.
      return start(
        bin('deno'),
        [
          'run',
          '--allow-net',
          '--no-remote',
          '--no-npm',
          '--no-config',
          '--no-lock',
          '--unstable-no-legacy-abort',
          path.join(fixtures, 'deno.ts'),
        ],
        {
          portFrom: 'stdout',
          cwd: denoDir,
          env: { DENO_DIR: denoDir, DENO_NO_UPDATE_CHECK: '1', DENO_NO_PACKAGE_JSON: '1', NO_COLOR: '1' },
        },
      );
    },
    async cleanup() {
      if (denoDir) await rm(denoDir, { recursive: true, force: true });
    },
  },
  {
    name: 'workerd',
    binary: bin('workerd'),
    remoteAddr: null,
    async launch() {
      workerDir = await mkdtemp(path.join(tmpdir(), 'tsgi-workerd-'));
      await buildWorker(workerDir);
      return start(bin('workerd'), ['serve', path.join(workerDir, 'workerd.capnp'), '--control-fd=3'], {
        portFrom: 'control-fd',
        cwd: workerDir,
      });
    },
    async cleanup() {
      if (workerDir) await rm(workerDir, { recursive: true, force: true });
    },
  },
];

test('the Fetch adapters and all they import use web standards only (no node: module)', async () => {
  const seen = new Set<string>();
  const queue = [path.join(repoRoot, 'src/gateway/fetch.ts')];
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    // Code only: the JSDoc examples import hono and tsgi/gateway on purpose.
    const source = (await readFile(file, 'utf8')).replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    for (const [, specifier] of source.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g)) {
      assert.ok(
        specifier!.startsWith('./'),
        `${path.relative(repoRoot, file)} imports ${specifier}: the Fetch adapters must run where only web APIs exist.`,
      );
      queue.push(path.resolve(path.dirname(file), specifier!));
    }
    assert.doesNotMatch(
      source,
      /\b(process|Buffer|require)\s*[.(]/,
      `${path.relative(repoRoot, file)} uses a Node global.`,
    );
  }
  assert.deepEqual([...seen].map((file) => path.basename(file)).sort(), [
    'describe.ts',
    'fetch-environ.ts',
    'fetch-from.ts',
    'fetch.ts',
    'http-rules.ts',
    'input-buffer.ts',
    'types.ts',
  ]);
});

for (const runtime of runtimes) {
  const absent = existsSync(runtime.binary)
    ? false
    : `${runtime.name} is not installed at ${runtime.binary}; run npm install to get it.`;
  describe(`toFetchHandler under ${runtime.name}`, { skip: absent, timeout: 120_000 }, () => {
    let server: Started | undefined;

    before(async () => {
      server = await runtime.launch();
    });

    after(async () => {
      await stop(server);
      await runtime.cleanup?.();
    });

    test('GET answers with the status, headers and body of the app, both Set-Cookie fields kept', async () => {
      const answer = await ask(server!.port, 'GET', '/hello');
      assert.equal(answer.status, 200);
      assert.equal(answer.body, `Hello from tsgi on ${runtime.name}\n`);
      assert.equal(answer.headers['content-type'], 'text/plain; charset=utf-8');
      assert.equal(answer.headers['content-length'], String(answer.body.length));
      assert.deepEqual(answer.headers['set-cookie'], ['first=1; Path=/', 'second=2; Path=/; HttpOnly']);
    });

    test('the environ carries the URL, the headers, the cookies joined with "; " and the client address', async () => {
      const answer = await ask(server!.port, 'GET', '/environ?q=caf%C3%A9&x=1', {
        headers: { 'X-Test': 'yes', Cookie: ['a=1', 'b=2'] },
      });
      assert.equal(answer.status, 200);
      const environ = JSON.parse(answer.body) as Record<string, unknown>;
      assert.deepEqual(environ, {
        runtime: runtime.name,
        REQUEST_METHOD: 'GET',
        SCRIPT_NAME: '',
        PATH_INFO: '/environ',
        QUERY_STRING: 'q=caf%C3%A9&x=1',
        RAW_URI: '/environ?q=caf%C3%A9&x=1',
        SERVER_NAME: '127.0.0.1',
        SERVER_PORT: String(server!.port),
        REMOTE_ADDR: runtime.remoteAddr,
        HTTP_HOST: `127.0.0.1:${server!.port}`,
        HTTP_X_TEST: 'yes',
        HTTP_COOKIE: 'a=1; b=2',
        url_scheme: 'http',
        signal: true,
      });
    });

    test('POST echoes the request body, read with readline() and async iteration', async () => {
      const body = 'first line\n' + 'x'.repeat(200_000) + '\nlast line\n';
      const answer = await ask(server!.port, 'POST', '/echo', { headers: { 'Content-Type': 'text/plain' }, body });
      assert.equal(answer.status, 200);
      assert.equal(answer.headers['x-first-line'], 'first line');
      assert.equal(answer.headers['x-received-length'], String(body.length));
      assert.equal(answer.headers['content-type'], 'text/plain');
      assert.equal(answer.body, body);
    });

    test('write() before returning the body: both parts arrive in order', async () => {
      const answer = await ask(server!.port, 'GET', '/write');
      assert.equal(answer.status, 200);
      assert.equal(answer.body, 'written, then returned\n');
    });

    test('HEAD gets the headers and no body; 204 gets no body', async () => {
      const head = await ask(server!.port, 'HEAD', '/hello');
      assert.equal(head.status, 200);
      assert.equal(head.body, '');
      assert.equal(head.headers['content-type'], 'text/plain; charset=utf-8');
      const empty = await ask(server!.port, 'GET', '/no-content');
      assert.equal(empty.status, 204);
      assert.equal(empty.body, '');
    });

    test('an app that throws gives a 500 and the server keeps serving', async () => {
      const failed = await ask(server!.port, 'GET', '/fail');
      assert.equal(failed.status, 500);
      assert.equal(failed.body, '500 Internal Server Error\n');
      // The runtime's stderr reaches us on its own pipe, maybe after the answer: wait, bounded.
      const logged =
        /Error in the application for GET http:\/\/127\.0\.0\.1:\d+\/fail:\nError: The \/fail route fails on purpose\./;
      for (let i = 0; i < 100 && !logged.test(server!.output()); i += 1)
        await new Promise((resolve) => setTimeout(resolve, 50));
      assert.match(server!.output(), logged);
      const after = await ask(server!.port, 'GET', '/hello');
      assert.equal(after.status, 200);
    });

    test('an endless body streams, and hanging up closes it (close() and return() called)', async () => {
      const before = JSON.parse((await ask(server!.port, 'GET', '/stats')).body) as Record<string, number>;
      const { headers, text } = await readStreamStart(server!.port, 3);
      assert.equal(headers['content-length'], undefined);
      assert.match(text, /^tick 0\ntick 1\ntick 2\n/);
      // The runtime notices the hang-up on its next write: poll, bounded, for the close.
      let stats = before;
      for (let i = 0; i < 200 && stats.streamsClosed === before.streamsClosed; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        stats = JSON.parse((await ask(server!.port, 'GET', '/stats')).body) as Record<string, number>;
      }
      assert.equal(stats.streamsStarted, before.streamsStarted! + 1);
      assert.equal(stats.streamsClosed, before.streamsClosed! + 1, 'close() was not called after the client hung up');
      assert.equal(
        stats.streamsReturned,
        before.streamsReturned! + 1,
        'the generator was not returned after the client hung up',
      );
    });
  });
}
