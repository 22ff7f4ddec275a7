/**
 * The baseline of every benchmark: bare node:http answering "Hello, world!" on any path, with
 * the same headers a framework hello sends. Listens on $HOST:$PORT (default 127.0.0.1:18080).
 */
import http from 'node:http';

const HELLO = Buffer.from('Hello, world!');
const port = Number(process.env.PORT ?? 18080);
const host = process.env.HOST ?? '127.0.0.1';

const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': HELLO.length });
  res.end(HELLO);
});
server.listen(port, host, () => console.log(`node:http hello on http://${host}:${port}/`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
