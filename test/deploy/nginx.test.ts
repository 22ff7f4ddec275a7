/**
 * The nginx configuration of docs/deploy.md, run for real: nginx (Debian's package, installed
 * when missing) on loopback in front of `tsgi serve`. Checks that nginx serves /static/ and
 * /media/ itself (the application sees none of it), proxies the rest with keep-alive, and that
 * the client's address and scheme reach the application when the proxy is trusted and can't be
 * spoofed when it is not. SKIPS when nginx can't be installed.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const nodeBin = process.execPath;

function hasNginx(): boolean {
  return spawnSync('nginx', ['-v'], { stdio: 'ignore' }).status === 0;
}

function ensureNginx(): string | undefined {
  if (hasNginx()) return undefined;
  const install = spawnSync('sh', ['-c', 'apt-get install -y nginx || (apt-get update && apt-get install -y nginx)'], {
    stdio: 'ignore',
    timeout: 300_000,
  });
  if (install.status !== 0 || !hasNginx()) return 'nginx is not installed and apt-get install -y nginx failed';
  return undefined;
}

const skip =
  ensureNginx() ??
  (spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0 ? undefined : 'openssl is missing');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(
  connect: net.NetConnectOpts,
  child: ChildProcess,
  what: string,
  log: () => string,
): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}): ${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(connect);
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${what} did not start listening within 10 s: ${log()}`);
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function get(url: string, headers: Record<string, string> = {}, agent?: http.Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const mod = url.startsWith('https:') ? https : http;
    const req = mod.get(
      url,
      { headers, agent: agent ?? false, rejectUnauthorized: false, timeout: 10_000 } as https.RequestOptions,
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} within 10 s`)));
    req.on('error', reject);
  });
}

/** A raw request line, for paths an HTTP client would normalise. */
function raw(port: number, target: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', reject);
    socket.setTimeout(10_000, () => socket.destroy(new Error('timeout')));
    socket.write(`GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
  });
}

/** The application behind nginx, a tsgi project: reports what it was told about the client, and what it saw. */
const APP_SOURCE = `
import { settings } from ${JSON.stringify(path.join(repoRoot, 'src/conf/index.ts'))};
import { getWsgiApplication } from ${JSON.stringify(path.join(repoRoot, 'src/core/wsgi.ts'))};
import { JsonResponse } from ${JSON.stringify(path.join(repoRoot, 'src/http/index.ts'))};
import { path, rePath } from ${JSON.stringify(path.join(repoRoot, 'src/urls/index.ts'))};
const seen = [];
const record = (request) => seen.push({ path: request.pathInfo, port: request.META.REMOTE_PORT });
const whoami = (request) => {
  record(request);
  return new JsonResponse({
    REMOTE_ADDR: request.META.REMOTE_ADDR ?? null,
    scheme: request.META['wsgi.url_scheme'],
    isSecure: request.isSecure(),
    xff: request.headers.get('X-Forwarded-For') ?? null,
    host: request.getHost(),
  });
};
settings.configure({
  ALLOWED_HOSTS: ['*'],
  SECURE_PROXY_SSL_HEADER: process.env.APP_SSL_HEADER ? ['HTTP_X_FORWARDED_PROTO', 'https'] : null,
  ROOT_URLCONF: {
    urlpatterns: [
      path('__seen', () => new JsonResponse(seen.splice(0), { safe: false })),
      rePath('^.*$', whoami),
    ],
  },
});
export const application = getWsgiApplication();
`;

function docConfig(): string {
  const doc = readFileSync(path.join(repoRoot, 'docs/deploy.md'), 'utf8');
  const match = /```nginx\n([\s\S]*?)```/.exec(doc);
  if (!match) throw new Error('docs/deploy.md has no ```nginx block');
  return match[1]!;
}

interface Site {
  tsgi: ChildProcess;
  nginx: ChildProcess;
  httpPort: number;
  httpsPort: number;
  appUrl: string | undefined;
  seen(): Promise<Array<{ path: string; port: string }>>;
}

describe('nginx in front of tsgi serve, with the configuration of docs/deploy.md', { skip }, () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'tsgi-nginx-'));
  const staticRoot = path.join(tmp, 'staticfiles');
  const mediaRoot = path.join(tmp, 'media');
  const project = path.join(tmp, 'project');
  const children: ChildProcess[] = [];
  const logs = new Map<ChildProcess, string>();
  const css = 'body { color: red }\n'.repeat(100);
  let trusted: Site;
  let untrusted: Site;

  function start(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): ChildProcess {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    children.push(child);
    logs.set(child, '');
    const append = (c: Buffer) => logs.set(child, (logs.get(child)! + c.toString()).slice(-4000));
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    return child;
  }

  async function site(
    name: string,
    bind: { port: number } | { socket: string },
    allowIps: string[],
    env: Record<string, string> = {},
  ): Promise<Site> {
    const bindArg = 'port' in bind ? `127.0.0.1:${bind.port}` : `unix:${bind.socket}`;
    const tsgi = start(
      nodeBin,
      [
        path.join(repoRoot, 'bin/tsgi.ts'),
        'serve',
        'app:application',
        '--bind',
        bindArg,
        '--workers',
        '1',
        '--forwarded-allow-ips',
        allowIps.join(','),
      ],
      project,
      env,
    );
    await waitFor(
      'port' in bind ? { port: bind.port, host: '127.0.0.1' } : { path: bind.socket },
      tsgi,
      `tsgi serve (${name})`,
      () => logs.get(tsgi)!,
    );
    const prefix = path.join(tmp, `nginx-${name}`);
    mkdirSync(prefix);
    const [httpPort, httpsPort] = [await freePort(), await freePort()];
    const upstream = 'port' in bind ? `server 127.0.0.1:${bind.port};` : `server unix:${bind.socket};`;
    const server = docConfig()
      .replace('server 127.0.0.1:8000;', upstream)
      .replace('listen 80;', `listen 127.0.0.1:${httpPort};`)
      .replace(
        /# listen 443 ssl;.*\n/,
        `listen 127.0.0.1:${httpsPort} ssl; ssl_certificate ${tmp}/cert.pem; ssl_certificate_key ${tmp}/key.pem;\n`,
      )
      .replaceAll('/srv/markup/staticfiles/', staticRoot + '/')
      .replaceAll('/srv/markup/media/', mediaRoot + '/')
      .replaceAll('markup_app', `markup_${name}`);
    const conf = [
      'daemon off;',
      'worker_processes 1;',
      process.getuid?.() === 0 ? 'user root;' : '',
      `error_log ${prefix}/error.log;`,
      `pid ${prefix}/nginx.pid;`,
      'events { worker_connections 128; }',
      'http {',
      '  include /etc/nginx/mime.types;',
      '  default_type application/octet-stream;',
      `  access_log ${prefix}/access.log;`,
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${prefix}/${t};`),
      server,
      '}',
    ].join('\n');
    writeFileSync(path.join(prefix, 'nginx.conf'), conf);
    const nginx = start('nginx', ['-p', prefix, '-c', path.join(prefix, 'nginx.conf')], prefix);
    await waitFor(
      { port: httpPort, host: '127.0.0.1' },
      nginx,
      `nginx (${name})`,
      () => `${logs.get(nginx)} ${safeRead(path.join(prefix, 'error.log'))}`,
    );
    await waitFor({ port: httpsPort, host: '127.0.0.1' }, nginx, `nginx (${name})`, () =>
      safeRead(path.join(prefix, 'error.log')),
    );
    const appUrl = 'port' in bind ? `http://127.0.0.1:${bind.port}` : undefined;
    const seen = async () => {
      // Read through a path nginx proxies; the /__seen request itself is dropped from the list.
      const answer = await get(`http://127.0.0.1:${httpPort}/__seen`);
      return (JSON.parse(answer.body.toString()) as Array<{ path: string; port: string }>).filter(
        (s) => s.path !== '/__seen',
      );
    };
    return { tsgi, nginx, httpPort, httpsPort, appUrl, seen };
  }

  before(async () => {
    mkdirSync(path.join(staticRoot, 'css'), { recursive: true });
    writeFileSync(path.join(staticRoot, 'css/site.css'), css);
    writeFileSync(path.join(staticRoot, 'css/site.css.gz'), gzipSync(css));
    writeFileSync(path.join(staticRoot, 'css/site.0123456789ab.css'), css);
    mkdirSync(mediaRoot);
    writeFileSync(path.join(mediaRoot, 'upload.html'), '<script>alert(1)</script>');
    writeFileSync(path.join(tmp, 'secret.txt'), 'TOP SECRET');
    mkdirSync(project);
    writeFileSync(path.join(project, 'app.mjs'), APP_SOURCE);
    chmodSync(tmp, 0o755);
    const cert = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        `${tmp}/key.pem`,
        '-out',
        `${tmp}/cert.pem`,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
      ],
      { stdio: 'ignore' },
    );
    assert.equal(cert.status, 0, 'openssl could not make a test certificate');
    trusted = await site('trusted', { port: await freePort() }, ['127.0.0.1']);
    untrusted = await site('untrusted', { socket: path.join(tmp, 'tsgi.sock') }, ['127.0.0.1'], {
      APP_SSL_HEADER: '1',
    });
  });

  after(async () => {
    for (const child of children.reverse()) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
    }
    rmSync(tmp, { recursive: true, force: true });
  });

  test('nginx serves /static/ from STATIC_ROOT, with the cache policy, and the application sees none of it', async () => {
    await trusted.seen();
    const plain = await get(`http://127.0.0.1:${trusted.httpPort}/static/css/site.css`);
    assert.equal(plain.status, 200);
    assert.equal(plain.body.toString(), css);
    assert.match(String(plain.headers.server), /^nginx/);
    assert.equal(plain.headers['cache-control'], 'public, max-age=3600');
    assert.match(String(plain.headers['content-type']), /^text\/css/);
    const hashed = await get(`http://127.0.0.1:${trusted.httpPort}/static/css/site.0123456789ab.css`);
    assert.equal(hashed.headers['cache-control'], 'public, max-age=31536000, immutable');
    const gz = await get(`http://127.0.0.1:${trusted.httpPort}/static/css/site.css`, { 'Accept-Encoding': 'gzip' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    const notModified = await get(`http://127.0.0.1:${trusted.httpPort}/static/css/site.css`, {
      'If-None-Match': String(plain.headers.etag),
    });
    assert.equal(notModified.status, 304);
    const missing = await get(`http://127.0.0.1:${trusted.httpPort}/static/nope.css`);
    assert.equal(missing.status, 404);
    assert.deepEqual(await trusted.seen(), []);
  });

  test('no path reaches a file outside STATIC_ROOT or MEDIA_ROOT through nginx', async () => {
    // nginx matches locations on the normalised path: /static/../secret.txt is /secret.txt, which is
    // not a static path, so it goes (as sent) to the application, whose URLconf answers 404.
    for (const target of [
      '/static/../secret.txt',
      '/static/%2e%2e/secret.txt',
      '/static..//secret.txt',
      '/static/..%2fsecret.txt',
      '/media/../secret.txt',
      '/static/css/../../secret.txt',
    ]) {
      const answer = await raw(trusted.httpPort, target);
      assert.ok(!answer.includes('TOP SECRET'), target);
    }
  });

  test('nginx serves /media/ from MEDIA_ROOT, never as an active page', async () => {
    await trusted.seen();
    const upload = await get(`http://127.0.0.1:${trusted.httpPort}/media/upload.html`);
    assert.equal(upload.status, 200);
    assert.equal(upload.headers['x-content-type-options'], 'nosniff');
    assert.equal(upload.headers['content-security-policy'], "default-src 'none'; sandbox");
    assert.deepEqual(await trusted.seen(), []);
  });

  test('dynamic pages go through the proxy on kept-alive upstream connections', async () => {
    await trusted.seen();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let i = 0; i < 6; i++) {
        const answer = await get(`http://127.0.0.1:${trusted.httpPort}/page/${i}`, {}, agent);
        assert.equal(answer.status, 200);
        assert.equal(JSON.parse(answer.body.toString()).host, `127.0.0.1:${trusted.httpPort}`);
      }
    } finally {
      agent.destroy();
    }
    const seen = await trusted.seen();
    assert.deepEqual(
      seen.map((s) => s.path),
      [0, 1, 2, 3, 4, 5].map((i) => `/page/${i}`),
    );
    const ports = new Set(seen.map((s) => s.port));
    assert.ok(ports.size < seen.length, `6 requests used ${ports.size} upstream connections: keep-alive is off`);
  });

  test('trusted proxy: the application sees the real client address and scheme, whatever the client claims', async () => {
    const plain = JSON.parse(
      (
        await get(`http://127.0.0.1:${trusted.httpPort}/whoami`, {
          'X-Forwarded-For': '6.6.6.6',
          'X-Forwarded-Proto': 'https',
        })
      ).body.toString(),
    );
    assert.equal(plain.REMOTE_ADDR, '127.0.0.1');
    assert.equal(plain.xff, '127.0.0.1', "nginx replaces the client's X-Forwarded-For");
    assert.equal(plain.scheme, 'http');
    assert.equal(plain.isSecure, false);
    const secure = JSON.parse(
      (await get(`https://127.0.0.1:${trusted.httpsPort}/whoami`, { 'X-Forwarded-For': '6.6.6.6' })).body.toString(),
    );
    assert.equal(secure.REMOTE_ADDR, '127.0.0.1');
    assert.equal(secure.scheme, 'https');
    assert.equal(secure.isSecure, true);
  });

  test('a direct client of tsgi serve from an untrusted address cannot claim another address or https', async () => {
    // Only the trusted site listens on TCP; its --forwarded-allow-ips is 127.0.0.1, and the test
    // connects from 127.0.0.1, so run one more server that trusts nobody.
    const port = await freePort();
    const tsgi = start(
      nodeBin,
      [
        path.join(repoRoot, 'bin/tsgi.ts'),
        'serve',
        'app:application',
        '--bind',
        `127.0.0.1:${port}`,
        '--workers',
        '1',
        '--forwarded-allow-ips',
        '10.9.9.9',
      ],
      project,
    );
    await waitFor({ port, host: '127.0.0.1' }, tsgi, 'tsgi serve (trusts nobody)', () => logs.get(tsgi)!);
    const answer = JSON.parse(
      (
        await get(`http://127.0.0.1:${port}/whoami`, {
          'X-Forwarded-For': '6.6.6.6',
          'X-Forwarded-Proto': 'https',
          Forwarded: 'for=7.7.7.7;proto=https',
        })
      ).body.toString(),
    );
    assert.equal(answer.REMOTE_ADDR, '127.0.0.1');
    assert.equal(answer.scheme, 'http');
    assert.equal(answer.isSecure, false);
  });

  test('untrusted proxy (a unix socket, no address to trust): proxy headers change nothing at the server', async () => {
    const secure = JSON.parse(
      (await get(`https://127.0.0.1:${untrusted.httpsPort}/whoami`, { 'X-Forwarded-For': '6.6.6.6' })).body.toString(),
    );
    assert.notEqual(secure.REMOTE_ADDR, '6.6.6.6');
    assert.notEqual(secure.REMOTE_ADDR, '127.0.0.1');
    assert.equal(secure.scheme, 'http', 'X-Forwarded-Proto from an untrusted peer is ignored by the server');
    const page = await get(`http://127.0.0.1:${untrusted.httpPort}/static/css/site.css`);
    assert.equal(page.body.toString(), css);
  });

  test('SECURE_PROXY_SSL_HEADER: isSecure() follows what nginx saw, not what the client claims', async () => {
    // This site's settings trust X-Forwarded-Proto; nginx always overwrites it with $scheme.
    const secure = JSON.parse((await get(`https://127.0.0.1:${untrusted.httpsPort}/whoami`)).body.toString());
    assert.equal(secure.isSecure, true);
    const spoofed = JSON.parse(
      (await get(`http://127.0.0.1:${untrusted.httpPort}/whoami`, { 'X-Forwarded-Proto': 'https' })).body.toString(),
    );
    assert.equal(spoofed.isSecure, false);
  });
});

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-2000);
  } catch {
    return '';
  }
}
