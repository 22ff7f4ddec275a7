/**
 * node:http and the server's own JavaScript per request, without the kernel: 32 keep-alive
 * connections over in-memory duplex pairs (node:stream `duplexPair`) into one `http.Server`, each
 * sending wrk's GET /hello/ again as soon as its response arrives. Prints CPU µs per request.
 * The socket-level benchmarks (bench/run.sh) add ~10 µs of kernel work per request on this
 * machine (`writev`, reads, wake-ups) and its noise; this loop shows where the JavaScript goes
 * (docs/performance.md, Framework, "Where the gap is").
 *
 *   node bench/http.profile.ts bare|bare-django-headers|gateway|gateway-limits|gateway-django-headers|framework|worker
 *
 * gateway-limits: the gateway with tsgi serve's default body limits (docs/spec.md §3.3); worker:
 * tsgi serve's Worker (src/server/worker.ts: strict checks, tracking, the listener with limits)
 * over the hello of bench/server.ts, handed the connections as its master does.
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof bench/http.profile.ts framework
 *   N=200000 (requests measured, after 20000 of warm-up)
 */
import http from 'node:http';
import path from 'node:path';
import { duplexPair, type Duplex } from 'node:stream';
import { createListener } from '../src/gateway/server.ts';
import type { Application, HeaderList } from '../src/gateway/types.ts';
// By the package name, as the project's own imports: the compiled build, or the sources under
// --conditions=tsgi-source; a relative import would load a second framework beside the project's.
import { importModule, setProjectRoot } from 'tsgi/utils/module-loading';

const HELLO = Buffer.from('Hello, world!');
// The headers Django's four default middleware put on the hello (and the framework sends).
const DJANGO_HEADERS: HeaderList = [
  ['Content-Type', 'text/html; charset=utf-8'],
  ['Content-Length', '13'],
  ['X-Frame-Options', 'DENY'],
  ['X-Content-Type-Options', 'nosniff'],
  ['Referrer-Policy', 'same-origin'],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
];
const gatewayHello =
  (headers: HeaderList): Application =>
  (_environ, startResponse) => {
    startResponse('200 OK', headers);
    return [HELLO];
  };

async function listenerFor(which: string): Promise<http.RequestListener> {
  switch (which) {
    case 'bare':
      // bench/lib/node-http-hello.ts's handler.
      return (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': HELLO.length });
        res.end(HELLO);
      };
    case 'bare-django-headers':
      // The same hello with the headers the framework sends: what node:http's own header
      // handling (validation, the head's string) costs, without the gateway.
      return (_req, res) => {
        res.writeHead(200, DJANGO_HEADERS.flat());
        res.end(HELLO);
      };
    case 'gateway':
      return createListener(gatewayHello([['Content-Type', 'text/plain; charset=utf-8']]));
    case 'gateway-limits':
      return createListener(gatewayHello([['Content-Type', 'text/plain; charset=utf-8']]), {
        body: { maxBytes: 100 * 1024 * 1024, idleTimeoutMs: 30_000, timeoutMs: 300_000 },
      });
    case 'gateway-django-headers':
      return createListener(gatewayHello(DJANGO_HEADERS));
    case 'framework': {
      setProjectRoot(path.resolve(import.meta.dirname, '../test/fixtures/reference-app'));
      process.env.TSGI_SETTINGS_MODULE = 'markup.settings';
      const { application } = importModule('markup.wsgi') as { application: Application };
      await application.ready;
      return createListener(application);
    }
    default:
      throw new Error(
        `Unknown case ${JSON.stringify(which)}: one of bare, bare-django-headers, gateway, gateway-limits, gateway-django-headers, framework, worker.`,
      );
  }
}

/** tsgi serve's worker in this process: connections go in as its master hands them over. */
async function workerConnect(): Promise<(socket: Duplex) => void> {
  const [{ Worker }, { resolveConfig }, { LogFile, Logger }, { monotonicMs }] = await Promise.all([
    import('../src/server/worker.ts'),
    import('../src/server/config.ts'),
    import('../src/server/logger.ts'),
    import('../src/server/ipc.ts'),
  ]);
  const root = path.resolve(import.meta.dirname, '..');
  const { config } = await resolveConfig([], {}, root);
  const worker = new Worker({
    setup: { app: 'bench.server', config, maxRequests: 0, multiprocess: false },
    root,
    send: () => {},
    connected: () => true,
    exit: (code) => process.exit(code),
    log: new Logger(new LogFile('-', 2), 'warning'),
    accessLog: null,
    // Its thread only watches (another thread's CPU, a few polls a second).
    startWatchdog: () => ({ terminate: () => Promise.resolve() }),
  });
  if (!(await worker.boot())) throw new Error('The worker did not boot.');
  let id = 0;
  return (socket) => worker.receive({ t: 'conn', bind: 0, id: ++id, at: monotonicMs() }, socket as never);
}

const which = process.argv[2] ?? 'framework';
let connect: (socket: Duplex) => void;
if (which === 'worker') connect = await workerConnect();
else {
  const server = http.createServer(await listenerFor(which));
  connect = (socket) => server.emit('connection', socket);
}
const REQUEST = Buffer.from('GET /hello/ HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nUser-Agent: wrk\r\nAccept: */*\r\n\r\n');
const STATUS_LINE = 'HTTP/1.1 200 ';
let answered = 0;
let target = 0;
let finished: () => void = () => {};
const clients: Duplex[] = [];
for (let i = 0; i < 32; i++) {
  const [serverSide, client] = duplexPair();
  // What node:http and the gateway read from a TCP socket.
  Object.assign(serverSide, {
    remoteAddress: '127.0.0.1',
    remotePort: 50000 + i,
    localAddress: '127.0.0.1',
    localPort: 8000,
    setNoDelay: () => serverSide,
    setKeepAlive: () => serverSide,
    setTimeout: () => serverSide,
  });
  connect(serverSide);
  client.on('data', (data: Buffer) => {
    for (let at = data.indexOf(STATUS_LINE); at !== -1; at = data.indexOf(STATUS_LINE, at + 1)) {
      answered++;
      if (answered < target) client.write(REQUEST);
      else if (answered === target) finished();
    }
    if (data.includes('HTTP/1.1 5'))
      throw new Error(`${which} answered with an error: ${data.toString('latin1').slice(0, 300)}`);
  });
  clients.push(client);
}

function run(count: number): Promise<void> {
  answered = 0;
  target = count;
  const done = new Promise<void>((resolve) => (finished = resolve));
  for (const client of clients) client.write(REQUEST);
  return done;
}

await run(20_000);
const n = Number(process.env.N ?? 200_000);
const before = process.cpuUsage();
await run(n);
const cpu = process.cpuUsage(before);
console.log(
  `${which}: ${((cpu.user + cpu.system) / n).toFixed(2)} CPU µs/request (${n} requests, 32 connections, no kernel)`,
);
process.exit(0);
