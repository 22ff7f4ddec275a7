/**
 * The hello application `tsgi serve` runs in bench/server.bench.ts (as `bench.server`): the same
 * answer, with the same headers, as the bare node:http baseline.
 */
import type { Application } from '../src/gateway/types.ts';

const HELLO = new TextEncoder().encode('Hello, world!');
const HEADERS: Array<[string, string]> = [
  ['Content-Type', 'text/plain; charset=utf-8'],
  ['Content-Length', String(HELLO.length)],
];

export const application: Application = (_environ, startResponse) => {
  startResponse('200 OK', HEADERS);
  return [HELLO];
};
