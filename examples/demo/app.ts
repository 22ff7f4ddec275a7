/**
 * The demo application: a plain TSGI application (docs/spec.md), no framework. It shows the
 * three ways to answer: an array body, a streaming generator, and reading the request body.
 */
import type { Application, Environ } from '../../src/gateway/index.ts';

const encoder = new TextEncoder();
const html = (text: string) => encoder.encode(text);

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>tsgi demo</title></head>
<body>
  <h1>tsgi is running</h1>
  <p>This page comes from <code>examples/demo/app.ts</code>, a TSGI application served by the reference server.</p>
  <ul>
    <li><a href="/hello/world">/hello/world</a>: a greeting from the path</li>
    <li><a href="/stream">/stream</a>: a body streamed chunk by chunk</li>
    <li><a href="/environ">/environ</a>: the environ this request produced</li>
    <li><code>curl -d 'some text' http://127.0.0.1:8000/echo</code>: the request body, echoed</li>
  </ul>
</body>
</html>
`;

function environSummary(environ: Environ): string {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(environ)) {
    if (typeof value === 'string' || typeof value === 'boolean') lines.push(`${key} = ${JSON.stringify(value)}`);
  }
  return lines.sort().join('\n') + '\n';
}

/** The demo application. */
export const application: Application = async (environ, startResponse) => {
  const path = environ.PATH_INFO;
  if (path === '/') {
    startResponse('200 OK', [['Content-Type', 'text/html; charset=utf-8']]);
    return [html(PAGE)];
  }
  if (path.startsWith('/hello/')) {
    const name = path.slice('/hello/'.length) || 'world';
    startResponse('200 OK', [['Content-Type', 'text/html; charset=utf-8']]);
    return [html(`<p>Hello, ${escape(name)}!</p>\n`)];
  }
  if (path === '/stream') {
    startResponse('200 OK', [['Content-Type', 'text/plain; charset=utf-8']]);
    return (async function* () {
      for (let i = 1; i <= 5; i++) {
        yield encoder.encode(`chunk ${i} of 5\n`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
  }
  if (path === '/environ') {
    startResponse('200 OK', [['Content-Type', 'text/plain; charset=utf-8']]);
    return [encoder.encode(environSummary(environ))];
  }
  if (path === '/echo') {
    if (environ.REQUEST_METHOD !== 'POST') {
      startResponse('405 Method Not Allowed', [
        ['Content-Type', 'text/plain; charset=utf-8'],
        ['Allow', 'POST'],
      ]);
      return [encoder.encode('POST a body to /echo.\n')];
    }
    const body = await environ['wsgi.input'].read();
    startResponse('200 OK', [['Content-Type', environ.CONTENT_TYPE ?? 'application/octet-stream']]);
    return [body];
  }
  startResponse('404 Not Found', [['Content-Type', 'text/plain; charset=utf-8']]);
  return [encoder.encode(`Nothing at ${path}. Try /.\n`)];
};
